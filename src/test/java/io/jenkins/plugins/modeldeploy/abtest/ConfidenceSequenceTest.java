package io.jenkins.plugins.modeldeploy.abtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The intervals the gate decides on: coverage by simulation, duality with the p-value, shrinking, read-once. */
class ConfidenceSequenceTest {
    private static final double ALPHA = 0.05;

    /**
     * Coverage at any time: over 400 simulated experiments (fixed seed) read every simulated second, the true
     * difference leaves the running interval at some reading in at most alpha of them. Rates near 0 are where the
     * normal approximation is weakest (few, skewed counts; the challenger's own rate sets its variance), so most rows
     * are there, with the challenger's rate one margin above or below the champion's and the split as uneven as the
     * acceptance run's (90 + 10 requests per second).
     */
    @ParameterizedTest(name = "champion {0} vs challenger {1} at {2} + {3} req/s for {4} s, tau {5}")
    @CsvSource({
        "0.0,   0.01,  90, 10, 300, 0.01",
        "0.001, 0.011, 90, 10, 300, 0.01",
        "0.011, 0.001, 90, 10, 300, 0.01",
        "0.001, 0.001, 90, 10, 300, 0.01",
        "0.0,   0.002, 90, 10, 300, 0.01",
        "0.01,  0.02, 140, 60,  90, 0.02",
        "0.05,  0.06,  90, 10, 300, 0.01",
        "0.001, 0.011,  1,  1, 2000, 0.01",
        "0.3,   0.31,  10, 90, 300, 0.01"
    })
    void theTrueDifferenceStaysInsideAtAllTimes(
            double champion,
            double challenger,
            long championPerSecond,
            long challengerPerSecond,
            int seconds,
            double tau) {
        SplittableRandom random = new SplittableRandom(7);
        double truth = challenger - champion;
        int runs = 400;
        int missed = 0;
        for (int run = 0; run < runs; run++) {
            MixtureConfidenceSequence sequence = new MixtureConfidenceSequence(tau, ALPHA);
            long championEvents = 0;
            long challengerEvents = 0;
            for (int second = 1; second <= seconds; second++) {
                championEvents += ExperimentSimulator.binomial(championPerSecond, champion, random);
                challengerEvents += ExperimentSimulator.binomial(challengerPerSecond, challenger, random);
                DifferenceInterval interval = sequence.update(
                        second * championPerSecond, championEvents, second * challengerPerSecond, challengerEvents);
                if (!interval.contains(truth)) {
                    missed++;
                    break;
                }
            }
        }
        assertThat(missed)
                .as("runs in which the interval lost the true difference")
                .isLessThanOrEqualTo((int) (runs * ALPHA));
    }

    /** The always-valid p-value falls to alpha exactly when the confidence sequence at 1 - alpha excludes 0. */
    @Test
    void theIntervalAndThePValueAreDuals() {
        SplittableRandom random = new SplittableRandom(3);
        int excluded = 0;
        for (int run = 0; run < 200; run++) {
            double champion = 0.01 + 0.04 * random.nextDouble();
            double challenger = champion + 0.02 * random.nextDouble() - 0.005;
            MixtureSequentialTest test = new MixtureSequentialTest(0.01);
            MixtureConfidenceSequence sequence = new MixtureConfidenceSequence(0.01, ALPHA);
            long a = 0;
            long b = 0;
            for (int second = 1; second <= 60; second++) {
                a += ExperimentSimulator.binomial(100, champion, random);
                b += ExperimentSimulator.binomial(100, challenger, random);
                double p = test.update(second * 100L, a, second * 100L, b);
                DifferenceInterval interval = sequence.update(second * 100L, a, second * 100L, b);
                assertThat(p <= ALPHA)
                        .as("run %d second %d: p = %s, interval %s", run, second, p, interval)
                        .isEqualTo(!interval.contains(0));
            }
            excluded += test.update(6000, a, 6000, b) <= ALPHA ? 1 : 0;
        }
        assertThat(excluded).isBetween(20, 180); // both kinds of run occurred
    }

