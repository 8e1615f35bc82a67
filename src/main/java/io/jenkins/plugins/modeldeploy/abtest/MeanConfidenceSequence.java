package io.jenkins.plugins.modeldeploy.abtest;

import java.util.OptionalDouble;

/**
 * An always-valid confidence sequence for challenger mean minus champion mean of a quality metric with unbounded
 * observations (an absolute or squared error, a reward): intervals that all contain the true difference at once,
 * asymptotically with probability at least {@code 1 - alpha}, however often they are read.
 *
 * <p>It is the asymptotic confidence sequence of Waudby-Smith, Arbour, Sinha, Kennedy and Ramdas, "Time-uniform
 * central limit theory and asymptotic confidence sequences" (arXiv 2103.06476, 2021; Annals of Statistics 2024),
 * applied to a difference of two independent means: by their strong-approximation argument the centred sum behaves,
 * uniformly in time, like a Brownian motion run on the estimated variance, so the normal-mixture boundary of Howard,
 * Ramdas, McAuliffe and Sekhon ("Time-uniform, nonparametric, nonasymptotic confidence sequences", Annals of
 * Statistics 49(2), 2021) holds with the variance plugged in. The observed difference {@code d} has estimated variance
 * {@code V = s1^2 / n1 + s2^2 / n2} (unbiased sample variances from each variant's {@link Moments}); the interval is
 * {@code d +- r(V)} with the same radius as {@link MixtureConfidenceSequence#radius}
 *
 * <pre>  r = sqrt( 2 V (V + tau^2) / tau^2 * ln( sqrt((V + tau^2) / V) / alpha ) )</pre>
 *
 * and the running intersection is kept ({@link #interval()} only shrinks). The mixture scale {@code tau}, in the
 * metric's units, is the gate's margin when there is one (the interval is narrowest, relative to a fixed-horizon one,
 * when {@code V} is about {@code tau^2}, i.e. near the sample that separates a difference of the size of the margin);
 * otherwise a fifth of the pooled standard deviation at the first reading with enough observations ("a small
 * effect"), then fixed.
 *
 * <p>The guarantee is asymptotic: no interval is given before each variant has {@value #MINIMUM_OBSERVATIONS}
 * observations, nor while the estimated variance is 0 (identical observations say nothing about their spread);
 * until then the interval is {@link DifferenceInterval#EVERYTHING} and the metric undecided. Measured coverage by
 * simulation is in {@code MeanConfidenceSequenceTest} and docs/benchmarks.md.
 */
final class MeanConfidenceSequence {
    /** Observations per variant before the normal approximation is trusted. */
    static final long MINIMUM_OBSERVATIONS = 30;

    /** The mixture scale without a margin, in pooled standard deviations. */
    static final double DEFAULT_EFFECT_IN_SD = 0.2;

    private final double alpha;
    private double tauSquared;
    private DifferenceInterval interval = DifferenceInterval.EVERYTHING;

    /**
     * @param tau   the mixture's standard deviation in the metric's units (the margin), empty: chosen from the data
     * @param alpha the chance that the true difference leaves the intervals at any time
     */
    MeanConfidenceSequence(OptionalDouble tau, double alpha) {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1), was " + alpha);
        }
        if (tau.isPresent() && !(tau.getAsDouble() > 0 && Double.isFinite(tau.getAsDouble()))) {
            throw new IllegalArgumentException("tau must be positive and finite, was " + tau.getAsDouble());
        }
        this.alpha = alpha;
        this.tauSquared = tau.isPresent() ? tau.getAsDouble() * tau.getAsDouble() : Double.NaN;
    }

    /** The unbiased sample variance of the observations summed in {@code moments}. */
    static double sampleVariance(Moments moments) {
        long n = moments.count();
        return n < 2 ? 0 : moments.variance() * n / (n - 1);
    }

    /** The estimated variance of the difference of the two means. */
    static double differenceVariance(Moments champion, Moments challenger) {
        return sampleVariance(champion) / champion.count() + sampleVariance(challenger) / challenger.count();
    }

    /** Takes the cumulative observations of both variants and returns the interval as of this reading. */
    DifferenceInterval update(Moments champion, Moments challenger) {
        if (Math.min(champion.count(), challenger.count()) < MINIMUM_OBSERVATIONS) {
            return interval;
        }
        double variance = differenceVariance(champion, challenger);
        if (!(variance > 0) || !Double.isFinite(variance)) {
            return interval;
        }
        if (Double.isNaN(tauSquared)) {
            double pooled = (sampleVariance(champion) * (champion.count() - 1)
                            + sampleVariance(challenger) * (challenger.count() - 1))
                    / (champion.count() + challenger.count() - 2);
            double tau = DEFAULT_EFFECT_IN_SD * Math.sqrt(pooled);
            tauSquared = tau * tau;
        }
        double difference = challenger.mean() - champion.mean();
        double radius = MixtureConfidenceSequence.radius(variance, tauSquared, alpha);
        interval = interval.intersect(DifferenceInterval.centred(difference, radius));
        return interval;
    }

    DifferenceInterval interval() {
        return interval;
    }

    double confidence() {
        return 1 - alpha;
    }
}
