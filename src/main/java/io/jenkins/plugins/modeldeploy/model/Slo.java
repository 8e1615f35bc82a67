package io.jenkins.plugins.modeldeploy.model;

/**
 * The service level a version must meet: sustain {@code rps} requests per second with a 99th percentile latency of
 * at most {@code p99Ms} milliseconds and at most {@code maxErrorRate} (0..1) failed requests.
 */
public record Slo(double rps, double p99Ms, double maxErrorRate) {
    public static final Slo DEFAULT = new Slo(100, 50, 0.01);
}
