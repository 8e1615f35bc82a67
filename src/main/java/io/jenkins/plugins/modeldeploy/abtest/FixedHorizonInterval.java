package io.jenkins.plugins.modeldeploy.abtest;

import org.apache.commons.statistics.distribution.NormalDistribution;

/**
 * The classical (Wald) interval for challenger rate minus champion rate, {@code d +- z(1 - alpha/2) sqrt(V)}, valid
 * only when read once, at the sample size planned in advance. It is computed at the first reading where both
 * variants have reached that size and then kept: later readings return the same interval, so the experiment cannot
 * go on looking until the interval happens to cross a bound (which would make its error rate far larger than alpha).
 * Before the planned size it knows nothing ({@link DifferenceInterval#UNBOUNDED}). V is the same shrunk variance as
 * the sequential test's ({@link MixtureSequentialTest#variance}), i.e. the Agresti–Caffo interval centred on the
 * observed difference.
 */
final class FixedHorizonInterval implements DifferenceBounds {
    private static final NormalDistribution STANDARD_NORMAL = NormalDistribution.of(0, 1);

    private final long samplesPerVariant;
    private final double alpha;
    private final double z;
    private DifferenceInterval interval = DifferenceInterval.UNBOUNDED;
    private boolean read;

    FixedHorizonInterval(long samplesPerVariant, double alpha) {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1), was " + alpha);
        }
        this.samplesPerVariant = samplesPerVariant;
        this.alpha = alpha;
        this.z = STANDARD_NORMAL.inverseSurvivalProbability(alpha / 2);
    }

    @Override
    public DifferenceInterval update(
            long championTrials, long championEvents, long challengerTrials, long challengerEvents) {
        if (read || Math.min(championTrials, challengerTrials) < Math.max(1, samplesPerVariant)) {
            return interval;
        }
        read = true;
        double difference = (double) challengerEvents / challengerTrials - (double) championEvents / championTrials;
        double variance = MixtureSequentialTest.variance(championTrials, championEvents)
                + MixtureSequentialTest.variance(challengerTrials, challengerEvents);
        interval = DifferenceInterval.around(difference, z * Math.sqrt(variance));
        return interval;
    }

    /** Whether the planned size has been reached and the interval computed. */
    boolean read() {
        return read;
    }

    long samplesPerVariant() {
        return samplesPerVariant;
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
        return false;
    }
}
