package io.jenkins.plugins.modeldeploy.abtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan.Gate;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentSimulator.Scenario;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentSimulator.Summary;
import java.time.Duration;
import java.util.OptionalDouble;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The verdict logic of both gates on table-driven cases, and the gates' error rates by simulation. */
class AnalysisTest {
    /** The default gate: non-inferiority, margin one percentage point on both metrics. */
    private static final ExperimentPlan PLAN = new ExperimentPlan(
            "iris",
            "1",
            "2",
            10,
            Duration.ofSeconds(10),
            Duration.ofMinutes(5),
            200,
            0.05,
            ExperimentPlan.Method.SEQUENTIAL,
            OptionalDouble.empty(),
            50,
            0.01);

    private static final Gate SUPERIORITY = new Gate(Gate.Kind.SUPERIORITY, 0.01, 0.01);
    private static final ExperimentPlan SUPERIORITY_PLAN = new ExperimentPlan(
            "iris",
            "1",
            "2",
            10,
            Duration.ofSeconds(10),
            Duration.ofMinutes(5),
            200,
            0.05,
            ExperimentPlan.Method.SEQUENTIAL,
            OptionalDouble.empty(),
            50,
            0.01,
            SUPERIORITY);

    static Stream<Arguments> nonInferiority() {
        return Stream.of(
                // name, champion n/errors/slo, challenger n/errors/slo, final reading, verdict, decided, reason text
                Arguments.of(
                        "equal variants",
                        45000,
                        225,
                        450,
                        5000,
                        25,
                        50,
                        false,
                        Verdict.PROMOTE,
                        true,
                        "not worse than the champion by more than the margin on any metric"),
                Arguments.of(
                        "equal variants, no errors at all",
                        45000,
                        0,
                        0,
                        5000,
                        0,
                        0,
                        false,
                        Verdict.PROMOTE,
                        true,
                        "< margin +1.00 pp: not worse"),
                Arguments.of(
                        "slightly worse, within the margin",
                        45000,
                        225,
                        450,
                        5000,
                        35,
                        50,
                        false,
                        Verdict.PROMOTE,
                        true,
                        "error rate 0.70% (challenger) vs 0.50% (champion), difference +0.20"),
                Arguments.of(
                        "worse by twice the margin",
                        45000,
                        225,
                        450,
                        5000,
                        125,
                        50,
                        false,
                        Verdict.ROLLBACK,
                        true,
                        "worse than the champion by more than the margin on error rate"),
                Arguments.of(
                        "worse by the margin, at the end",
                        45000,
                        225,
                        450,
                        5000,
                        75,
                        50,
                        true,
                        Verdict.INCONCLUSIVE,
                        true,
                        "not shown within the margin on error rate within 300 s"),
                Arguments.of(
                        "worse by the margin, still running",
                        45000,
                        225,
                        450,
                        5000,
                        75,
                        50,
                        false,
                        Verdict.INCONCLUSIVE,
                        false,
                        "contains margin +1.00 pp: not yet shown within the margin"),
                Arguments.of(
                        "slower challenger",
                        45000,
                        225,
                        450,
                        5000,
                        25,
                        250,
                        false,
                        Verdict.ROLLBACK,
                        true,
                        "worse than the champion by more than the margin on SLO violations (> 50 ms)"),
                Arguments.of(
                        "equal but too few to show it, at the end",
                        9000,
                        45,
                        90,
                        1000,
                        5,
                        10,
                        true,
                        Verdict.INCONCLUSIVE,
                        true,
                        "not shown within the margin on error rate and SLO violations"),
                Arguments.of("no data", 0, 0, 0, 0, 0, 0, true, Verdict.INCONCLUSIVE, true, "too little data"),
                Arguments.of(
                        "no data, still running",
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                        false,
                        Verdict.INCONCLUSIVE,
                        false,
                        "[-100.00, +100.00] pp"),
                Arguments.of(
                        "too little data, even if clear",
                        150,
                        0,
                        0,
                        20,
                        0,
                        0,
                        true,
                        Verdict.INCONCLUSIVE,
                        true,
                        "too little data"),
                Arguments.of(
                        "sample ratio mismatch",
                        25000,
                        125,
                        250,
                        25000,
                        125,
                        250,
                        false,
                        Verdict.INCONCLUSIVE,
                        true,
                        "sample ratio mismatch"),
                Arguments.of(
                        "challenger down",
                        9000,
                        9,
                        9,
                        1000,
                        1000,
                        0,
                        false,
                        Verdict.ROLLBACK,
                        true,
                        "100.00% (challenger)"),
                Arguments.of(
                        "champion down",
                        45000,
                        45000,
                        0,
                        5000,
                        0,
                        0,
                        false,
                        Verdict.PROMOTE,
                        true,
                        "0.00% (challenger) vs 100.00% (champion)"));
    }

