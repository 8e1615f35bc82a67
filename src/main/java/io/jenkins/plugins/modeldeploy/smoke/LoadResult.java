package io.jenkins.plugins.modeldeploy.smoke;

import java.util.EnumMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one open-loop run measured (warm-up excluded). Latencies are in microseconds, from each request's intended
 * send time to its completion, so a stalled server shows its stall in full (coordinated omission corrected).
 *
 * @param sendDelay how late the scheduler actually sent each request, in microseconds: the generator's own error
 */
public record LoadResult(
        long requests,
        Map<ErrorKind, Long> errors,
        double achievedRate,
        double measuredSeconds,
        long inFlightCapHits,
        Histogram latency,
        Histogram sendDelay) {

    public LoadResult {
        errors = Map.copyOf(errors.isEmpty() ? new EnumMap<>(ErrorKind.class) : new EnumMap<>(errors));
    }

    public long errorCount() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    public double errorRate() {
        return requests == 0 ? 0 : (double) errorCount() / requests;
    }

    /** Latency at {@code percentile} (0..100) in milliseconds. */
    public double latencyMs(double percentile) {
        return latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(percentile) / 1000.0;
    }

    public double maxLatencyMs() {
        return latency.getTotalCount() == 0 ? 0 : latency.getMaxValue() / 1000.0;
    }
}
