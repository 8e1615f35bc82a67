package io.jenkins.plugins.modeldeploy.smoke;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.modeldeploy.model.Slo;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class SmokeVerdictTest {
    static LoadResult result(long requests, Map<ErrorKind, Long> errors, double achievedRate, long... latenciesMicros) {
        Histogram latency = new Histogram(3_600_000_000L, 3);
        for (long value : latenciesMicros) {
            latency.recordValue(value);
        }
        return new LoadResult(requests, errors, 100, achievedRate, 10, 0, 4, 0.1, latency, new Histogram(3), List.of());
    }

    private static long[] latencies(int count, long micros) {
        long[] values = new long[count];
        java.util.Arrays.fill(values, micros);
        return values;
    }

    @Test
    void passesWhenEveryThresholdHolds() {
        SmokeVerdict verdict = SmokeVerdict.of(
                result(1000, Map.of(ErrorKind.STATUS, 2L), 99.8, latencies(1000, 3_000)),
                SmokeThresholds.fromSlo(new Slo(100, 50, 0.01), 100));
        assertThat(verdict.passed()).isTrue();
        assertThat(verdict.reasons()).isEmpty();
        assertThat(verdict.checks())
                .extracting(SmokeVerdict.Check::name)
                .containsExactly("p99 latency", "error rate", "achieved rate");
    }

    @Test
    void failsWithEveryReason() {
        long[] values = latencies(1000, 3_000);
        for (int i = 0; i < 20; i++) {
            values[i] = 80_000;
        }
        SmokeVerdict verdict = SmokeVerdict.of(
                result(1000, Map.of(ErrorKind.STATUS, 15L, ErrorKind.TIMEOUT, 5L), 80.0, values),
                SmokeThresholds.fromSlo(new Slo(100, 50, 0.01), 100).withP95Ms(2));
        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.reasons())
                .containsExactly(
                        "p99 latency 80.063 ms exceeds the limit of 50 ms",
                        "p95 latency 3.001 ms exceeds the limit of 2 ms",
                        "error rate 2.00% (20 of 1000: status 15, timeout 5) exceeds the limit of 1.00%",
                        "achieved rate 80.0 req/s is below the minimum of 95.0 req/s");
    }

    @Test
    void noDataIsAFailureNeverAPass() {
        SmokeVerdict verdict = SmokeVerdict.of(
                result(0, Map.of(), 0),
                SmokeThresholds.fromSlo(Slo.DEFAULT, 100).withMinRate(0));
        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.reasons()).containsExactly("no request was measured: nothing to judge the version by");
    }
}
