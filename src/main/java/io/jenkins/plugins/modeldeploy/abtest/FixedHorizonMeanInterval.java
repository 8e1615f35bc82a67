package io.jenkins.plugins.modeldeploy.abtest;

import java.util.OptionalDouble;
import org.apache.commons.statistics.distribution.NormalDistribution;

/**
 * The fixed-horizon counterpart of {@link MeanConfidenceSequence}: the large-sample Welch interval for challenger
 * mean minus champion mean, {@code d +- z(1 - alpha/2) sqrt(s1^2/n1 + s2^2/n2)}, read once, at a planned number of
 * observations per variant, and kept. A mean's variance is not known in advance, so the size is planned in two
 * stages (as in Stein's two-stage test): at the first reading with {@value MeanConfidenceSequence#MINIMUM_OBSERVATIONS}
 * observations per variant the pooled variance fixes {@link #sampleSize}, to detect the margin (or, without one,
 * {@value MeanConfidenceSequence#DEFAULT_EFFECT_IN_SD} standard deviations) with the given power; a size given to
 * the constructor skips the first stage. Before the planned size it knows nothing
 * ({@link DifferenceInterval#EVERYTHING}).
 */
final class FixedHorizonMeanInterval {
    private static final NormalDistribution STANDARD_NORMAL = NormalDistribution.of(0, 1);

    private final OptionalDouble effect;
    private final double alpha;
    private final double power;
    private final double z;
    private long samplesPerVariant;
    private DifferenceInterval interval = DifferenceInterval.EVERYTHING;
    private boolean read;

    /**
     * @param effect            the difference to detect (the margin), in the metric's units; empty: a fifth of a
     *                          standard deviation
     * @param samplesPerVariant the planned size, 0 to plan it from the first {@value
     *                          MeanConfidenceSequence#MINIMUM_OBSERVATIONS} observations
     */
    FixedHorizonMeanInterval(OptionalDouble effect, double alpha, double power, long samplesPerVariant) {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1), was " + alpha);
        }
        this.effect = effect;
        this.alpha = alpha;
        this.power = power;
        this.z = STANDARD_NORMAL.inverseSurvivalProbability(alpha / 2);
        this.samplesPerVariant = samplesPerVariant;
    }

    /**
     * Observations per variant for a two-sided test at {@code alpha} to detect a difference {@code effect} of two
     * means whose observations have standard deviation {@code sd}, with the given power:
     * {@code 2 (z(1-alpha/2) + z(power))^2 sd^2 / effect^2}.
     */
    static long sampleSize(double sd, double effect, double alpha, double power) {
        double zAlpha = STANDARD_NORMAL.inverseSurvivalProbability(alpha / 2);
        double zPower = STANDARD_NORMAL.inverseCumulativeProbability(power);
        return (long) Math.ceil(2 * (zAlpha + zPower) * (zAlpha + zPower) * sd * sd / (effect * effect));
    }

    DifferenceInterval update(Moments champion, Moments challenger) {
        long least = Math.min(champion.count(), challenger.count());
        if (read) {
            return interval;
        }
        if (samplesPerVariant <= 0) {
            if (least < MeanConfidenceSequence.MINIMUM_OBSERVATIONS) {
                return interval;
            }
            double pooled = (MeanConfidenceSequence.sampleVariance(champion) * (champion.count() - 1)
                            + MeanConfidenceSequence.sampleVariance(challenger) * (challenger.count() - 1))
                    / (champion.count() + challenger.count() - 2);
            if (!(pooled > 0)) {
                return interval;
            }
            double sd = Math.sqrt(pooled);
            double delta = effect.isPresent() && effect.getAsDouble() > 0
                    ? effect.getAsDouble()
                    : MeanConfidenceSequence.DEFAULT_EFFECT_IN_SD * sd;
            samplesPerVariant =
                    Math.max(MeanConfidenceSequence.MINIMUM_OBSERVATIONS, sampleSize(sd, delta, alpha, power));
        }
        if (least < samplesPerVariant) {
            return interval;
        }
        read = true;
        double variance = MeanConfidenceSequence.differenceVariance(champion, challenger);
        interval = DifferenceInterval.centred(challenger.mean() - champion.mean(), z * Math.sqrt(variance));
        return interval;
    }

    boolean read() {
        return read;
    }

    /** The planned size, 0 while not yet planned. */
    long samplesPerVariant() {
        return samplesPerVariant;
    }

    DifferenceInterval interval() {
        return interval;
    }

    double confidence() {
        return 1 - alpha;
    }
}
