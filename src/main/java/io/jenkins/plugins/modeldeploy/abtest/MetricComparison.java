package io.jenkins.plugins.modeldeploy.abtest;

import java.util.Locale;
import java.util.Objects;

/**
 * One gated metric at one reading: both variants' values (a rate, or a mean in the metric's units), the confidence
 * interval for their difference (always challenger minus champion), the metric's margin and gate, and what the
 * interval shows. For a metric where higher is better (accuracy, reward) the judgement is mirrored: the challenger is
 * worse when the difference is below minus the margin.
 *
 * @param metric         e.g. "error rate", "SLO violations (> 50 ms)" or "accuracy"
 * @param championRate   the champion's value: its rate, or its mean for a {@link GatedMetric.Kind#MEAN} metric (for
 *                       {@code rmse} the mean squared error, the quantity gated; {@link #describe} shows its root too)
 * @param challengerRate the challenger's value
 * @param interval       the interval for challenger value minus champion value
 * @param confidence     its level, e.g. 0.975 for alpha 0.05 split over two metrics
 * @param alwaysValid    true for the sequential test's confidence sequence, false for the fixed-horizon interval
 * @param samplesNeeded  0 once the interval has been computed; the fixed-horizon interval's planned size per variant
 *                       while it waits for it (until then the interval knows nothing)
 * @param margin         the metric's margin (non-inferiority), a positive size in its units; the superiority gate
 *                       compares with 0
 * @param gate           the metric's gate
 * @param finding        what the interval shows under the gate
 * @param kind           a proportion (shown in % and percentage points) or a mean (shown in its units)
 * @param direction      whether higher or lower values are better (error rate, SLO violations: lower)
 * @param quality        a quality metric (counted in observations) rather than an operational one (requests)
 * @param championCount  the champion's observations (requests for an operational metric)
 * @param challengerCount the challenger's observations
 */