    @Test
    void theIntervalOnlyShrinksAndCoversTheObservedDifference() {
        MixtureConfidenceSequence sequence = new MixtureConfidenceSequence(0.01, ALPHA);
        assertThat(sequence.interval()).isEqualTo(DifferenceInterval.UNBOUNDED);
        DifferenceInterval previous = sequence.update(0, 0, 0, 0);
        assertThat(previous).isEqualTo(DifferenceInterval.UNBOUNDED);
        SplittableRandom random = new SplittableRandom(1);
        long a = 0;
        long b = 0;
        for (int second = 1; second <= 200; second++) {
            a += ExperimentSimulator.binomial(90, 0.02, random);
            b += ExperimentSimulator.binomial(10, 0.02, random);
            DifferenceInterval interval = sequence.update(second * 90L, a, second * 10L, b);
            assertThat(interval.lower()).isGreaterThanOrEqualTo(previous.lower());
            assertThat(interval.upper()).isLessThanOrEqualTo(previous.upper());
            previous = interval;
        }
        assertThat(previous.upper() - previous.lower()).isLessThan(0.03);
    }

    @Test
    void noEventsAtAllIsNotCertainty() {
        // a healthy service: no errors in either variant; the interval must still allow a worse challenger
        DifferenceInterval few = new MixtureConfidenceSequence(0.01, 0.025).update(900, 0, 100, 0);
        assertThat(few.upper()).isGreaterThan(0.05);
        DifferenceInterval many = new MixtureConfidenceSequence(0.01, 0.025).update(45000, 0, 5000, 0);
        assertThat(many.upper()).isBetween(0.001, 0.01);
        assertThat(many.lower()).isBetween(-0.01, 0.0);
    }

    @Test
    void theRadiusIsTheMixtureBoundary() {
        // V = tau^2 = 1e-4, alpha 0.05: r = sqrt(2 * 1e-4 * 2 * ln(sqrt(2) / 0.05)) = sqrt(4e-4 * 3.3423) = 0.036563
        assertThat(MixtureConfidenceSequence.radius(1e-4, 1e-4, 0.05)).isBetween(0.03656, 0.03657);
        assertThat(MixtureConfidenceSequence.radius(0, 1e-4, 0.05)).isZero();
    }

    @Test
    void intersectingKeepsTheRunningIntervalNested() {
        DifferenceInterval running = new DifferenceInterval(-0.02, 0.01);
        assertThat(running.intersect(new DifferenceInterval(-0.01, 0.03)))
                .isEqualTo(new DifferenceInterval(-0.01, 0.01));
        assertThat(running.intersect(new DifferenceInterval(0.02, 0.03))).isEqualTo(new DifferenceInterval(0.01, 0.01));
        assertThat(running.intersect(new DifferenceInterval(-0.05, -0.03)))
                .isEqualTo(new DifferenceInterval(-0.02, -0.02));
        assertThatThrownBy(() -> new DifferenceInterval(0.1, -0.1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theFixedHorizonIntervalIsComputedOnceAndKept() {
        FixedHorizonInterval interval = new FixedHorizonInterval(1000, ALPHA);
        assertThat(interval.update(999, 10, 999, 10)).isEqualTo(DifferenceInterval.UNBOUNDED);
        assertThat(interval.read()).isFalse();
        DifferenceInterval once = interval.update(1000, 50, 1000, 80);
        // d = 0.03, V = (51/1002)(951/1002)/1000 + (81/1002)(921/1002)/1000 = 1.2261e-4, z = 1.95996: r = 0.021702
        assertThat(once.lower()).isBetween(0.03 - 0.02171, 0.03 - 0.02169);
        assertThat(once.upper()).isBetween(0.03 + 0.02169, 0.03 + 0.02171);
        assertThat(interval.update(100000, 5000, 100000, 5000)).isEqualTo(once);
    }
}
