package io.jenkins.plugins.modeldeploy.smoke;

import io.jenkins.plugins.modeldeploy.model.Slo;
import java.util.OptionalDouble;

/**
 * Limits a smoke run must meet; an empty limit is not checked.
 *
 * @param minRate the achieved rate (requests actually sent per second) must reach this; it catches a generator or
 *                connection pool that could not deliver the load, which would make the latencies meaningless
 */
public record SmokeThresholds(
        OptionalDouble p99Ms, OptionalDouble p95Ms, OptionalDouble maxErrorRate, OptionalDouble minRate) {
    /** Share of the requested rate that must be achieved when the limit comes from the SLO. */
    public static final double MIN_RATE_SHARE = 0.95;

    /** The model's SLO at {@code rate} requests/s: its p99 and error-rate bounds, 95% of the rate achieved. */
    public static SmokeThresholds fromSlo(Slo slo, double rate) {
        return new SmokeThresholds(
                OptionalDouble.of(slo.p99Ms()),
                OptionalDouble.empty(),
                OptionalDouble.of(slo.maxErrorRate()),
                OptionalDouble.of(rate * MIN_RATE_SHARE));
    }

    public SmokeThresholds withP99Ms(double limit) {
        return new SmokeThresholds(OptionalDouble.of(limit), p95Ms, maxErrorRate, minRate);
    }

    public SmokeThresholds withP95Ms(double limit) {
        return new SmokeThresholds(p99Ms, OptionalDouble.of(limit), maxErrorRate, minRate);
    }

    public SmokeThresholds withMaxErrorRate(double limit) {
        return new SmokeThresholds(p99Ms, p95Ms, OptionalDouble.of(limit), minRate);
    }

    public SmokeThresholds withMinRate(double limit) {
        return new SmokeThresholds(p99Ms, p95Ms, maxErrorRate, OptionalDouble.of(limit));
    }
}
