package io.jenkins.plugins.modeldeploy.abtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.OptionalDouble;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The verdict logic on table-driven cases, and the statistics' error rates by simulation. */
class AnalysisTest {
    private static final ExperimentPlan PLAN = new ExperimentPlan("iris", "1", "2", 10, Duration.ofSeconds(10),
            Duration.ofMinutes(5), 200, 0.05, ExperimentPlan.Method.SEQUENTIAL, OptionalDouble.empty(), 50, 0.01);

    static Stream<Arguments> cases() {
        return Stream.of(
                // name, champion n/errors/slo, challenger n/errors/slo, final reading, verdict, decided, reason text
                Arguments.of("clear win", 9000, 450, 90, 1000, 0, 10, false, Verdict.PROMOTE, true, "error rate"),
                Arguments.of("clear loss", 9000, 9, 90, 1000, 80, 10, false, Verdict.ROLLBACK, true, "error rate"),
                Arguments.of("slower challenger", 9000, 9, 90, 1000, 1, 200, false, Verdict.ROLLBACK, true,
                        "SLO violations"),
                Arguments.of("A/A, still running", 9000, 90, 90, 1000, 10, 10, false, Verdict.INCONCLUSIVE, false,
                        "error rate"),
                Arguments.of("A/A at the end", 9000, 90, 90, 1000, 10, 10, true, Verdict.INCONCLUSIVE, true,
                        "no significant difference"),
                Arguments.of("no data", 0, 0, 0, 0, 0, 0, true, Verdict.INCONCLUSIVE, true, "too little data"),
                Arguments.of("too little data, even if clear", 150, 0, 0, 20, 20, 0, true, Verdict.INCONCLUSIVE, true,
                        "too little data"),
                Arguments.of("sample ratio mismatch", 5000, 5, 5, 5000, 5, 5, false, Verdict.INCONCLUSIVE, true,
                        "sample ratio mismatch"),
                Arguments.of("challenger down", 9000, 9, 9, 1000, 1000, 0, false, Verdict.ROLLBACK, true,
                        "100.00% (challenger)"),
                Arguments.of("champion down", 9000, 9000, 0, 1000, 0, 0, false, Verdict.PROMOTE, true,
                        "0.00% (challenger) vs 100.00% (champion)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decides(String name, long n1, long e1, long s1, long n2, long e2, long s2, boolean last, Verdict verdict,
            boolean decided, String reason) {
        Analysis.Decision decision = new Analysis(PLAN).update(new VariantStats("1", n1, e1, s1, 1, 2),
                new VariantStats("2", n2, e2, s2, 1, 2), Duration.ofSeconds(60), last);
        assertThat(decision.verdict()).as(name).isEqualTo(verdict);
        assertThat(decision.decided()).as(name).isEqualTo(decided);
        assertThat(String.join("\n", decision.reasons())).as(name).contains(reason);
    }

    @Test
    void neverDecidesBeforeTheMinimumDuration() {
        Analysis analysis = new Analysis(PLAN);
        Analysis.Decision early = analysis.update(new VariantStats("1", 9000, 9, 9, 1, 2),
                new VariantStats("2", 1000, 1000, 0, 1, 2), Duration.ofSeconds(5), false);
        assertThat(early.decided()).isFalse();
        assertThat(early.errorRatePValue()).isLessThan(1e-6);
    }

    @Test
    void theAlwaysValidPValueNeverRisesAgain() {
        MixtureSequentialTest test = new MixtureSequentialTest(0.01);
        double strong = test.update(5000, 50, 5000, 150);
        double later = test.update(100000, 5000, 100000, 5000);
        assertThat(strong).isLessThan(0.001);
        assertThat(later).isEqualTo(strong);
    }

    @Test
    void fixedHorizonSampleSizeMatchesTheTextbookFormula() {
        // (1.95996 + 0.84162)^2 * (0.05*0.95 + 0.06*0.94) / 0.01^2 = 7.84888 * 0.1039 / 1e-4 = 8154.99
        assertThat(FixedHorizonTest.sampleSize(0.05, 0.01, 0.05, 0.8)).isEqualTo(8155);
    }

    @Test
    void sampleRatioMismatchIsChiSquare() {
        // 1100 vs 900 expected 1000/1000: chi-square 20, p = 7.7e-6
        assertThat(SampleRatioCheck.pValue(900, 1100, 0.5)).isBetween(7.0e-6, 8.5e-6);
        assertThat(SampleRatioCheck.pValue(9000, 1000, 0.1)).isEqualTo(1.0);
    }

    /**
     * A faster version of bench/abtest.sh: over 1,000 simulated A/A experiments (each up to three fixed-horizon
     * sizes, read every simulated second) the false decision rate stays at most alpha; at twice the minimum
     * detectable effect the sequential test needs at most 0.6 times the fixed-horizon sample size on average.
     */
    @Test
    void simulatedFalseDecisionRateAndSampleSize() {
        ExperimentSimulator simulator = new ExperimentSimulator(0.05, 0.05, 0.01, 0.05, 100);
        ExperimentSimulator.Summary aa = simulator.run(ExperimentPlan.Method.SEQUENTIAL, 1000, 0, 3, 11);
        ExperimentSimulator.Summary effect = simulator.run(ExperimentPlan.Method.SEQUENTIAL, 300, 0.02, 3, 12);
        System.out.printf("A/A false decisions %.2f%% of %d; at 2x MDE %.0f samples vs %d fixed = %.2fx%n",
                aa.decisionRate() * 100, aa.experiments(), effect.meanSamplesPerVariant(),
                effect.fixedHorizonSamplesPerVariant(), effect.sampleRatio());
        assertThat(aa.decisionRate()).isLessThanOrEqualTo(0.05);
        assertThat(effect.promoted()).isLessThanOrEqualTo((int) (effect.experiments() * 0.05)); // wrong sign: <= alpha
        assertThat(effect.rolledBack()).isGreaterThanOrEqualTo((int) (effect.experiments() * 0.95));
        assertThat(effect.sampleRatio()).isLessThanOrEqualTo(0.6);
    }

    @Test
    void binomialDrawsHaveTheRightMean() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        long sum = 0;
        for (int i = 0; i < 20000; i++) {
            sum += ExperimentSimulator.binomial(100, 0.05, random);
        }
        assertThat(sum / 20000.0).isBetween(4.9, 5.1);
    }
}
