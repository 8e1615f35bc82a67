package io.jenkins.plugins.modeldeploy.abtest;

import java.util.Locale;
import java.util.Objects;

/**
 * One gated metric at one reading: both rates, the confidence interval for their difference (challenger minus
 * champion), the gate's margin and what the interval shows.
 *
 * @param metric         e.g. "error rate" or "SLO violations (> 50 ms)"
 * @param interval       the interval for challenger rate minus champion rate
 * @param confidence     its level, e.g. 0.975 for alpha 0.05 split over two metrics
 * @param alwaysValid    true for the sequential test's confidence sequence, false for the fixed-horizon interval
 * @param samplesNeeded  0 once the interval has been computed; the fixed-horizon interval's planned size per variant
 *                       while it waits for it (until then the interval is {@link DifferenceInterval#UNBOUNDED})
 * @param margin         the gate's margin for this metric (non-inferiority); the superiority gate compares with 0
 * @param finding        what the interval shows under the plan's gate
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
        Finding finding) {

    /** What the interval shows about the challenger on this metric. */
    public enum Finding {
        /** Non-inferiority: the whole interval is below the margin. */
        NOT_WORSE,
        /** Superiority: the whole interval is below 0. */
        BETTER,
        /** The whole interval is above the margin (non-inferiority) or above 0 (superiority). */
        WORSE,
        /** The interval still contains the margin (non-inferiority) or 0 (superiority). */
        UNDECIDED
    }

    public MetricComparison {
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(gate, "gate");
        Objects.requireNonNull(finding, "finding");
    }

    /** What the interval shows under {@code gate} with {@code margin}. */
    static Finding judge(ExperimentPlan.Gate.Kind gate, DifferenceInterval interval, double margin) {
        double threshold = gate == ExperimentPlan.Gate.Kind.NON_INFERIORITY ? margin : 0;
        if (interval.lower() > threshold) {
            return Finding.WORSE;
        }
        if (interval.upper() < threshold) {
            return gate == ExperimentPlan.Gate.Kind.NON_INFERIORITY ? Finding.NOT_WORSE : Finding.BETTER;
        }
        return Finding.UNDECIDED;
    }

    public double difference() {
        return challengerRate - championRate;
    }

    /** The interval was computed; the fixed-horizon one is not before its planned size. */
    public boolean read() {
        return samplesNeeded == 0;
    }

    /**
     * One line for people, e.g. "error rate 0.10% (challenger) vs 0.12% (champion), difference -0.02 pp, 97.5%
     * always-valid interval [-0.31, +0.27] pp < margin +1.00 pp: not worse".
     */
    public String describe() {
        String rates = String.format(
                Locale.ROOT,
                "%s %.2f%% (challenger) vs %.2f%% (champion), difference %+.2f pp",
                metric,
                challengerRate * 100,
                championRate * 100,
                difference() * 100);
        String level =
                trimPercent(confidence * 100) + "% " + (alwaysValid ? "always-valid" : "fixed-horizon") + " interval";
        if (!read()) {
            return String.format(
                    Locale.ROOT, "%s, %s: not read before %d requests per variant", rates, level, samplesNeeded);
        }
        boolean nonInferiority = gate == ExperimentPlan.Gate.Kind.NON_INFERIORITY;
        String threshold = nonInferiority ? String.format(Locale.ROOT, "margin %+.2f pp", margin * 100) : "0";
        String comparison =
                switch (finding) {
                    case NOT_WORSE -> "< " + threshold + ": not worse";
                    case BETTER -> "< " + threshold + ": better";
                    case WORSE -> "> " + threshold + (nonInferiority ? ": worse by more than the margin" : ": worse");
                    case UNDECIDED ->
                        "contains " + threshold
                                + (nonInferiority ? ": not yet shown within the margin" : ": no difference shown");
                };
        return String.format(
                Locale.ROOT,
                "%s, %s [%+.2f, %+.2f] pp %s",
                rates,
                level,
                interval.lower() * 100,
                interval.upper() * 100,
                comparison);
    }

    private static String trimPercent(double percent) {
        return java.math.BigDecimal.valueOf(percent)
                .setScale(2, java.math.RoundingMode.HALF_UP)
                .stripTrailingZeros()
                .toPlainString();
    }
}
