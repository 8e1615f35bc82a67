package io.jenkins.plugins.modeldeploy.local;

import io.jenkins.plugins.modeldeploy.abtest.VariantStats;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * What one version answered on a stable route (or as its shadow): counts, a latency histogram and, once the route is
 * sticky, an estimate of the distinct assignment units it served; updated by many threads.
 */
final class VariantCounters {
    private static final long MAX_MICROS = 3_600_000_000L;

    private final LongAdder requests = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder sloViolations = new LongAdder();
    private final ConcurrentHistogram latencyMicros = new ConcurrentHistogram(MAX_MICROS, 3);
    private volatile UnitSketch units;

    /** One request of an assignment unit (a sticky header's value); from the first one on, units are counted. */
    void recordUnit(String unit) {
        UnitSketch sketch = units;
        if (sketch == null) {
            synchronized (this) {
                if (units == null) {
                    units = new UnitSketch();
                }
                sketch = units;
            }
        }
        sketch.add(unit);
    }

    /**
     * Starts counting assignment units afresh (a new sticky split): the sketch cannot subtract, so an experiment's
     * units are those counted since its stickiness was set, not an estimate now less one at its start.
     */
    synchronized void resetUnits() {
        units = null;
    }

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
                latencyMicros.getValueAtPercentile(99) / 1000.0,
                java.util.Map.of(),
                units == null ? -1 : units.estimate());
    }
}
