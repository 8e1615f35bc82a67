package io.jenkins.plugins.modeldeploy.abtest;

import java.util.Map;
import java.util.Objects;

/**
 * What one variant served during an experiment.
 *
 * @param requests      answered or failed requests routed to the variant
 * @param errors        non-2xx answers and transport failures
 * @param sloViolations answers slower than the model's {@code slo.p99Ms}
 * @param quality       the quality observations of the variant by gated metric name ({@link GatedMetric#name()}):
 *                      scored labelled samples and clients' feedback for the built-in metrics, a query's sums for a
 *                      custom one; empty when nothing was observed
 * @param units         distinct assignment units (sticky header or cookie values) the variant served, -1 when the
 *                      source does not count them (no sticky assignment, or a source that cannot)
 */
public record VariantStats(
        String version,
        long requests,
        long errors,
        long sloViolations,
        double p50Ms,
        double p99Ms,
        Map<String, Moments> quality,
        long units) {
    public VariantStats {
        Objects.requireNonNull(version, "version");
        quality = Map.copyOf(quality);
    }

    /** Operational numbers only: no quality observations, assignment units not counted. */
    public VariantStats(String version, long requests, long errors, long sloViolations, double p50Ms, double p99Ms) {
        this(version, requests, errors, sloViolations, p50Ms, p99Ms, Map.of(), -1);
    }

    public double errorRate() {
        return requests == 0 ? 0 : (double) errors / requests;
    }

    public double sloViolationRate() {
        return requests == 0 ? 0 : (double) sloViolations / requests;
    }

    /** The observations of the named quality metric; {@link Moments#NONE} when there are none. */
    public Moments quality(String metric) {
        return quality.getOrDefault(metric, Moments.NONE);
    }

    /** These numbers with {@code more} quality observations added to each metric's (e.g. scored synthetic answers). */
    public VariantStats withQuality(Map<String, Moments> more) {
        if (more.isEmpty()) {
            return this;
        }
        Map<String, Moments> merged = new java.util.HashMap<>(quality);
        more.forEach((name, moments) -> merged.merge(name, moments, Moments::plus));
        return new VariantStats(version, requests, errors, sloViolations, p50Ms, p99Ms, merged, units);
    }
}
