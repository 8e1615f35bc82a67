package io.jenkins.plugins.modeldeploy.abtest;

/**
 * An always-valid confidence sequence for challenger rate minus champion rate: a sequence of intervals that all
 * contain the true difference at once, with probability at least {@code 1 - alpha}, however often they are read and
 * whenever the experiment stops.
 *
 * <p>It is the two-sided normal-mixture boundary of Howard, Ramdas, McAuliffe and Sekhon, "Time-uniform,
 * nonparametric, nonasymptotic confidence sequences", Annals of Statistics 49(2), 2021, in the form Johari, Pekelis
 * and Walsh use for A/B tests ("Always Valid Inference: Bringing Sequential Analysis to A/B Testing", arXiv
 * 1512.04922, 2015; with Koomen, "Peeking at A/B Tests: Why it matters, and what to do about it", KDD 2017). The
 * observed difference {@code d} is taken as normal around the true difference {@code theta} with variance
 * {@code V}; mixing the likelihood ratio over {@code theta ~ N(theta0, tau^2)} gives the martingale
 *
 * <pre>  Lambda(theta0) = sqrt(V / (V + tau^2)) * exp(tau^2 (d - theta0)^2 / (2 V (V + tau^2)))</pre>
 *
 * and, by Ville's inequality, {@code P(sup_t Lambda(theta) >= 1/alpha) <= alpha} at the true {@code theta}. The
 * set of {@code theta0} with {@code Lambda(theta0) < 1/alpha} is {@code |theta0 - d| < r} with
 *
 * <pre>  r = sqrt( 2 V (V + tau^2) / tau^2 * ln( sqrt((V + tau^2) / V) / alpha ) )</pre>
 *
 * centred on the observed difference. As in {@link MixtureSequentialTest}, of which this is the dual (its p-value
 * falls to alpha at the reading where this sequence at {@code 1 - alpha} first excludes 0), tau is the minimum
 * detectable effect: the interval is narrowest, relative to the fixed-horizon one, when {@code V} is about
 * {@code tau^2}. Since every interval of the sequence holds simultaneously, their running intersection does too:
 * {@link #interval()} only ever shrinks.
 *
 * <p><b>The variance.</b> Rates near 0 are the normal case (a healthy service has almost no errors) and the hard one
 * for a normal approximation: few events, skewed counts. Three choices, measured by simulation (the true difference
 * leaving the running 97.5% interval at any reading, 2,000 runs per cell, allowed 2.5%):
 * <ul>
 * <li>The plug-in variance of each observed rate, shrunk by one pseudo-observation each way ({@code (events + 1) /
 * (trials + 2)}, as Agresti and Caffo do for fixed-size intervals: "Simple and effective confidence intervals for
 * proportions and differences of proportions result from adding two successes and two failures", The American
 * Statistician 54(4), 2000) is not honest: when the challenger happens to see few events, its variance looks small
 * exactly when its rate is underestimated. With the champion at 0.1% and the challenger at 1.1% (worse by the default
 * margin) at the acceptance run's 90 + 10 requests per second, the upper bound fell below the truth in 6.2% of runs
 * within 120 s and 8.5% within 30 min; at the demo's 140 + 60, 5.5% within 90 s. Those are the runs in which the
 * non-inferiority gate would promote a challenger that is worse by the margin.
 * <li>The variance at the difference being tested ({@code V(theta)}: both rates moved the least, weighted by the
 * samples, to differ by exactly {@code theta}, as score intervals do) fixes that side, but the lower bound then
 * misses when the challenger's rate is the tiny one (champion 1.1%, challenger 0.1%: 7.4% within 120 s).
 * <li>Used here: for each rate the larger of the two variances, at the rate fitted for {@code theta} and at its own
 * shrunk rate ({@link Counts#varianceAt}). The worst cell of a grid of 100 (tau 0.01 and 0.02; splits 1 + 1, 90 + 10,
 * 140 + 60 and 10 + 90 per second; rates from 0 to 31%; challenger one point above or below the champion, or equal;
 * 1,000 runs each) missed in 1.1% of runs. {@code ConfidenceSequenceTest} repeats nine of these cells on every
 * build. The price is a later decision: to show a challenger with no errors at all not worse by 1 point, the
 * interval must exclude a challenger at 1%, with the variance of a 1% rate, which takes about 1,100 challenger
 * requests (90:10 split, tau 0.01, alpha 0.025); about 2,000 at base rates of 1% and 6,500 at 5%.
 * </ul>
 * With a variance that depends on {@code theta0} the bounds solve {@code |theta - d| = r(V(theta))}, found
 * numerically. A variant with no requests yet leaves the interval unchanged.
 */
final class MixtureConfidenceSequence implements DifferenceBounds {
    private final double tauSquared;
    private final double alpha;
    private DifferenceInterval interval = DifferenceInterval.UNBOUNDED;

