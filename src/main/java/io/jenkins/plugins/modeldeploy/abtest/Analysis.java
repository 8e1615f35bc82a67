package io.jenkins.plugins.modeldeploy.abtest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;

/**
 * Turns the counts of one experiment, read as often as wanted, into a decision under the plan's
 * {@link ExperimentPlan.Gate gate}. Two metrics are gated, the error rate and the SLO-violation rate. For each, a
 * confidence interval for the difference challenger rate minus champion rate is kept: an always-valid confidence
 * sequence ({@link MixtureConfidenceSequence}) for the sequential method, a fixed-horizon interval
 * ({@link FixedHorizonInterval}) otherwise, each at level {@code 1 - alpha/2} (Bonferroni over the two metrics), so
 * that both intervals hold together with probability at least {@code 1 - alpha}.
 *
 * <p>Non-inferiority (the default gate): PROMOTE once the upper bound is below the metric's margin on every metric;
 * ROLLBACK once the lower bound is above the margin on any metric (worse by more than the margin). A false PROMOTE
 * needs the interval of a metric on which the challenger is worse by the margin or more to miss the true difference,
 * chance at most alpha/2; a false ROLLBACK needs some interval to miss a difference within the margin, chance at most
 * alpha.
 *
 * <p>Superiority (the gate before issue 12): PROMOTE once the upper bound is below 0 on at least one metric (better)
 * and the lower bound is above 0 on none; ROLLBACK once the lower bound is above 0 on any metric (worse at all). The
 * margins play no part. Equal variants stay INCONCLUSIVE; an A/A experiment decides falsely with chance at most
 * alpha. With the sequential method these are exactly the decisions of the always-valid p-values of
 * {@link MixtureSequentialTest} at alpha/2, of which the intervals are the duals.
 *
 * <p>Under either gate: no decision before the plan's minimum duration and minimum samples per variant (no data, or
 * too little, is never a pass); a sample-ratio mismatch stops the experiment as INCONCLUSIVE; still undecided at the
 * maximum duration is INCONCLUSIVE.
 */
public final class Analysis {
    /** Base rate assumed when sizing the fixed-horizon test (the variance of a rate peaks at 1/2; 5% is typical). */
    static final double FIXED_HORIZON_BASE_RATE = 0.05;

    static final double FIXED_HORIZON_POWER = 0.8;

    private final ExperimentPlan plan;
    private final SampleRatioCheck sampleRatio;
    private final double perMetricAlpha;
    private final long fixedHorizonSamples;
    private final List<Metric> metrics;
    private final boolean explainUndecided;

    /** One reading: the verdict if decided, the evidence either way. */
    public record Decision(
            boolean decided,
            Verdict verdict,
            List<String> reasons,
            double errorRatePValue,
            double sloPValue,
            double srmPValue,
            List<MetricComparison> comparisons) {
        public Decision {
            reasons = List.copyOf(reasons);
            comparisons = List.copyOf(comparisons);
        }
    }

    /** A gated metric: its name, how to count its events, its margin, its p-value test and its interval. */
    private record Metric(
            String name,
            ToLongFunction<VariantStats> events,
            double margin,
            ProportionTest test,
            DifferenceBounds bounds) {}

    public Analysis(ExperimentPlan plan) {
        this(plan, true);
    }

    /**
     * @param explainUndecided false leaves the reasons of undecided readings empty (the simulator reads millions and
     *                         looks only at decisions)
     */
    Analysis(ExperimentPlan plan, boolean explainUndecided) {
        this.plan = plan;
        this.sampleRatio = new SampleRatioCheck(plan.challengerShare());
        this.explainUndecided = explainUndecided;
        int gated = 2;
        this.perMetricAlpha = plan.alpha() / gated;
        this.fixedHorizonSamples = FixedHorizonTest.sampleSize(
                FIXED_HORIZON_BASE_RATE, plan.minimumDetectableEffect(), perMetricAlpha, FIXED_HORIZON_POWER);
        ExperimentPlan.Gate gate = plan.gate();
        this.metrics = List.of(
                metric("error rate", VariantStats::errors, gate.errorRateMargin()),
                metric(
                        "SLO violations (> " + trim(plan.sloP99Ms()) + " ms)",
                        VariantStats::sloViolations,
                        gate.sloViolationMargin()));
    }

    private Metric metric(String name, ToLongFunction<VariantStats> events, double margin) {
        if (plan.method() == ExperimentPlan.Method.SEQUENTIAL) {
            return new Metric(
                    name,
                    events,
                    margin,
                    new MixtureSequentialTest(plan.minimumDetectableEffect()),
                    new MixtureConfidenceSequence(plan.minimumDetectableEffect(), perMetricAlpha));
        }
        return new Metric(
                name,
                events,
                margin,
                new FixedHorizonTest(fixedHorizonSamples),
                new FixedHorizonInterval(fixedHorizonSamples, perMetricAlpha));
    }

    /** Samples per variant the fixed-horizon test waits for. */
    public long fixedHorizonSamples() {
        return fixedHorizonSamples;
    }

    /** The significance level of each metric's interval (alpha over the number of gated metrics). */
    public double perMetricAlpha() {
        return perMetricAlpha;
    }

