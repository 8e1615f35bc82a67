package io.jenkins.plugins.modeldeploy.abtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan.Gate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** Quality metrics in the gate: alpha split, direction, units, undecided without data; the sample-ratio check. */
class QualityAnalysisTest {
    private static final GatedMetric ACCURACY =
            GatedMetric.builtIn(GatedMetric.ACCURACY, OptionalDouble.of(0.01), Gate.Kind.NON_INFERIORITY);
    private static final GatedMetric MAE =
            GatedMetric.builtIn(GatedMetric.MAE, OptionalDouble.of(0.05), Gate.Kind.NON_INFERIORITY);
    private static final GatedMetric REWARD_SUPERIOR =
            GatedMetric.builtIn(GatedMetric.REWARD, OptionalDouble.of(0.1), Gate.Kind.SUPERIORITY);

    private static ExperimentPlan plan(
            List<GatedMetric> quality,
            ExperimentPlan.Mode mode,
            Optional<String> sticky,
            ExperimentPlan.Method method) {
        return new ExperimentPlan(
                "iris",
                "1",
                "2",
                10,
                Duration.ofSeconds(10),
                Duration.ofMinutes(5),
                200,
                0.05,
                method,
                OptionalDouble.empty(),
                50,
                0.01,
                Gate.DEFAULT,
                quality,
                mode,
                sticky);
    }

    private static ExperimentPlan plan(GatedMetric... quality) {
        return plan(List.of(quality), ExperimentPlan.Mode.AB, Optional.empty(), ExperimentPlan.Method.SEQUENTIAL);
    }

    /** Operational numbers of two equal healthy variants at a 90:10 split: not worse on both by a wide margin. */
    private static VariantStats champion(Map<String, Moments> quality) {
        return new VariantStats("1", 45000, 0, 0, 10, 20, quality, -1);
    }

    private static VariantStats challenger(Map<String, Moments> quality) {
        return new VariantStats("2", 5000, 0, 0, 10, 20, quality, -1);
    }

    /** {@code n} 0/1 observations of which {@code correct} are 1. */
    private static Moments proportion(long n, long correct) {
        return new Moments(n, correct, correct);
    }

    /** {@code n} observations with the given mean and standard deviation (biased, as Moments keeps them). */
    private static Moments mean(long n, double mean, double sd) {
        return new Moments(n, n * mean, n * (sd * sd + mean * mean));
    }

    @Test
    void alphaIsSplitOverAllGatedMetrics() {
        assertThat(new Analysis(plan()).perMetricAlpha()).isEqualTo(0.025);
        assertThat(new Analysis(plan(ACCURACY, MAE)).perMetricAlpha()).isEqualTo(0.0125);
        Analysis.Decision decision = new Analysis(plan(ACCURACY, MAE, REWARD_SUPERIOR))
                .update(champion(Map.of()), challenger(Map.of()), Duration.ofSeconds(20), false);
        assertThat(decision.comparisons())
                .extracting(MetricComparison::confidence)
                .containsOnly(1 - 0.05 / 5);
        assertThat(decision.comparisons())
                .extracting(MetricComparison::metric)
                .containsExactly("error rate", "SLO violations (> 50 ms)", "accuracy", "mae", "reward");
    }

    @Test
    void aLessAccurateChallengerIsRolledBackAndTheLineReadsThatWay() {
        Analysis.Decision decision = new Analysis(plan(ACCURACY))
                .update(
                        champion(Map.of("accuracy", proportion(10000, 9530))),
                        challenger(Map.of("accuracy", proportion(10000, 9100))),
                        Duration.ofSeconds(30),
                        false);
        assertThat(decision.decided()).isTrue();
        assertThat(decision.verdict()).isEqualTo(Verdict.ROLLBACK);
        assertThat(decision.reasons()).first().isEqualTo("worse than the champion by more than the margin on accuracy");
        MetricComparison accuracy = decision.comparisons().get(2);
        assertThat(accuracy.championRate()).isEqualTo(0.953);
        assertThat(accuracy.challengerRate()).isEqualTo(0.91);
        assertThat(accuracy.interval().upper()).isLessThan(-0.01);
        assertThat(accuracy.finding()).isEqualTo(MetricComparison.Finding.WORSE);
        assertThat(accuracy.describe())
                .startsWith("accuracy 91.00% (challenger) vs 95.30% (champion), difference -4.30 pp, 98.33%"
                        + " always-valid interval [")
                .endsWith("] pp < margin -1.00 pp: worse by more than the margin");
        assertThat(decision.errorRatePValue()).isEqualTo(1.0);
        assertThat(decision.srmPValue()).isEqualTo(1.0);
    }

