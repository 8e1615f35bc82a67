package io.jenkins.plugins.modeldeploy.local;

import io.jenkins.plugins.modeldeploy.abtest.VariantStats;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;

/** What one version answered on a stable route: counts and a latency histogram, updated by many threads. */
final class VariantCounters {
    private static final long MAX_MICROS = 3_600_000_000L;

    private final LongAdder requests = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder sloViolations = new LongAdder();
    private final ConcurrentHistogram latencyMicros = new ConcurrentHistogram(MAX_MICROS, 3);

    void record(int status, long nanos, double sloMillis) {
        requests.increment();
        if (status < 200 || status > 299) {
            errors.increment();
        }
        if (nanos / 1e6 > sloMillis) {
            sloViolations.increment();
        }
        latencyMicros.recordValue(Math.min(MAX_MICROS, Math.max(1, nanos / 1_000)));
    }

    VariantStats snapshot(String version) {
        return new VariantStats(
                version,
                requests.sum(),
                errors.sum(),
                sloViolations.sum(),
                latencyMicros.getValueAtPercentile(50) / 1000.0,
                latencyMicros.getValueAtPercentile(99) / 1000.0);
    }
}
