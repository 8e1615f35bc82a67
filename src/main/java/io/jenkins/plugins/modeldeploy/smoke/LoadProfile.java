package io.jenkins.plugins.modeldeploy.smoke;

import java.time.Duration;

/**
 * An open-loop run: requests on {@code schedule}, of which those intended in the first {@code warmup} are not
 * measured. At most {@code maxInFlight} requests are outstanding; a request that has to wait for a slot still
 * counts its latency from its intended send time. Answers are judged by {@code check}.
 */
public record LoadProfile(
        Schedule schedule, Duration warmup, int maxInFlight, Duration requestTimeout, ResponseCheck check) {
    public static final int DEFAULT_MAX_IN_FLIGHT = 256;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    public LoadProfile {
        if (warmup.isNegative() || warmup.compareTo(schedule.duration()) >= 0) {
            throw new IllegalArgumentException("warm-up must be at least 0 and shorter than the duration ("
                    + schedule.duration().toMillis() + " ms), was " + warmup.toMillis() + " ms");
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("max in-flight requests must be at least 1, was " + maxInFlight);
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("request timeout must be positive, was " + requestTimeout);
        }
    }

    /** A constant rate with the default cap, timeout and status check. */
    public static LoadProfile constant(double rate, Duration duration, Duration warmup) {
        return new LoadProfile(
                Schedule.constant(rate, duration),
                warmup,
                DEFAULT_MAX_IN_FLIGHT,
                DEFAULT_TIMEOUT,
                ResponseCheck.STATUS);
    }

    public LoadProfile withCheck(ResponseCheck newCheck) {
        return new LoadProfile(schedule, warmup, maxInFlight, requestTimeout, newCheck);
    }

    public LoadProfile withMaxInFlight(int cap) {
        return new LoadProfile(schedule, warmup, cap, requestTimeout, check);
    }

    public LoadProfile withRequestTimeout(Duration timeout) {
        return new LoadProfile(schedule, warmup, maxInFlight, timeout, check);
    }
}