    static Stream<Arguments> superiority() {
        return Stream.of(
                Arguments.of(
                        "clear win",
                        9000,
                        450,
                        90,
                        1000,
                        0,
                        10,
                        false,
                        Verdict.PROMOTE,
                        true,
                        "better than the champion on error rate, worse on none"),
                Arguments.of(
                        "clear loss",
                        9000,
                        9,
                        90,
                        1000,
                        80,
                        10,
                        false,
                        Verdict.ROLLBACK,
                        true,
                        "worse than the champion on error rate"),
                Arguments.of(
                        "slower challenger",
                        9000,
                        9,
                        90,
                        1000,
                        1,
                        200,
                        false,
                        Verdict.ROLLBACK,
                        true,
                        "worse than the champion on SLO violations"),
                Arguments.of(
                        "worse within the margin is still worse",
                        450000,
                        2250,
                        4500,
                        50000,
                        400,
                        500,
                        false,
                        Verdict.ROLLBACK,
                        true,
                        "> 0: worse"),
                Arguments.of(
                        "A/A, still running",
                        9000,
                        90,
                        90,
                        1000,
                        10,
                        10,
                        false,
                        Verdict.INCONCLUSIVE,
                        false,
                        "contains 0: no difference shown"),
                Arguments.of(
                        "A/A at the end",
                        9000,
                        90,
                        90,
                        1000,
                        10,
                        10,
                        true,
                        Verdict.INCONCLUSIVE,
                        true,
                        "no significant difference within 300 s"),
                Arguments.of(
                        "equal variants, plenty of data, at the end",
                        45000,
                        225,
                        450,
                        5000,
                        25,
                        50,
                        true,
                        Verdict.INCONCLUSIVE,
                        true,
                        "no significant difference"),
                Arguments.of("no data", 0, 0, 0, 0, 0, 0, true, Verdict.INCONCLUSIVE, true, "too little data"),
                Arguments.of(
                        "too little data, even if clear",
                        150,
                        0,
                        0,
                        20,
                        20,
                        0,
                        true,
                        Verdict.INCONCLUSIVE,
                        true,
                        "too little data"),
                Arguments.of(
                        "sample ratio mismatch",
                        5000,
                        5,
                        5,
                        5000,
                        5,
                        5,
                        false,
                        Verdict.INCONCLUSIVE,
                        true,
                        "sample ratio mismatch"),
                Arguments.of(
                        "champion down",
                        9000,
                        9000,
                        0,
                        1000,
                        0,
                        0,
                        false,
                        Verdict.PROMOTE,
                        true,
                        "0.00% (challenger) vs 100.00% (champion)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nonInferiority")
    void nonInferiorityGate(
            String name,
            long n1,
            long e1,
            long s1,
            long n2,
            long e2,
            long s2,
            boolean last,
            Verdict verdict,
            boolean decided,
            String reason) {
        decides(PLAN, name, n1, e1, s1, n2, e2, s2, last, verdict, decided, reason);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("superiority")
    void superiorityGate(
            String name,
            long n1,
            long e1,
            long s1,
            long n2,
            long e2,
            long s2,
            boolean last,
            Verdict verdict,
            boolean decided,
            String reason) {
        decides(SUPERIORITY_PLAN, name, n1, e1, s1, n2, e2, s2, last, verdict, decided, reason);
    }

    private static void decides(
            ExperimentPlan plan,
            String name,
            long n1,
            long e1,
            long s1,
            long n2,
            long e2,
            long s2,
            boolean last,
            Verdict verdict,
            boolean decided,
            String reason) {
        Analysis.Decision decision = new Analysis(plan)
                .update(
                        new VariantStats("1", n1, e1, s1, 1, 2),
                        new VariantStats("2", n2, e2, s2, 1, 2),
                        Duration.ofSeconds(60),
                        last);
        String reasons = String.join("\n", decision.reasons());
        assertThat(decision.verdict()).as(name + ":\n" + reasons).isEqualTo(verdict);
        assertThat(decision.decided()).as(name + ":\n" + reasons).isEqualTo(decided);
        assertThat(reasons).as(name).contains(reason);
    }

    @Test
    void theReasonsNameEachMetricWithItsRatesIntervalMarginAndFinding() {
        Analysis.Decision decision = new Analysis(PLAN)
                .update(
                        new VariantStats("1", 45000, 54, 450, 1, 2),
                        new VariantStats("2", 5000, 5, 50, 1, 2),
                        Duration.ofSeconds(60),
                        false);
        assertThat(decision.verdict()).isEqualTo(Verdict.PROMOTE);
        assertThat(decision.reasons()).hasSize(4);
        assertThat(decision.reasons().get(1))
                .matches("error rate 0\\.10% \\(challenger\\) vs 0\\.12% \\(champion\\),"
                        + " difference -0\\.02 pp, 97\\.5% always-valid interval \\[-0\\.\\d\\d, \\+0\\.\\d\\d\\] pp"
                        + " < margin \\+1\\.00 pp: not worse");
        assertThat(decision.reasons().get(2))
                .startsWith("SLO violations (> 50 ms) 1.00% (challenger) vs 1.00%"
                        + " (champion), difference +0.00 pp, 97.5% always-valid interval [");
        assertThat(decision.reasons().get(3)).isEqualTo("45000 champion and 5000 challenger requests in 60 s");
        MetricComparison errors = decision.comparisons().get(0);
        assertThat(errors.finding()).isEqualTo(MetricComparison.Finding.NOT_WORSE);
        assertThat(errors.margin()).isEqualTo(0.01);
        assertThat(errors.interval().upper()).isBetween(0.0, 0.01);
        assertThat(errors.interval().contains(errors.difference())).isTrue();
    }

    @Test
    void marginsApplyPerMetric() {
        ExperimentPlan strictSlo = new ExperimentPlan(
                "iris",
                "1",
                "2",
                10,
                Duration.ofSeconds(10),
                Duration.ofMinutes(5),
                200,
                0.05,
                ExperimentPlan.Method.SEQUENTIAL,
                OptionalDouble.empty(),
                50,
                0.01,
                Gate.withMargins(Gate.Kind.NON_INFERIORITY, java.util.List.of("0.02", "slo-violations=0.001")));
        Analysis.Decision decision = new Analysis(strictSlo)
                .update(
                        new VariantStats("1", 45000, 225, 450, 1, 2),
                        new VariantStats("2", 5000, 50, 50, 1, 2),
                        Duration.ofSeconds(60),
                        true);
        // error rate +0.5 pp is shown within a 2 pp margin (not within 1 pp); equal SLO-violation rates cannot be
        // shown within 0.1 pp with 5000 requests
        assertThat(decision.comparisons().get(0).finding()).isEqualTo(MetricComparison.Finding.NOT_WORSE);
        assertThat(decision.comparisons().get(0).interval().upper()).isBetween(0.01, 0.02);
        assertThat(decision.comparisons().get(1).finding()).isEqualTo(MetricComparison.Finding.UNDECIDED);
        assertThat(decision.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(decision.reasons().get(0))
                .isEqualTo("not shown within the margin on SLO violations (> 50 ms)" + " within 300 s");
    }

    @Test
    void neverDecidesBeforeTheMinimumDuration() {
        for (ExperimentPlan plan : new ExperimentPlan[] {PLAN, SUPERIORITY_PLAN}) {
            Analysis analysis = new Analysis(plan);
            Analysis.Decision early = analysis.update(
                    new VariantStats("1", 9000, 9, 9, 1, 2),
                    new VariantStats("2", 1000, 1000, 0, 1, 2),
                    Duration.ofSeconds(5),
                    false);
            assertThat(early.decided()).isFalse();
            assertThat(early.errorRatePValue()).isLessThan(1e-6);
            assertThat(early.comparisons().get(0).finding()).isEqualTo(MetricComparison.Finding.WORSE);
        }
    }

    @Test
    void neverPromotesOnTooLittleDataHoweverGoodItLooks() {
        for (ExperimentPlan plan : new ExperimentPlan[] {PLAN, SUPERIORITY_PLAN}) {
            Analysis analysis = new Analysis(plan);
            for (int second = 1; second <= 300; second++) {
                // the champion fails every request; the challenger has fewer than minSamples (200)
                Analysis.Decision decision = analysis.update(
                        new VariantStats("1", 10_000, 10_000, 0, 1, 2),
                        new VariantStats("2", 199, 0, 0, 1, 2),
                        Duration.ofSeconds(second),
                        second == 300);
                assertThat(decision.verdict()).isNotEqualTo(Verdict.PROMOTE);
            }
        }
    }

    @Test
    void theFixedHorizonIntervalIsReadOnceAtThePlannedSize() {
        ExperimentPlan plan = new ExperimentPlan(
                "iris",
                "1",
                "2",
                50,
                Duration.ZERO,
                Duration.ofMinutes(5),
                0,
                0.05,
                ExperimentPlan.Method.FIXED_HORIZON,
                OptionalDouble.empty(),
                50,
                0.01);
        Analysis analysis = new Analysis(plan);
        long size = analysis.fixedHorizonSamples();
        Analysis.Decision before = analysis.update(
                new VariantStats("1", size - 1, 0, 0, 1, 2),
                new VariantStats("2", size - 1, 0, 0, 1, 2),
                Duration.ofSeconds(30),
                false);
        assertThat(before.decided()).isFalse();
        assertThat(before.comparisons().get(0).read()).isFalse();
        assertThat(before.reasons().get(0))
                .contains("97.5% fixed-horizon interval: not read before " + size + " requests per variant");
        Analysis.Decision at = analysis.update(
                new VariantStats("1", size, size / 200, size / 100, 1, 2),
                new VariantStats("2", size, size / 200, size / 100, 1, 2),
                Duration.ofSeconds(31),
                false);
        assertThat(at.verdict()).isEqualTo(Verdict.PROMOTE);
        assertThat(at.reasons().get(1)).contains("97.5% fixed-horizon interval [");
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
    void sampleRatioMismatchIsAnAlwaysValidTest() {
        // 1100 vs 900 of an expected 1000/1000: the mixture likelihood ratio at tau = 0.03, V = 0.25/2000
        double v = 0.25 / 2000;
        double t = SampleRatioCheck.TAU * SampleRatioCheck.TAU;
        double expected = 1 / (Math.sqrt(v / (v + t)) * Math.exp(0.05 * 0.05 * t / (2 * v * (v + t))));
        assertThat(SampleRatioCheck.pValue(900, 1100, 0.5))
                .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-9))
                .isLessThan(0.001);
        assertThat(SampleRatioCheck.pValue(9000, 1000, 0.1)).isEqualTo(1.0);
        // once shown, it stays shown: the p-value is the running minimum
        SampleRatioCheck check = new SampleRatioCheck(0.5);
        assertThat(check.update(900, 1100)).isLessThan(0.001);
        assertThat(check.update(50900, 51100)).isLessThan(0.001);
    }

    /**
     * Read every second, the check keeps its level: 2,000 honest 30/70 splits of 200 requests a second, each read
     * 90 times, raise an alarm in at most 0.1% of them (a chi-square read 90 times would in about 5%).
     */
    @Test
    void anHonestSplitReadEverySecondRarelyRaisesASampleRatioAlarm() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        int alarms = 0;
        for (int run = 0; run < 2000; run++) {
            SampleRatioCheck check = new SampleRatioCheck(0.3);
            long challenger = 0;
            long total = 0;
            for (int second = 0; second < 90; second++) {
                for (int i = 0; i < 200; i++) {
                    total++;
                    if (random.nextDouble() < 0.3) {
                        challenger++;
                    }
                }
                if (check.update(total - challenger, challenger) < SampleRatioCheck.THRESHOLD) {
                    alarms++;
                    break;
                }
            }
        }
        assertThat(alarms).isLessThanOrEqualTo(2);
    }

    /**
     * The non-inferiority gate by simulation, at 250 + 250 requests per second for up to 2 minutes, base rates 1%
     * errors and 1% SLO violations: equal variants promoted, a challenger worse by twice the margin rolled back, each
     * in at least 95% of 200 experiments; a challenger worse by exactly the margin (the closest a wrong promotion can
     * be) promoted in at most alpha of 400.
     */
    @Test
    void nonInferiorityGateBySimulation() {
        Scenario scenario = new Scenario(
                250,
                250,
                Duration.ofSeconds(10),
                Duration.ofMinutes(2),
                500,
                0.01,
                0.01,
                0.01,
                0.05,
                ExperimentPlan.Method.SEQUENTIAL,
                Gate.DEFAULT);
        Summary equal = ExperimentSimulator.run(scenario, 0, 0, 200, 21);
        Summary worse = ExperimentSimulator.run(scenario, 0.02, 0, 200, 22);
        Summary atMargin = ExperimentSimulator.run(scenario, 0.01, 0, 400, 23);
        Summary sloAtMargin = ExperimentSimulator.run(scenario, 0, 0.01, 400, 24);
        System.out.printf(
                "non-inferiority: equal promoted %.1f%% (%.0f s), 2x margin rolled back %.1f%% (%.0f s),"
                        + " at the margin promoted %.2f%% (errors) %.2f%% (SLO)%n",
                equal.promotedRate() * 100,
                equal.meanSeconds(),
                worse.rolledBackRate() * 100,
                worse.meanSeconds(),
                atMargin.promotedRate() * 100,
                sloAtMargin.promotedRate() * 100);
        assertThat(equal.promotedRate()).isGreaterThanOrEqualTo(0.95);
        assertThat(equal.rolledBack()).isZero();
        assertThat(worse.rolledBackRate()).isGreaterThanOrEqualTo(0.95);
        assertThat(worse.promoted()).isZero();
        assertThat(atMargin.promotedRate()).isLessThanOrEqualTo(0.05);
        assertThat(sloAtMargin.promotedRate()).isLessThanOrEqualTo(0.05);
    }

    /**
     * A faster version of bench/abtest.sh for the superiority gate: over 600 simulated A/A experiments (each up to
     * three fixed-horizon sizes, read every simulated second) the false decision rate stays at most alpha; at twice
     * the minimum detectable effect the sequential test needs at most 0.6 times the fixed-horizon sample size on
     * average.
     */
    @Test
    void superiorityGateFalseDecisionRateAndSampleSize() {
        Scenario scenario =
                Scenario.balanced(100, 0.05, 0.05, 0.01, 0.05, ExperimentPlan.Method.SEQUENTIAL, SUPERIORITY, 3);
        Summary aa = ExperimentSimulator.run(scenario, 0, 0, 600, 11);
        Summary effect = ExperimentSimulator.run(scenario, 0.02, 0, 200, 12);
        System.out.printf(
                "superiority: A/A false decisions %.2f%% of %d; at 2x MDE %.0f samples vs %d fixed" + " = %.2fx%n",
                aa.decisionRate() * 100,
                aa.experiments(),
                effect.meanChallengerSamples(),
                effect.fixedHorizonSamplesPerVariant(),
                effect.sampleRatio());
        assertThat(aa.decisionRate()).isLessThanOrEqualTo(0.05);
        assertThat(effect.promoted()).isLessThanOrEqualTo((int) (effect.experiments() * 0.05)); // wrong sign
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
