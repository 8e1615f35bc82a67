package io.jenkins.plugins.modeldeploy.smoke;

import java.time.Duration;

/**
 * An open-loop schedule: requests at a constant {@code ratePerSecond} for {@code duration}, of which the first
 * {@code warmup} is not measured. At most {@code maxInFlight} requests are outstanding; a request that has to wait
 * for a slot still counts its latency from its intended send time.
 */
public record LoadProfile(double ratePerSecond, Duration duration, Duration warmup, int maxInFlight,
        Duration requestTimeout) {
    public LoadProfile {
        if (!(ratePerSecond > 0) || ratePerSecond > 1_000_000) {
            throw new IllegalArgumentException("rate must be between 0 and 1000000 requests/s, was " + ratePerSecond);
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration must be positive, was " + duration);
        }
        if (warmup.isNegative() || warmup.compareTo(duration) >= 0) {
            throw new IllegalArgumentException("warm-up must be at least 0 and shorter than the duration (" + duration
                    + "), was " + warmup);
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("max in-flight requests must be at least 1, was " + maxInFlight);
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("request timeout must be positive, was " + requestTimeout);
        }
    }

    /** Nanoseconds between two intended send times. */
    public long intervalNanos() {
        return Math.round(1e9 / ratePerSecond);
    }
}
