package io.jenkins.plugins.modeldeploy.abtest;

import java.time.Duration;
import java.util.List;

/**
 * The outcome of an experiment and the numbers behind it.
 *
 * @param reasons      one line per finding, e.g. "error rate 0.10% (challenger) vs 0.12% (champion), difference
 *                     -0.02 pp, 97.5% always-valid interval [-0.31, +0.27] pp < margin +1.00 pp: not worse"
 * @param errorRatePValue always-valid (or fixed-horizon) p-value for "equal error rates", the evidence of any
 *                     difference; the gate decides on {@code comparisons}
 * @param srmPValue    p-value of the sample-ratio-mismatch check (below 0.001 stops the experiment as invalid)
 * @param timeline     the statistics as they evolved (one point per check), for the report's plot
 * @param comparisons  per gated metric (error rate, SLO violations, quality metrics) at the last reading: the values,
 *                     the interval for their difference, the margin and what the gate made of it; empty when none was
 *                     computed
 * @param shadow       in shadow mode, how the challenger's answers agreed with production's; {@link ShadowStats#NONE}
 *                     otherwise or when the source cannot compare answers
 */
public record ExperimentResult(
        ExperimentPlan plan,
        Verdict verdict,
        List<String> reasons,
        VariantStats champion,
        VariantStats challenger,
        double errorRatePValue,
        double sloPValue,
        double srmPValue,
        Duration took,
        List<Checkpoint> timeline,
        List<MetricComparison> comparisons,
        ShadowStats shadow) {

    public ExperimentResult(
            ExperimentPlan plan,
            Verdict verdict,
            List<String> reasons,
            VariantStats champion,
            VariantStats challenger,
            double errorRatePValue,
            double sloPValue,
            double srmPValue,
            Duration took,
            List<Checkpoint> timeline,
            List<MetricComparison> comparisons) {
        this(
                plan,
                verdict,
                reasons,
                champion,
                challenger,
                errorRatePValue,
                sloPValue,
                srmPValue,
                took,
                timeline,
                comparisons,
                ShadowStats.NONE);
    }

    public ExperimentResult {
        java.util.Objects.requireNonNull(shadow, "shadow");
        reasons = List.copyOf(reasons);
        timeline = List.copyOf(timeline);
        comparisons = List.copyOf(comparisons);
    }

    /**
     * The evidence at one check.
     *
     * @param comparisons every gated metric's values and interval at this check (the report plots each quality
     *                    metric's confidence sequence over time from them)
     */
    public record Checkpoint(
            double seconds,
            long championRequests,
            long challengerRequests,
            double championErrorRate,
            double challengerErrorRate,
            double errorRatePValue,
            List<MetricComparison> comparisons) {
        public Checkpoint {
            comparisons = List.copyOf(comparisons);
        }

        public Checkpoint(
                double seconds,
                long championRequests,
                long challengerRequests,
                double championErrorRate,
                double challengerErrorRate,
                double errorRatePValue) {
            this(
                    seconds,
                    championRequests,
                    challengerRequests,
                    championErrorRate,
                    challengerErrorRate,
                    errorRatePValue,
                    List.of());
        }
    }

    /** One line for logs and events. */
    public String summary() {
        return verdict + ": " + String.join("; ", reasons);
    }
}
