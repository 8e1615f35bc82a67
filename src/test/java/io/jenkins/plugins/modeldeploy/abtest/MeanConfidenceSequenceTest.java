package io.jenkins.plugins.modeldeploy.abtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalDouble;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/** The confidence sequence for a difference of means: coverage at every reading, shape, and the fixed-horizon one. */
class MeanConfidenceSequenceTest {
    private static final double ALPHA = 0.05;

    /**
     * Runs {@code runs} experiments of equal-mean variants (challenger one margin above in {@code shift}), 10
     * observations per variant per reading up to 3,000, and returns the share in which the true difference left the
     * running interval at some reading.
     */
    private static double missRate(
            ToDoubleFunction<SplittableRandom> champion,
            ToDoubleFunction<SplittableRandom> challenger,
            double trueDifference,
            OptionalDouble tau,
            int runs,
            long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int missed = 0;
        for (int run = 0; run < runs; run++) {
            MeanConfidenceSequence sequence = new MeanConfidenceSequence(tau, ALPHA);
            Moments a = Moments.NONE;
            Moments b = Moments.NONE;
            for (int reading = 0; reading < 300; reading++) {
                for (int i = 0; i < 10; i++) {
                    a = a.plus(Moments.of(champion.applyAsDouble(random)));
                    b = b.plus(Moments.of(challenger.applyAsDouble(random)));
                }
                if (!sequence.update(a, b).contains(trueDifference)) {
                    missed++;
                    break;
                }
            }
        }
        return (double) missed / runs;
    }

    @Test
    void theTrueDifferenceStaysInsideAtAllTimesForNormalAndSkewedObservations() {
        // normal observations, the default scale (a fifth of a standard deviation)
        double normal =
                missRate(r -> r.nextGaussian(), r -> 0.2 + r.nextGaussian(), 0.2, OptionalDouble.empty(), 400, 1);
        // absolute errors: exponential with means 0.5 and 0.6, margin 0.05 as the scale
        double exponential = missRate(
                r -> -0.5 * Math.log(1 - r.nextDouble()),
                r -> -0.6 * Math.log(1 - r.nextDouble()),
                0.1,
                OptionalDouble.of(0.05),
                400,
                2);
        // squared errors (chi-square with one degree of freedom): heavily skewed, equal means
        double squared = missRate(
                r -> Math.pow(r.nextGaussian(), 2),
                r -> Math.pow(r.nextGaussian(), 2),
                0,
                OptionalDouble.of(0.1),
                400,
                3);
        System.out.printf(
                "mean CS misses: normal %.3f, exponential %.3f, chi-square %.3f%n", normal, exponential, squared);
        // alpha is 5%; 400 runs: allow the binomial noise around it (the boundary is conservative in practice)
        assertThat(normal).isLessThanOrEqualTo(0.06);
        assertThat(exponential).isLessThanOrEqualTo(0.06);
        assertThat(squared).isLessThanOrEqualTo(0.07);
    }

    @Test
    void noIntervalBeforeEnoughObservationsOrWithoutSpread() {
        MeanConfidenceSequence sequence = new MeanConfidenceSequence(OptionalDouble.of(0.1), ALPHA);
        Moments few = new Moments(29, 29 * 0.5, 29 * 0.5);
        assertThat(sequence.update(few, few)).isEqualTo(DifferenceInterval.EVERYTHING);
        Moments constant = new Moments(100, 50, 25);
        assertThat(sequence.update(constant, constant)).isEqualTo(DifferenceInterval.EVERYTHING);
        assertThat(sequence.confidence()).isEqualTo(0.95);
    }

    @Test
    void theRadiusIsTheMixtureBoundaryOfTheEstimatedVarianceAndOnlyShrinks() {
        MeanConfidenceSequence sequence = new MeanConfidenceSequence(OptionalDouble.of(0.1), ALPHA);
        // sd 1 each (sample variance 100/99 of the biased 1), 100 observations each, means 0.5 and 0.8
        Moments a = new Moments(100, 50, 100 * (1 + 0.25));
        Moments b = new Moments(100, 80, 100 * (1 + 0.64));
        DifferenceInterval first = sequence.update(a, b);
        double variance = 2 * (100 / 99.0) / 100;
        double radius = MixtureConfidenceSequence.radius(variance, 0.01, ALPHA);
        assertThat(first.lower()).isCloseTo(0.3 - radius, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(first.upper()).isCloseTo(0.3 + radius, org.assertj.core.data.Offset.offset(1e-9));
        // a later reading far off keeps inside the earlier interval
        DifferenceInterval second = sequence.update(new Moments(200, 100, 250), new Moments(200, 200, 400));
        assertThat(second.lower()).isGreaterThanOrEqualTo(first.lower());
        assertThat(second.upper()).isLessThanOrEqualTo(first.upper());
        assertThatThrownBy(() -> new MeanConfidenceSequence(OptionalDouble.of(0), ALPHA))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theFixedHorizonIntervalIsAWelchIntervalReadOnceAtItsPlannedSize() {
        // 2 (1.96 + 0.8416)^2 / 0.2^2 = 392.4 for sd 1, effect 0.2, alpha 0.05, power 0.8
        assertThat(FixedHorizonMeanInterval.sampleSize(1, 0.2, 0.05, 0.8)).isEqualTo(393);
        FixedHorizonMeanInterval fixed = new FixedHorizonMeanInterval(OptionalDouble.of(0.2), 0.05, 0.8, 393);
        Moments small = new Moments(392, 0, 392);
        assertThat(fixed.update(small, small)).isEqualTo(DifferenceInterval.EVERYTHING);
        assertThat(fixed.read()).isFalse();
        Moments a = new Moments(400, 0, 400);
        Moments b = new Moments(400, 40, 400 * (1 + 0.01));
        DifferenceInterval interval = fixed.update(a, b);
        double half = 1.959963984540054 * Math.sqrt((400 / 399.0) / 400 + (400 / 399.0) / 400);
        assertThat(interval.lower()).isCloseTo(0.1 - half, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(interval.upper()).isCloseTo(0.1 + half, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(fixed.update(new Moments(800, 800, 1600), b)).isEqualTo(interval);
    }

    @Test
    void aFixedHorizonTestReadEverySecondWouldDecideFarMoreOftenThanTheSequence() {
        // the point of the confidence sequence: the same Welch interval, re-read at every reading, misses often
        SplittableRandom random = new SplittableRandom(9);
        int welchMissed = 0;
        int runs = 300;
        for (int run = 0; run < runs; run++) {
            Moments a = Moments.NONE;
            Moments b = Moments.NONE;
            for (int reading = 0; reading < 300; reading++) {
                for (int i = 0; i < 10; i++) {
                    a = a.plus(Moments.of(random.nextGaussian()));
                    b = b.plus(Moments.of(random.nextGaussian()));
                }
                FixedHorizonMeanInterval once = new FixedHorizonMeanInterval(OptionalDouble.empty(), ALPHA, 0.8, 1);
                if (!once.update(a, b).contains(0)) {
                    welchMissed++;
                    break;
                }
            }
        }
        assertThat((double) welchMissed / runs).isGreaterThan(0.2);
    }
}