public record MetricComparison(
        String metric,
        double championRate,
        double challengerRate,
        DifferenceInterval interval,
        double confidence,
        boolean alwaysValid,
        long samplesNeeded,
        double margin,
        ExperimentPlan.Gate.Kind gate,
        Finding finding,
        GatedMetric.Kind kind,
        GatedMetric.Direction direction,
        boolean quality,
        long championCount,
        long challengerCount) {

    /** What the interval shows about the challenger on this metric. */
    public enum Finding {
        /** Non-inferiority: the whole interval is on the good side of the margin. */
        NOT_WORSE,
        /** Superiority: the whole interval is on the good side of 0. */
        BETTER,
        /** The whole interval is beyond the margin (non-inferiority) or beyond 0 (superiority) on the bad side. */
        WORSE,
        /** The interval still contains the margin (non-inferiority) or 0 (superiority). */
        UNDECIDED
    }

    public MetricComparison {
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(gate, "gate");
        Objects.requireNonNull(finding, "finding");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(direction, "direction");
    }

    /** An operational rate (lower is better) with unknown counts: the form before quality metrics. */
    public MetricComparison(
            String metric,
            double championRate,
            double challengerRate,
            DifferenceInterval interval,
            double confidence,
            boolean alwaysValid,
            long samplesNeeded,
            double margin,
            ExperimentPlan.Gate.Kind gate,
            Finding finding) {
        this(
                metric,
                championRate,
                challengerRate,
                interval,
                confidence,
                alwaysValid,
                samplesNeeded,
                margin,
                gate,
                finding,
                GatedMetric.Kind.PROPORTION,
                GatedMetric.Direction.LOWER_IS_BETTER,
                false,
                -1,
                -1);
    }

    /** What the interval shows under {@code gate} with {@code margin} for a metric where lower is better. */
    static Finding judge(ExperimentPlan.Gate.Kind gate, DifferenceInterval interval, double margin) {
        return judge(gate, interval, margin, GatedMetric.Direction.LOWER_IS_BETTER);
    }

    /**
     * What the interval for challenger minus champion shows under {@code gate} with {@code margin}: for a metric where
     * higher is better, the interval is mirrored (a fall is the bad side) and judged as for lower is better.
     */
    static Finding judge(
            ExperimentPlan.Gate.Kind gate,
            DifferenceInterval interval,
            double margin,
            GatedMetric.Direction direction) {
        double lower = direction == GatedMetric.Direction.HIGHER_IS_BETTER ? -interval.upper() : interval.lower();
        double upper = direction == GatedMetric.Direction.HIGHER_IS_BETTER ? -interval.lower() : interval.upper();
        double threshold = gate == ExperimentPlan.Gate.Kind.NON_INFERIORITY ? margin : 0;
        if (lower > threshold) {
            return Finding.WORSE;
        }
        if (upper < threshold) {
            return gate == ExperimentPlan.Gate.Kind.NON_INFERIORITY ? Finding.NOT_WORSE : Finding.BETTER;
        }
        return Finding.UNDECIDED;
    }

    /** Challenger value minus champion value. */
    public double difference() {
        return challengerRate - championRate;
    }

    /**
     * Both bounds are finite. A mean's interval is {@link DifferenceInterval#EVERYTHING} (infinite bounds) until it
     * has enough observations: writers of JSON should write its bounds as null then.
     */
    public boolean bounded() {
        return Double.isFinite(interval.lower()) && Double.isFinite(interval.upper());
    }

    /** The interval was computed; the fixed-horizon one is not before its planned size. */
    public boolean read() {
        return samplesNeeded == 0;
    }

    /**
     * One line for people, e.g. "error rate 0.10% (challenger) vs 0.12% (champion), difference -0.02 pp, 97.5%
     * always-valid interval [-0.31, +0.27] pp < margin +1.00 pp: not worse", "accuracy 91.00% (challenger) vs
     * 95.30% (champion), difference -4.30 pp, 98.33% always-valid interval [-5.12, -3.47] pp < margin -1.00 pp: worse
     * by more than the margin" or, for a mean, "mae 0.4120 (challenger) vs 0.3980 (champion), difference +0.01400,
     * ...". The margin is shown on the side of the difference where the challenger is worse.
     */
    public String describe() {
        boolean proportion = kind == GatedMetric.Kind.PROPORTION;
        boolean higherBetter = direction == GatedMetric.Direction.HIGHER_IS_BETTER;
        String rates = proportion
                ? String.format(
                        Locale.ROOT,
                        "%s %.2f%% (challenger) vs %.2f%% (champion), difference %+.2f pp",
                        metric,
                        challengerRate * 100,
                        championRate * 100,
                        difference() * 100)
                : quality && GatedMetric.RMSE.equals(metric)
                        ? String.format(
                                Locale.ROOT,
                                "%s %s (challenger) vs %s (champion), gated as the mean squared error %s vs %s,"
                                        + " difference %s",
                                metric,
                                number(Math.sqrt(Math.max(0, challengerRate)), false),
                                number(Math.sqrt(Math.max(0, championRate)), false),
                                number(challengerRate, false),
                                number(championRate, false),
                                number(difference(), true))
                        : String.format(
                                Locale.ROOT,
                                "%s %s (challenger) vs %s (champion), difference %s",
                                metric,
                                number(challengerRate, false),
                                number(championRate, false),
                                number(difference(), true));
        if (quality && (championCount == 0 || challengerCount == 0)) {
            rates += championCount == 0 && challengerCount == 0
                    ? " (no observations yet)"
                    : championCount == 0 ? " (no champion observations yet)" : " (no challenger observations yet)";
        }
        String level =
                trimPercent(confidence * 100) + "% " + (alwaysValid ? "always-valid" : "fixed-horizon") + " interval";
        if (!read()) {
            return String.format(
                    Locale.ROOT,
                    "%s, %s: not read before %d %s per variant",
                    rates,
                    level,
                    samplesNeeded,
                    quality ? "observations" : "requests");
        }
        boolean nonInferiority = gate == ExperimentPlan.Gate.Kind.NON_INFERIORITY;
        double signedMargin = higherBetter ? -margin : margin;
        String threshold = nonInferiority
                ? "margin "
                        + (proportion
                                ? String.format(Locale.ROOT, "%+.2f pp", signedMargin * 100)
                                : number(signedMargin, true))
                : "0";
        String worseSide = higherBetter ? "< " : "> ";
        String goodSide = higherBetter ? "> " : "< ";
        String comparison =
                switch (finding) {
                    case NOT_WORSE -> goodSide + threshold + ": not worse";
                    case BETTER -> goodSide + threshold + ": better";
                    case WORSE ->
                        worseSide + threshold + (nonInferiority ? ": worse by more than the margin" : ": worse");
                    case UNDECIDED ->
                        "contains " + threshold
                                + (nonInferiority ? ": not yet shown within the margin" : ": no difference shown");
                };
        String bounds = proportion
                ? String.format(Locale.ROOT, "[%+.2f, %+.2f] pp", interval.lower() * 100, interval.upper() * 100)
                : "[" + number(interval.lower(), true) + ", " + number(interval.upper(), true) + "]";
        return rates + ", " + level + " " + bounds + " " + comparison;
    }

    /** The interval as people read it: in percentage points for a proportion, in the metric's units for a mean. */
    public String intervalText() {
        return kind == GatedMetric.Kind.PROPORTION
                ? String.format(Locale.ROOT, "[%+.2f, %+.2f] pp", interval.lower() * 100, interval.upper() * 100)
                : "[" + number(interval.lower(), true) + ", " + number(interval.upper(), true) + "]";
    }

    /** Four significant digits, e.g. 0.4120, 12.35, 1.235e+04; a sign when {@code signed}. */
    static String number(double value, boolean signed) {
        if (Double.isInfinite(value)) {
            return value > 0 ? "+inf" : "-inf";
        }
        String text = String.format(Locale.ROOT, "%.4g", value);
        return signed && value >= 0 ? "+" + text : text;
    }

    private static String trimPercent(double percent) {
        return java.math.BigDecimal.valueOf(percent)
                .setScale(2, java.math.RoundingMode.HALF_UP)
                .stripTrailingZeros()
                .toPlainString();
    }
}
