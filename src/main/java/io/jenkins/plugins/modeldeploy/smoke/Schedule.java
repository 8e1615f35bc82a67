package io.jenkins.plugins.modeldeploy.smoke;

import java.time.Duration;

/**
 * When each request of an open-loop run is meant to be sent: a constant rate, or a rate that ramps linearly from
 * {@code fromRate} to {@code toRate} over the run.
 */
public record Schedule(double fromRate, double toRate, Duration duration) {
    public Schedule {
        if (!(fromRate > 0) || !(toRate > 0) || fromRate > 1_000_000 || toRate > 1_000_000) {
            throw new IllegalArgumentException(
                    "rates must be between 0 and 1000000 requests/s, were " + fromRate + " and " + toRate);
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration must be positive, was " + duration);
        }
    }

    public static Schedule constant(double rate, Duration duration) {
        return new Schedule(rate, rate, duration);
    }

    /** Requests in the whole run: the integral of the rate. */
    public long count() {
        return (long) Math.floor((fromRate + toRate) / 2 * seconds() + 1e-9);
    }

    /** Intended send time of request {@code i} (0-based), in nanoseconds after the start. */
    public long offsetNanos(long i) {
        double n = i;
        if (fromRate == toRate) {
            return Math.round(n / fromRate * 1e9);
        }
        // N(t) = r0 t + (r1 - r0) t^2 / (2T); solve N(t) = i for t >= 0.
        double slope = (toRate - fromRate) / seconds();
        double t = (-fromRate + Math.sqrt(fromRate * fromRate + 2 * slope * n)) / slope;
        return Math.round(t * 1e9);
    }

    /** The rate at {@code seconds} into the run. */
    public double rateAt(double secondsIn) {
        return fromRate + (toRate - fromRate) * Math.min(1, Math.max(0, secondsIn / seconds()));
    }

    private double seconds() {
        return duration.toNanos() / 1e9;
    }
}
