package io.jenkins.plugins.modeldeploy.abtest;

/**
 * What one variant served during an experiment.
 *
 * @param requests      answered or failed requests routed to the variant
 * @param errors        non-2xx answers and transport failures
 * @param sloViolations answers slower than the model's {@code slo.p99Ms}
 */
public record VariantStats(String version, long requests, long errors, long sloViolations, double p50Ms, double p99Ms) {
    public double errorRate() {
        return requests == 0 ? 0 : (double) errors / requests;
    }

    public double sloViolationRate() {
        return requests == 0 ? 0 : (double) sloViolations / requests;
    }
}
