package io.jenkins.plugins.modeldeploy.abtest;

/**
 * Running sums of one per-observation quality value of a variant (an instance's correctness as 0 or 1, its absolute
 * or squared error, a reward): enough for the mean and the variance a sequential test needs, and subtractable, so
 * that a window's numbers are the cumulative sums now less those at the window's start.
 *
 * @param count        observations
 * @param sum          their sum
 * @param sumOfSquares the sum of their squares
 */
public record Moments(long count, double sum, double sumOfSquares) {
    public static final Moments NONE = new Moments(0, 0, 0);

    public Moments {
        if (count < 0) {
            throw new IllegalArgumentException("a count of observations cannot be negative, was " + count);
        }
    }

    /** One observation. */
    public static Moments of(double value) {
        return new Moments(1, value, value * value);
    }

    public Moments plus(Moments other) {
        return new Moments(count + other.count, sum + other.sum, sumOfSquares + other.sumOfSquares);
    }

    /**
     * These sums less {@code earlier}'s (a window's numbers from cumulative ones); a source whose counters started
     * again (a restart) gives fewer observations than before, and then the later sums are all new.
     */
    public Moments minus(Moments earlier) {
        if (earlier.count > count) {
            return this;
        }
        return new Moments(count - earlier.count, sum - earlier.sum, Math.max(0, sumOfSquares - earlier.sumOfSquares));
    }

    public double mean() {
        return count == 0 ? 0 : sum / count;
    }

    /** The (biased, divide-by-n) variance of the observations; 0 for fewer than two. */
    public double variance() {
        if (count < 2) {
            return 0;
        }
        double mean = mean();
        return Math.max(0, sumOfSquares / count - mean * mean);
    }
}
