package io.jenkins.plugins.modeldeploy.abtest;

import java.time.Duration;
import java.util.List;

/**
 * The outcome of an experiment and the numbers behind it.
 *
 * @param reasons      one line per finding, e.g. "error rate 2.1% vs 0.1%, always-valid p = 0.0003 < 0.05"
 * @param srmPValue    p-value of the sample-ratio-mismatch check (below 0.001 stops the experiment as invalid)
 * @param timeline     the statistics as they evolved (one point per check), for the report's plot
 */
public record ExperimentResult(ExperimentPlan plan, Verdict verdict, List<String> reasons, VariantStats champion,
        VariantStats challenger, double errorRatePValue, double sloPValue, double srmPValue, Duration took,
        List<Checkpoint> timeline) {

    public ExperimentResult {
        reasons = List.copyOf(reasons);
        timeline = List.copyOf(timeline);
    }

    /** The evidence at one check. */
    public record Checkpoint(double seconds, long championRequests, long challengerRequests,
            double championErrorRate, double challengerErrorRate, double errorRatePValue) {}

    /** One line for logs and events. */
    public String summary() {
        return verdict + ": " + String.join("; ", reasons);
    }
}