    /**
     * Reads the counts since the experiment started.
     *
     * @param finalReading true at the experiment's maximum duration: undecided becomes INCONCLUSIVE
     */
    public Decision update(VariantStats champion, VariantStats challenger, Duration elapsed, boolean finalReading) {
        ExperimentPlan.Gate.Kind kind = plan.gate().kind();
        List<MetricComparison> comparisons = new ArrayList<>();
        double[] pValues = new double[metrics.size()];
        for (int i = 0; i < metrics.size(); i++) {
            Metric metric = metrics.get(i);
            long championEvents = metric.events().applyAsLong(champion);
            long challengerEvents = metric.events().applyAsLong(challenger);
            pValues[i] =
                    metric.test().update(champion.requests(), championEvents, challenger.requests(), challengerEvents);
            DifferenceInterval interval = metric.bounds()
                    .update(champion.requests(), championEvents, challenger.requests(), challengerEvents);
            long waiting = metric.bounds() instanceof FixedHorizonInterval fixed && !fixed.read()
                    ? fixed.samplesPerVariant()
                    : 0;
            comparisons.add(new MetricComparison(
                    metric.name(),
                    rate(championEvents, champion.requests()),
                    rate(challengerEvents, challenger.requests()),
                    interval,
                    metric.bounds().confidence(),
                    metric.bounds().alwaysValid(),
                    waiting,
                    metric.margin(),
                    kind,
                    MetricComparison.judge(kind, interval, metric.margin())));
        }
        double errorP = pValues[0];
        double sloP = pValues[1];
        double srmP = sampleRatio.update(champion.requests(), challenger.requests());
        List<String> reasons = new ArrayList<>();
        String counts = champion.requests() + " champion and " + challenger.requests() + " challenger requests in "
                + elapsed.toSeconds() + " s";

        if (srmP < SampleRatioCheck.THRESHOLD) {
            reasons.add(String.format(
                    Locale.ROOT,
                    "invalid experiment: sample ratio mismatch, %s for a configured"
                            + " %d%% challenger share (always-valid p = %.2g < %s)",
                    counts,
                    plan.challengerWeight(),
                    srmP,
                    SampleRatioCheck.THRESHOLD));
            return new Decision(true, Verdict.INCONCLUSIVE, reasons, errorP, sloP, srmP, comparisons);
        }
        boolean enoughData = champion.requests() >= plan.minSamples()
                && challenger.requests() >= plan.minSamples()
                && champion.requests() > 0
                && challenger.requests() > 0;
        boolean longEnough = elapsed.compareTo(plan.minDuration()) >= 0;
        List<String> worse = names(comparisons, MetricComparison.Finding.WORSE);
        List<String> better = names(comparisons, MetricComparison.Finding.BETTER);
        boolean promote = kind == ExperimentPlan.Gate.Kind.NON_INFERIORITY
                ? names(comparisons, MetricComparison.Finding.NOT_WORSE).size() == comparisons.size()
                : !better.isEmpty();

        Verdict verdict = null;
        if (enoughData && longEnough) {
            if (!worse.isEmpty()) {
                verdict = Verdict.ROLLBACK;
                reasons.add(
                        kind == ExperimentPlan.Gate.Kind.NON_INFERIORITY
                                ? "worse than the champion by more than the margin on " + String.join(" and ", worse)
                                : "worse than the champion on " + String.join(" and ", worse));
            } else if (promote) {
                verdict = Verdict.PROMOTE;
                reasons.add(
                        kind == ExperimentPlan.Gate.Kind.NON_INFERIORITY
                                ? "not worse than the champion by more than the margin on any metric"
                                : "better than the champion on " + String.join(" and ", better) + ", worse on none");
            }
        }
        if (verdict == null && finalReading) {
            verdict = Verdict.INCONCLUSIVE;
            if (!enoughData) {
                reasons.add("too little data: " + counts + ", at least " + plan.minSamples() + " per variant needed");
                return new Decision(true, verdict, reasons, errorP, sloP, srmP, comparisons);
            }
            reasons.add(
                    kind == ExperimentPlan.Gate.Kind.NON_INFERIORITY
                            ? "not shown within the margin on "
                                    + String.join(" and ", names(comparisons, MetricComparison.Finding.UNDECIDED))
                                    + " within "
                                    + plan.maxDuration().toSeconds() + " s"
                            : "no significant difference within "
                                    + plan.maxDuration().toSeconds() + " s");
        }
        if (verdict != null || explainUndecided) {
            comparisons.forEach(c -> reasons.add(c.describe()));
            reasons.add(counts);
        }
        return new Decision(
                verdict != null,
                verdict == null ? Verdict.INCONCLUSIVE : verdict,
                reasons,
                errorP,
                sloP,
                srmP,
                comparisons);
    }

    private static List<String> names(List<MetricComparison> comparisons, MetricComparison.Finding finding) {
        List<String> names = new ArrayList<>(comparisons.size());
        for (MetricComparison comparison : comparisons) {
            if (comparison.finding() == finding) {
                names.add(comparison.metric());
            }
        }
        return names;
    }

    private static double rate(long events, long requests) {
        return requests == 0 ? 0 : (double) events / requests;
    }

    private static String trim(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
