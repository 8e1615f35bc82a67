package io.jenkins.plugins.modeldeploy.pipeline;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * How to smoke-test a version: the load (defaults: the model's {@code slo.rate}, 30 s after 5 s of warm-up) and
 * limits that override the model's SLO when given.
 */
public record SmokeSettings(
        OptionalDouble rate, Duration duration, Duration warmup, OptionalDouble p99Ms, OptionalDouble maxErrorRate) {
    public static final Duration DEFAULT_DURATION = Duration.ofSeconds(30);
    public static final Duration DEFAULT_WARMUP = Duration.ofSeconds(5);

    public SmokeSettings {
        Objects.requireNonNull(rate, "rate");
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("smoke duration must be positive, was " + duration);
        }
        if (warmup.isNegative() || warmup.compareTo(duration) >= 0) {
            throw new IllegalArgumentException("the smoke test's warm-up must be at least 0 and shorter than its"
                    + " duration (" + duration.toMillis() + " ms), was " + warmup.toMillis() + " ms");
        }
    }

    public static SmokeSettings defaults() {
        return new SmokeSettings(
                OptionalDouble.empty(),
                DEFAULT_DURATION,
                DEFAULT_WARMUP,
                OptionalDouble.empty(),
                OptionalDouble.empty());
    }
}