    @Test
    void aMoreAccurateChallengerIsPromoted() {
        Analysis.Decision decision = new Analysis(plan(ACCURACY))
                .update(
                        champion(Map.of("accuracy", proportion(10000, 9100))),
                        challenger(Map.of("accuracy", proportion(10000, 9530))),
                        Duration.ofSeconds(30),
                        false);
        assertThat(decision.verdict()).isEqualTo(Verdict.PROMOTE);
        assertThat(decision.decided()).isTrue();
        assertThat(decision.comparisons().get(2).describe()).endsWith("> margin -1.00 pp: not worse");
    }

    @Test
    void aQualityMetricWithoutObservationsIsNeverAPass() {
        Analysis analysis = new Analysis(plan(ACCURACY));
        Analysis.Decision early =
                analysis.update(champion(Map.of()), challenger(Map.of()), Duration.ofSeconds(60), false);
        assertThat(early.decided()).isFalse();
        assertThat(early.comparisons().get(0).finding()).isEqualTo(MetricComparison.Finding.NOT_WORSE);
        assertThat(early.comparisons().get(2).finding()).isEqualTo(MetricComparison.Finding.UNDECIDED);
        assertThat(early.comparisons().get(2).describe()).contains("(no observations yet)");
        Analysis.Decision onlyChampion = analysis.update(
                champion(Map.of("accuracy", proportion(5000, 4800))),
                challenger(Map.of()),
                Duration.ofSeconds(120),
                true);
        assertThat(onlyChampion.decided()).isTrue();
        assertThat(onlyChampion.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(onlyChampion.reasons()).first().isEqualTo("not shown within the margin on accuracy within 300 s");
        assertThat(onlyChampion.reasons()).anySatisfy(r -> assertThat(r).contains("(no challenger observations yet)"));
    }

    @Test
    void aMeanMetricIsShownInItsUnitsAndLowerIsBetter() {
        Analysis.Decision worse = new Analysis(plan(MAE))
                .update(
                        champion(Map.of("mae", mean(4000, 0.40, 0.3))),
                        challenger(Map.of("mae", mean(4000, 0.55, 0.3))),
                        Duration.ofSeconds(30),
                        false);
        assertThat(worse.verdict()).isEqualTo(Verdict.ROLLBACK);
        MetricComparison mae = worse.comparisons().get(2);
        assertThat(mae.kind()).isEqualTo(GatedMetric.Kind.MEAN);
        assertThat(mae.championRate()).isEqualTo(0.40, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(mae.describe())
                .startsWith("mae 0.5500 (challenger) vs 0.4000 (champion), difference +0.1500, 98.33% always-valid"
                        + " interval [+0.1")
                .endsWith("> margin +0.05000: worse by more than the margin");

        Analysis.Decision same = new Analysis(plan(MAE))
                .update(
                        champion(Map.of("mae", mean(4000, 0.40, 0.3))),
                        challenger(Map.of("mae", mean(4000, 0.40, 0.3))),
                        Duration.ofSeconds(30),
                        false);
        assertThat(same.verdict()).isEqualTo(Verdict.PROMOTE);
        assertThat(same.comparisons().get(2).describe()).endsWith("< margin +0.05000: not worse");
    }

    @Test
    void rmseIsGatedAsTheMeanSquaredErrorAndShownWithItsRoot() {
        GatedMetric rmse = GatedMetric.builtIn(GatedMetric.RMSE, OptionalDouble.of(0.02), Gate.Kind.NON_INFERIORITY);
        Analysis.Decision decision = new Analysis(plan(rmse))
                .update(
                        champion(Map.of("rmse", mean(4000, 0.16, 0.2))),
                        challenger(Map.of("rmse", mean(4000, 0.25, 0.2))),
                        Duration.ofSeconds(30),
                        false);
        assertThat(decision.verdict()).isEqualTo(Verdict.ROLLBACK);
        assertThat(decision.comparisons().get(2).describe())
                .startsWith("rmse 0.5000 (challenger) vs 0.4000 (champion), gated as the mean squared error 0.2500 vs"
                        + " 0.1600, difference +0.09000, 98.33% always-valid interval [+0.0");
    }

    @Test
    void aMeanWithoutSpreadOrWithTooFewObservationsStaysUndecided() {
        Analysis.Decision constant = new Analysis(plan(MAE))
                .update(
                        champion(Map.of("mae", mean(4000, 0.40, 0))),
                        challenger(Map.of("mae", mean(4000, 0.90, 0))),
                        Duration.ofSeconds(30),
                        false);
        assertThat(constant.decided()).isFalse();
        assertThat(constant.comparisons().get(2).interval()).isEqualTo(DifferenceInterval.EVERYTHING);
        assertThat(constant.comparisons().get(2).describe()).contains("[-inf, +inf] contains margin");
        assertThat(constant.comparisons().get(2).bounded()).isFalse();
        assertThat(constant.comparisons().get(0).bounded()).isTrue();
        assertThat(new ExperimentProgress(
                                Duration.ofSeconds(30),
                                Duration.ofMinutes(5),
                                champion(Map.of()),
                                challenger(Map.of()),
                                constant.comparisons(),
                                false,
                                Verdict.INCONCLUSIVE)
                        .describe())
                .endsWith("; mae [-inf, +inf] undecided");
        Analysis.Decision few = new Analysis(plan(MAE))
                .update(
                        champion(Map.of("mae", mean(29, 0.40, 0.3))),
                        challenger(Map.of("mae", mean(29, 2.0, 0.3))),
                        Duration.ofSeconds(30),
                        false);
        assertThat(few.decided()).isFalse();
    }

    @Test
    void aSuperiorityMetricMustBeShownBetterAndHigherIsBetter() {
        Analysis.Decision better = new Analysis(plan(REWARD_SUPERIOR))
                .update(
                        champion(Map.of("reward", mean(3000, 1.0, 1))),
                        challenger(Map.of("reward", mean(3000, 1.3, 1))),
                        Duration.ofSeconds(30),
                        false);
        assertThat(better.verdict()).isEqualTo(Verdict.PROMOTE);
        assertThat(better.reasons())
                .first()
                .isEqualTo("better than the champion on reward, not worse by more than the margin on error rate and"
                        + " SLO violations (> 50 ms), worse on none");
        assertThat(better.comparisons().get(2).describe()).endsWith("> 0: better");

        Analysis.Decision equal = new Analysis(plan(REWARD_SUPERIOR))
                .update(
                        champion(Map.of("reward", mean(3000, 1.0, 1))),
                        challenger(Map.of("reward", mean(3000, 1.0, 1))),
                        Duration.ofSeconds(30),
                        false);
        assertThat(equal.decided()).isFalse(); // not worse is not enough under the superiority gate

        Analysis.Decision lower = new Analysis(plan(REWARD_SUPERIOR))
                .update(
                        champion(Map.of("reward", mean(3000, 1.3, 1))),
                        challenger(Map.of("reward", mean(3000, 1.0, 1))),
                        Duration.ofSeconds(30),
                        false);
        assertThat(lower.verdict()).isEqualTo(Verdict.ROLLBACK);
        assertThat(lower.reasons()).first().isEqualTo("worse than the champion on reward");
        assertThat(lower.comparisons().get(2).describe()).endsWith("< 0: worse");
    }

    @Test
    void theFixedHorizonMeanIntervalIsPlannedFromThePilotAndReadOnce() {
        Analysis analysis = new Analysis(
                plan(List.of(MAE), ExperimentPlan.Mode.AB, Optional.empty(), ExperimentPlan.Method.FIXED_HORIZON));
        Analysis.Decision pilot = analysis.update(
                champion(Map.of("mae", mean(40, 0.40, 0.3))),
                challenger(Map.of("mae", mean(40, 0.40, 0.3))),
                Duration.ofSeconds(30),
                false);
        MetricComparison waiting = pilot.comparisons().get(2);
        assertThat(waiting.alwaysValid()).isFalse();
        // 2 (z(1 - 0.0125/2) + z(0.8))^2 0.3^2 / 0.05^2 with the sample variance of the 80 pilot observations
        long planned = FixedHorizonMeanInterval.sampleSize(0.3 * Math.sqrt(40 / 39.0), 0.05, 0.05 / 3, 0.8);
        assertThat(waiting.samplesNeeded()).isEqualTo(planned);
        assertThat(waiting.describe()).endsWith("not read before " + planned + " observations per variant");
        Analysis.Decision read = analysis.update(
                champion(Map.of("mae", mean(planned, 0.40, 0.3))),
                challenger(Map.of("mae", mean(planned, 0.40, 0.3))),
                Duration.ofSeconds(60),
                false);
        DifferenceInterval interval = read.comparisons().get(2).interval();
        assertThat(interval.upper()).isLessThan(0.05);
        Analysis.Decision later = analysis.update(
                champion(Map.of("mae", mean(planned * 2, 0.40, 0.3))),
                challenger(Map.of("mae", mean(planned * 2, 0.90, 0.3))),
                Duration.ofSeconds(90),
                false);
        assertThat(later.comparisons().get(2).interval()).isEqualTo(interval); // read once, kept
    }

    @Test
    void aFixedHorizonProportionIsReadOnceAtItsPlannedObservations() {
        Analysis analysis = new Analysis(
                plan(List.of(ACCURACY), ExperimentPlan.Mode.AB, Optional.empty(), ExperimentPlan.Method.FIXED_HORIZON));
        // sized for the margin (one point) at alpha / 3 and 80% power
        long planned = FixedHorizonTest.sampleSize(Analysis.FIXED_HORIZON_BASE_RATE, 0.01, 0.05 / 3, 0.8);
        Analysis.Decision before = analysis.update(
                champion(Map.of("accuracy", proportion(planned - 1, planned - 1))),
                challenger(Map.of("accuracy", proportion(planned, 0))),
                Duration.ofSeconds(30),
                false);
        assertThat(before.comparisons().get(2).read()).isFalse();
        assertThat(before.comparisons().get(2).describe())
                .endsWith("fixed-horizon interval: not read before " + planned + " observations per variant");
        assertThat(before.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        Analysis.Decision read = analysis.update(
                champion(Map.of("accuracy", proportion(planned, planned * 95 / 100))),
                challenger(Map.of("accuracy", proportion(planned, planned * 90 / 100))),
                Duration.ofSeconds(60),
                false);
        assertThat(read.comparisons().get(2).finding()).isEqualTo(MetricComparison.Finding.WORSE);
        assertThat(read.verdict()).isEqualTo(Verdict.ROLLBACK);
    }

    @Test
    void inShadowModeTheChallengerShareIsTheCopiedShareOfAll() {
        VariantStats production = new VariantStats("1", 100_000, 0, 0, 10, 20);
        VariantStats copies = new VariantStats("2", 10_000, 0, 0, 10, 20);
        Analysis.Decision shadow = new Analysis(
                        plan(List.of(), ExperimentPlan.Mode.SHADOW, Optional.empty(), ExperimentPlan.Method.SEQUENTIAL))
                .update(production, copies, Duration.ofSeconds(30), false);
        assertThat(shadow.srmPValue()).isGreaterThan(0.5);
        assertThat(shadow.verdict()).isEqualTo(Verdict.PROMOTE);
        Analysis.Decision split = new Analysis(plan()).update(production, copies, Duration.ofSeconds(30), false);
        assertThat(split.srmPValue()).isLessThan(SampleRatioCheck.THRESHOLD);
        assertThat(split.reasons()).first().asString().contains("for a configured 10% challenger share");
        VariantStats tooFew = new VariantStats("2", 8_000, 0, 0, 10, 20);
        Analysis.Decision broken = new Analysis(
                        plan(List.of(), ExperimentPlan.Mode.SHADOW, Optional.empty(), ExperimentPlan.Method.SEQUENTIAL))
                .update(production, tooFew, Duration.ofSeconds(30), false);
        assertThat(broken.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(broken.reasons())
                .first()
                .asString()
                .startsWith("invalid experiment: sample ratio mismatch, 100000 champion and 8000 challenger requests"
                        + " in 30 s for a 10% shadow copy (challenger share 9.1%)");
    }

    @Test
    void withAStickyHeaderTheCheckCountsAssignmentUnitsOrIsSkipped() {
        ExperimentPlan sticky =
                plan(List.of(), ExperimentPlan.Mode.AB, Optional.of("X-User-Id"), ExperimentPlan.Method.SEQUENTIAL);
        // a few heavy users on the challenger: requests far off the split, units on it
        VariantStats champion = new VariantStats("1", 45_000, 0, 0, 10, 20, Map.of(), 900);
        VariantStats challenger = new VariantStats("2", 12_000, 0, 0, 10, 20, Map.of(), 100);
        Analysis.Decision units = new Analysis(sticky).update(champion, challenger, Duration.ofSeconds(30), false);
        assertThat(units.srmPValue()).isGreaterThan(0.5);
        assertThat(units.verdict()).isEqualTo(Verdict.PROMOTE);
        assertThat(new Analysis(plan())
                        .update(champion, challenger, Duration.ofSeconds(30), false)
                        .verdict())
                .isEqualTo(Verdict.INCONCLUSIVE); // the same requests without stickiness: a mismatch

        VariantStats skewedUnits = new VariantStats("2", 5_000, 0, 0, 10, 20, Map.of(), 3000);
        Analysis.Decision mismatch = new Analysis(sticky).update(champion, skewedUnits, Duration.ofSeconds(30), false);
        assertThat(mismatch.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(mismatch.reasons())
                .first()
                .asString()
                .startsWith("invalid experiment: sample ratio mismatch, 900 champion and 3000 challenger assignment"
                        + " units (X-User-Id) in 30 s");

        VariantStats uncounted = new VariantStats("1", 45_000, 0, 0, 10, 20);
        Analysis.Decision skipped = new Analysis(sticky)
                .update(uncounted, new VariantStats("2", 12_000, 0, 0, 10, 20), Duration.ofSeconds(30), false);
        assertThat(skipped.srmPValue()).isEqualTo(1.0);
        assertThat(skipped.verdict()).isEqualTo(Verdict.PROMOTE);
        assertThat(skipped.reasons())
                .contains("sample-ratio check skipped: with the sticky header X-User-Id one client's requests all go"
                        + " to one variant, so request counts are not independent, and the metrics source does not"
                        + " count distinct assignment units");
    }
}