    /**
     * @param tau   the mixture's standard deviation, the minimum detectable effect (0.01 = one percentage point)
     * @param alpha the chance that the true difference leaves the intervals at any time
     */
    MixtureConfidenceSequence(double tau, double alpha) {
        if (!(tau > 0 && tau < 1)) {
            throw new IllegalArgumentException("tau must be in (0, 1), was " + tau);
        }
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1), was " + alpha);
        }
        this.tauSquared = tau * tau;
        this.alpha = alpha;
    }

    /** The half-width of the interval for a difference estimated with variance {@code variance}. */
    static double radius(double variance, double tauSquared, double alpha) {
        if (!(variance > 0)) {
            return 0;
        }
        double sum = variance + tauSquared;
        return Math.sqrt(2 * variance * sum / tauSquared * (0.5 * Math.log(sum / variance) - Math.log(alpha)));
    }

    @Override
    public DifferenceInterval update(
            long championTrials, long championEvents, long challengerTrials, long challengerEvents) {
        if (championTrials == 0 || challengerTrials == 0) {
            return interval;
        }
        Counts counts = new Counts(championTrials, championEvents, challengerTrials, challengerEvents);
        double difference = counts.difference();
        double upper = bound(counts, difference, 1);
        double lower = bound(counts, difference, -1);
        interval = interval.intersect(new DifferenceInterval(lower, upper));
        return interval;
    }

    /**
     * The bound on one side ({@code sign} +1 upper, -1 lower): where {@code |theta - d|} reaches the radius for the
     * variance at {@code theta}. The root is bracketed between {@code d} (inside) and {@code d +- r(V max)} (outside,
     * as the radius grows with the variance and no rate's variance exceeds {@code 1/(4n)}) and found by regula falsi
     * with the Illinois modification, which keeps the bracket. Should the radius not grow monotonically in between,
     * the search still ends at a crossing of the bracket, at least as far out as the first, so the interval can only
     * be wider than the set it stands for.
     */
    private double bound(Counts counts, double difference, int sign) {
        double inside = difference;
        double insideValue = -radius(counts.varianceAt(inside), tauSquared, alpha);
        double outside =
                Math.max(-1, Math.min(1, difference + sign * radius(counts.maximumVariance(), tauSquared, alpha)));
        double outsideValue = excess(counts, difference, outside);
        if (outsideValue < 0 || insideValue >= 0) {
            return outside; // the whole range [d, +-1] is inside (tiny samples) or the radius is 0 (no variance)
        }
        // narrow the bracket with two steps of theta = d +- r(V(theta)), which usually land close to the root
        double probe = inside;
        for (int step = 0; step < 2; step++) {
            double radius = Math.abs(probe - difference) - excess(counts, difference, probe);
            probe = Math.max(-1, Math.min(1, difference + sign * radius * (step == 0 ? 1 : 1.0001)));
            if (sign * (probe - inside) <= 0 || sign * (probe - outside) >= 0) {
                break;
            }
            double value = excess(counts, difference, probe);
            if (value < 0) {
                inside = probe;
                insideValue = value;
            } else {
                outside = probe;
                outsideValue = value;
            }
        }
        int replaced = 0; // -1: the inside end was replaced last, +1: the outside end
        for (int i = 0; i < 100 && Math.abs(outside - inside) > 1e-10; i++) {
            double next = (inside * outsideValue - outside * insideValue) / (outsideValue - insideValue);
            double value = excess(counts, difference, next);
            if (value < 0) {
                inside = next;
                insideValue = value;
                if (replaced == -1) {
                    outsideValue /= 2;
                }
                replaced = -1;
            } else {
                outside = next;
                outsideValue = value;
                if (replaced == 1) {
                    insideValue /= 2;
                }
                replaced = 1;
                if (value < 1e-13) {
                    break;
                }
            }
        }
        return outside;
    }

    /** How far {@code theta} lies beyond the radius for its own variance: negative inside the interval. */
    private double excess(Counts counts, double difference, double theta) {
        return Math.abs(theta - difference) - radius(counts.varianceAt(theta), tauSquared, alpha);
    }

    /** Cumulative counts of one reading. */
    record Counts(long championTrials, long championEvents, long challengerTrials, long challengerEvents) {
        double difference() {
            return (double) challengerEvents / challengerTrials - (double) championEvents / championTrials;
        }

        /**
         * The variance of the observed difference if the true difference were {@code theta}: both rates shrunk
         * (one pseudo-observation each way), then moved the least (weighted by the samples) to differ by exactly
         * {@code theta}.
         */
        double varianceAt(double theta) {
            double champion = (championEvents + 1.0) / (championTrials + 2.0);
            double challenger = (challengerEvents + 1.0) / (challengerTrials + 2.0);
            double fitted = (championTrials * champion + challengerTrials * (challenger - theta))
                    / (championTrials + challengerTrials);
            fitted = Math.max(Math.max(0, -theta), Math.min(Math.min(1, 1 - theta), fitted));
            double other = fitted + theta;
            return Math.max(fitted * (1 - fitted), champion * (1 - champion)) / championTrials
                    + Math.max(other * (1 - other), challenger * (1 - challenger)) / challengerTrials;
        }

        double maximumVariance() {
            return 0.25 / championTrials + 0.25 / challengerTrials;
        }
    }

    @Override
    public DifferenceInterval interval() {
        return interval;
    }

    @Override
    public double confidence() {
        return 1 - alpha;
    }

    @Override
    public boolean alwaysValid() {
        return true;
    }
}
