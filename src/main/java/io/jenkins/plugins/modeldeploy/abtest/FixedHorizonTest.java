package io.jenkins.plugins.modeldeploy.abtest;

import org.apache.commons.statistics.distribution.NormalDistribution;

/**
 * The classical two-proportion z-test, valid only when read once, at the sample size planned in advance
 * ({@link #sampleSize}); read before that, it reports no evidence (p = 1).
 */
final class FixedHorizonTest implements ProportionTest {
    private static final NormalDistribution STANDARD_NORMAL = NormalDistribution.of(0, 1);

    private final long samplesPerVariant;
    private double difference;

    FixedHorizonTest(long samplesPerVariant) {
        this.samplesPerVariant = samplesPerVariant;
    }

    /**
     * Samples per variant to detect an absolute difference {@code effect} from a base rate {@code baseRate} with a
     * two-sided test at {@code alpha} and the given power.
     */
    static long sampleSize(double baseRate, double effect, double alpha, double power) {
        double zAlpha = STANDARD_NORMAL.inverseSurvivalProbability(alpha / 2);
        double zPower = STANDARD_NORMAL.inverseCumulativeProbability(power);
        double other = Math.min(1, baseRate + effect);
        double variance = baseRate * (1 - baseRate) + other * (1 - other);
        return (long) Math.ceil((zAlpha + zPower) * (zAlpha + zPower) * variance / (effect * effect));
    }

    @Override
    public double update(long championTrials, long championEvents, long challengerTrials, long challengerEvents) {
        if (Math.min(championTrials, challengerTrials) < samplesPerVariant) {
            return 1.0;
        }
        double champion = (double) championEvents / championTrials;
        double challenger = (double) challengerEvents / challengerTrials;
        difference = challenger - champion;
        double pooled = (double) (championEvents + challengerEvents) / (championTrials + challengerTrials);
        double variance = pooled * (1 - pooled) * (1.0 / championTrials + 1.0 / challengerTrials);
        if (variance == 0) {
            return 1.0;
        }
        double z = Math.abs(difference) / Math.sqrt(variance);
        return 2 * STANDARD_NORMAL.survivalProbability(z);
    }

    @Override
    public double difference() {
        return difference;
    }
}
