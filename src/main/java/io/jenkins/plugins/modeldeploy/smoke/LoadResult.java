package io.jenkins.plugins.modeldeploy.smoke;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one open-loop run measured (warm-up excluded). Latencies are in microseconds, from each request's intended
 * send time to its completion, so a stalled server shows its stall in full (coordinated omission corrected).
 *
 * @param targetRate      the mean rate the schedule asked for in the measured part
 * @param sendDelay       how late each request was actually written, in microseconds: the generator's own error
 * @param inFlightCapHits requests that had to wait because {@code maxInFlight} were outstanding
 * @param generatorCpuSeconds CPU time of the generator's own threads (scheduler and senders)
 * @param labels          the measured 2xx answers to labelled payloads, scored per instance ({@link LabelScore#NONE}
 *                        when no payload carries {@code "expected"})
 */
public record LoadResult(
        long requests,
        Map<ErrorKind, Long> errors,
        double targetRate,
        double achievedRate,
        double measuredSeconds,
        long inFlightCapHits,
        int connections,
        double generatorCpuSeconds,
        Histogram latency,
        Histogram sendDelay,
        List<TimelinePoint> timeline,
        LabelScore labels) {

    /** A run whose answers were not scored against labels. */
    public LoadResult(
            long requests,
            Map<ErrorKind, Long> errors,
            double targetRate,
            double achievedRate,
            double measuredSeconds,
            long inFlightCapHits,
            int connections,
            double generatorCpuSeconds,
            Histogram latency,
            Histogram sendDelay,
            List<TimelinePoint> timeline) {
        this(
                requests,
                errors,
                targetRate,
                achievedRate,
                measuredSeconds,
                inFlightCapHits,
                connections,
                generatorCpuSeconds,
                latency,
                sendDelay,
                timeline,
                LabelScore.NONE);
    }

    public LoadResult {
        java.util.Objects.requireNonNull(labels, "labels");
        EnumMap<ErrorKind, Long> ordered = new EnumMap<>(ErrorKind.class);
        ordered.putAll(errors);
        errors = Collections.unmodifiableMap(ordered);
        timeline = List.copyOf(timeline);
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
