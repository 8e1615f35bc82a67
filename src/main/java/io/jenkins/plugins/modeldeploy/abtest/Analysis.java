package io.jenkins.plugins.modeldeploy.abtest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.function.ToLongFunction;

/**
 * Turns the counts of one experiment, read as often as wanted, into a decision under the plan's
 * {@link ExperimentPlan.Gate gate}. Gated are the error rate and the SLO-violation rate (lower is better, under the
 * plan's gate and margins) and the plan's {@link ExperimentPlan#qualityMetrics() quality metrics} (each with its own
 * direction, gate and margin, observed as {@link VariantStats#quality(String)}). For each of the {@code 2 + k} metrics
 * a confidence interval for the difference challenger minus champion is kept at level {@code 1 - alpha/(2 + k)}
 * (Bonferroni), so that all hold together with probability at least {@code 1 - alpha}: for a rate (the operational
 * metrics, a proportion quality metric as successes out of observations) an always-valid confidence sequence
 * ({@link MixtureConfidenceSequence}) for the sequential method, a fixed-horizon interval
 * ({@link FixedHorizonInterval}) otherwise; for a mean, {@link MeanConfidenceSequence} or
 * {@link FixedHorizonMeanInterval}. For a metric where higher is better the interval is judged mirrored
 * ({@link MetricComparison#judge}): worse means the challenger below the champion.
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
 * <p>With quality metrics, each metric is judged under its own gate: PROMOTE needs no metric WORSE, every
 * non-inferiority metric NOT_WORSE, every superiority quality metric BETTER and, when some metric is under the
 * superiority gate, at least one BETTER; a quality metric without observations is UNDECIDED, never a pass.
 *
 * <p>Under either gate: no decision before the plan's minimum duration and minimum samples per variant (no data, or
 * too little, is never a pass); a sample-ratio mismatch stops the experiment as INCONCLUSIVE; still undecided at the
 * maximum duration is INCONCLUSIVE. The sample-ratio check expects the challenger's share of the two variants'
 * requests to be {@code w/100} for an A/B split and {@code w/(100 + w)} in shadow mode (the challenger gets copies of
 * {@code w}% of the champion's requests); with a sticky header requests of one client are not independent, so it
 * compares distinct assignment units ({@link VariantStats#units()}) instead, and is skipped, with a reason, when the
 * source does not count them.
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
    private final ProportionTest errorTest;
    private final ProportionTest sloTest;
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

    /** One reading of one metric. */
    private record Reading(
            double champion,
            double challenger,
            long championCount,
            long challengerCount,
            DifferenceInterval interval,
            long samplesNeeded) {}

    /** Reads one metric's interval from both variants' cumulative numbers. */
    private interface Gauge {
        Reading read(VariantStats champion, VariantStats challenger);

        double confidence();

        boolean alwaysValid();
    }

    /** A gated metric: its name, how it is judged and how it is read. */
    private record Metric(
            String name,
            GatedMetric.Kind kind,
            GatedMetric.Direction direction,
            double margin,
            ExperimentPlan.Gate.Kind gate,
            boolean quality,
            Gauge gauge) {}

    public Analysis(ExperimentPlan plan) {
        this(plan, true);
    }

    /**
     * @param explainUndecided false leaves the reasons of undecided readings empty (the simulator reads millions and
     *                         looks only at decisions)
     */
    Analysis(ExperimentPlan plan, boolean explainUndecided) {
        this.plan = plan;
        this.sampleRatio = new SampleRatioCheck(expectedChallengerShare(plan));
        this.explainUndecided = explainUndecided;
        int gated = 2 + plan.qualityMetrics().size();
        this.perMetricAlpha = plan.alpha() / gated;
        this.fixedHorizonSamples = FixedHorizonTest.sampleSize(
                FIXED_HORIZON_BASE_RATE, plan.minimumDetectableEffect(), perMetricAlpha, FIXED_HORIZON_POWER);
        ExperimentPlan.Gate gate = plan.gate();
        boolean sequential = plan.method() == ExperimentPlan.Method.SEQUENTIAL;
        this.errorTest = sequential
                ? new MixtureSequentialTest(plan.minimumDetectableEffect())
                : new FixedHorizonTest(fixedHorizonSamples);
        this.sloTest = sequential
                ? new MixtureSequentialTest(plan.minimumDetectableEffect())
                : new FixedHorizonTest(fixedHorizonSamples);
        List<Metric> all = new ArrayList<>();
        all.add(operational("error rate", VariantStats::errors, gate.errorRateMargin()));
        all.add(operational(
                "SLO violations (> " + trim(plan.sloP99Ms()) + " ms)",
                VariantStats::sloViolations,
                gate.sloViolationMargin()));
        for (GatedMetric quality : plan.qualityMetrics()) {
            all.add(quality(quality));
        }
        this.metrics = List.copyOf(all);
    }

    /** The share of the two variants' requests (or units) the challenger should get under the plan. */
    static double expectedChallengerShare(ExperimentPlan plan) {
        int weight = plan.challengerWeight();
        return plan.mode() == ExperimentPlan.Mode.SHADOW ? weight / (100.0 + weight) : weight / 100.0;
    }

    private Metric operational(String name, ToLongFunction<VariantStats> events, double margin) {
        return new Metric(
                name,
                GatedMetric.Kind.PROPORTION,
                GatedMetric.Direction.LOWER_IS_BETTER,
                margin,
                plan.gate().kind(),
                false,
                proportion(VariantStats::requests, events, plan.minimumDetectableEffect()));
    }

    private Metric quality(GatedMetric metric) {
        String name = metric.name();
        double margin = metric.margin().orElse(0);
        Gauge gauge;
        if (metric.kind() == GatedMetric.Kind.PROPORTION) {
            double tau = margin > 0 ? margin : plan.minimumDetectableEffect();
            gauge = proportion(
                    s -> s.quality(name).count(),
                    s -> Math.round(s.quality(name).sum()),
                    tau);
        } else {
            OptionalDouble scale = margin > 0 ? OptionalDouble.of(margin) : OptionalDouble.empty();
            gauge = mean(name, scale);
        }
        return new Metric(name, metric.kind(), metric.direction(), margin, metric.gate(), true, gauge);
    }

    private Gauge proportion(ToLongFunction<VariantStats> trials, ToLongFunction<VariantStats> events, double tau) {
        DifferenceBounds bounds = plan.method() == ExperimentPlan.Method.SEQUENTIAL
                ? new MixtureConfidenceSequence(tau, perMetricAlpha)
                : new FixedHorizonInterval(
                        FixedHorizonTest.sampleSize(FIXED_HORIZON_BASE_RATE, tau, perMetricAlpha, FIXED_HORIZON_POWER),
                        perMetricAlpha);
        return new Gauge() {
            @Override
            public Reading read(VariantStats champion, VariantStats challenger) {
                long championTrials = trials.applyAsLong(champion);
                long challengerTrials = trials.applyAsLong(challenger);
                long championEvents = Math.min(championTrials, Math.max(0, events.applyAsLong(champion)));
                long challengerEvents = Math.min(challengerTrials, Math.max(0, events.applyAsLong(challenger)));
                DifferenceInterval interval =
                        bounds.update(championTrials, championEvents, challengerTrials, challengerEvents);
                long waiting =
                        bounds instanceof FixedHorizonInterval fixed && !fixed.read() ? fixed.samplesPerVariant() : 0;
                return new Reading(
                        rate(championEvents, championTrials),
                        rate(challengerEvents, challengerTrials),
                        championTrials,
                        challengerTrials,
                        interval,
                        waiting);
            }

            @Override
            public double confidence() {
                return bounds.confidence();
            }

            @Override
            public boolean alwaysValid() {
                return bounds.alwaysValid();
            }
        };
    }

    private Gauge mean(String name, OptionalDouble scale) {
        if (plan.method() == ExperimentPlan.Method.SEQUENTIAL) {
            MeanConfidenceSequence sequence = new MeanConfidenceSequence(scale, perMetricAlpha);
            return new Gauge() {
                @Override
                public Reading read(VariantStats champion, VariantStats challenger) {
                    Moments a = champion.quality(name);
                    Moments b = challenger.quality(name);
                    return new Reading(a.mean(), b.mean(), a.count(), b.count(), sequence.update(a, b), 0);
                }

                @Override
                public double confidence() {
                    return sequence.confidence();
                }

                @Override
                public boolean alwaysValid() {
                    return true;
                }
            };
        }
        FixedHorizonMeanInterval fixed = new FixedHorizonMeanInterval(scale, perMetricAlpha, FIXED_HORIZON_POWER, 0);
        return new Gauge() {
            @Override
            public Reading read(VariantStats champion, VariantStats challenger) {
                Moments a = champion.quality(name);
                Moments b = challenger.quality(name);
                DifferenceInterval interval = fixed.update(a, b);
                long waiting = fixed.read()
                        ? 0
                        : Math.max(MeanConfidenceSequence.MINIMUM_OBSERVATIONS, fixed.samplesPerVariant());
                return new Reading(a.mean(), b.mean(), a.count(), b.count(), interval, waiting);
            }

            @Override
            public double confidence() {
                return fixed.confidence();
            }

            @Override
            public boolean alwaysValid() {
                return false;
            }
        };
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
        List<MetricComparison> comparisons = new ArrayList<>(metrics.size());
        for (Metric metric : metrics) {
            Reading reading = metric.gauge().read(champion, challenger);
            comparisons.add(new MetricComparison(
                    metric.name(),
                    reading.champion(),
                    reading.challenger(),
                    reading.interval(),
                    metric.gauge().confidence(),
                    metric.gauge().alwaysValid(),
                    reading.samplesNeeded(),
                    metric.margin(),
                    metric.gate(),
                    MetricComparison.judge(metric.gate(), reading.interval(), metric.margin(), metric.direction()),
                    metric.kind(),
                    metric.direction(),
                    metric.quality(),
                    reading.championCount(),
                    reading.challengerCount()));
        }
        double errorP =
                errorTest.update(champion.requests(), champion.errors(), challenger.requests(), challenger.errors());
        double sloP = sloTest.update(
                champion.requests(), champion.sloViolations(), challenger.requests(), challenger.sloViolations());
        boolean sticky = plan.stickyHeader().isPresent();
        boolean countsUnits = sticky && champion.units() >= 0 && challenger.units() >= 0;
        String skippedSampleRatio = null;
        double srmP;
        if (countsUnits) {
            srmP = sampleRatio.update(champion.units(), challenger.units());
        } else if (sticky) {
            srmP = 1.0;
            skippedSampleRatio = "sample-ratio check skipped: with the sticky header "
                    + plan.stickyHeader().get()
                    + " one client's requests all go to one variant, so request counts are not independent, and the"
                    + " metrics source does not count distinct assignment units";
        } else {
            srmP = sampleRatio.update(champion.requests(), challenger.requests());
        }
        List<String> reasons = new ArrayList<>();
        String counts = champion.requests() + " champion and " + challenger.requests() + " challenger requests in "
                + elapsed.toSeconds() + " s";

        if (srmP < SampleRatioCheck.THRESHOLD) {
            String split = countsUnits
                    ? champion.units() + " champion and " + challenger.units() + " challenger assignment units ("
                            + plan.stickyHeader().get() + ") in " + elapsed.toSeconds() + " s"
                    : counts;
            String expected = plan.mode() == ExperimentPlan.Mode.SHADOW
                    ? String.format(
                            Locale.ROOT,
                            "a %d%% shadow copy (challenger share %.1f%%)",
                            plan.challengerWeight(),
                            expectedChallengerShare(plan) * 100)
                    : String.format(Locale.ROOT, "a configured %d%% challenger share", plan.challengerWeight());
            reasons.add(String.format(
                    Locale.ROOT,
                    "invalid experiment: sample ratio mismatch, %s for %s (always-valid p = %.2g < %s)",
                    split,
                    expected,
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
        boolean anySuperiority = false;
        boolean allNonInferiority = true;
        boolean promote = worse.isEmpty();
        for (int i = 0; i < comparisons.size(); i++) {
            MetricComparison comparison = comparisons.get(i);
            if (comparison.gate() == ExperimentPlan.Gate.Kind.NON_INFERIORITY) {
                promote &= comparison.finding() == MetricComparison.Finding.NOT_WORSE;
            } else {
                anySuperiority = true;
                allNonInferiority = false;
                if (metrics.get(i).quality()) {
                    promote &= comparison.finding() == MetricComparison.Finding.BETTER;
                }
            }
        }
        promote &= !anySuperiority || !better.isEmpty();
        boolean onlyOperational = plan.qualityMetrics().isEmpty();

        Verdict verdict = null;
        if (enoughData && longEnough) {
            if (!worse.isEmpty()) {
                verdict = Verdict.ROLLBACK;
                reasons.add(rollbackReason(comparisons, allNonInferiority, kind, onlyOperational));
            } else if (promote) {
                verdict = Verdict.PROMOTE;
                if (allNonInferiority) {
                    reasons.add("not worse than the champion by more than the margin on any metric");
                } else if (onlyOperational) {
                    reasons.add("better than the champion on " + String.join(" and ", better) + ", worse on none");
                } else {
                    List<String> notWorse = names(comparisons, MetricComparison.Finding.NOT_WORSE);
                    reasons.add("better than the champion on " + String.join(" and ", better)
                            + (notWorse.isEmpty()
                                    ? ""
                                    : ", not worse by more than the margin on " + String.join(" and ", notWorse))
                            + ", worse on none");
                }
            }
        }
        if (verdict == null && finalReading) {
            verdict = Verdict.INCONCLUSIVE;
            if (!enoughData) {
                reasons.add("too little data: " + counts + ", at least " + plan.minSamples() + " per variant needed");
                if (skippedSampleRatio != null) {
                    reasons.add(skippedSampleRatio);
                }
                return new Decision(true, verdict, reasons, errorP, sloP, srmP, comparisons);
            }
            List<String> undecided = names(comparisons, MetricComparison.Finding.UNDECIDED);
            if (allNonInferiority) {
                reasons.add("not shown within the margin on " + String.join(" and ", undecided) + " within "
                        + plan.maxDuration().toSeconds() + " s");
            } else if (onlyOperational) {
                reasons.add(
                        "no significant difference within " + plan.maxDuration().toSeconds() + " s");
            } else {
                reasons.add("undecided on " + String.join(" and ", undecided) + " within "
                        + plan.maxDuration().toSeconds() + " s");
            }
        }
        if (verdict != null || explainUndecided) {
            comparisons.forEach(c -> reasons.add(c.describe()));
            reasons.add(counts);
            if (skippedSampleRatio != null) {
                reasons.add(skippedSampleRatio);
            }
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

    private static String rollbackReason(
            List<MetricComparison> comparisons,
            boolean allNonInferiority,
            ExperimentPlan.Gate.Kind kind,
            boolean onlyOperational) {
        List<String> worse = new ArrayList<>();
        boolean anyNonInferiority = false;
        for (MetricComparison comparison : comparisons) {
            if (comparison.finding() == MetricComparison.Finding.WORSE) {
                boolean nonInferiority = comparison.gate() == ExperimentPlan.Gate.Kind.NON_INFERIORITY;
                anyNonInferiority |= nonInferiority;
                worse.add(
                        nonInferiority && !allNonInferiority && !onlyOperational
                                ? comparison.metric() + " (by more than the margin)"
                                : comparison.metric());
            }
        }
        boolean byMargin = allNonInferiority || (onlyOperational && kind == ExperimentPlan.Gate.Kind.NON_INFERIORITY);
        return byMargin && anyNonInferiority
                ? "worse than the champion by more than the margin on " + String.join(" and ", worse)
                : "worse than the champion on " + String.join(" and ", worse);
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
