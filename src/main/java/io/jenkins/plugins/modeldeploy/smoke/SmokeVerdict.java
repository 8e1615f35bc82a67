package io.jenkins.plugins.modeldeploy.smoke;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Pass or fail, with one check per threshold and the reason for every failed one. */
public record SmokeVerdict(boolean passed, List<Check> checks) {
    public SmokeVerdict {
        checks = List.copyOf(checks);
    }

    /** One threshold: what was required, what was measured, and why it failed (empty when it passed). */
    public record Check(String name, String requirement, String measured, boolean passed, String reason) {}

    public List<String> reasons() {
        return checks.stream().filter(c -> !c.passed()).map(Check::reason).toList();
    }

    /** Judges a run. No measured request at all is a failure, never a pass. */
    public static SmokeVerdict of(LoadResult result, SmokeThresholds thresholds) {
        List<Check> checks = new ArrayList<>();
        if (result.requests() == 0) {
            checks.add(new Check(
                    "requests measured",
                    "> 0",
                    "0",
                    false,
                    "no request was measured: nothing to judge the version by"));
        }
        thresholds.p99Ms().ifPresent(limit -> checks.add(latency("p99", result.latencyMs(99), limit)));
        thresholds.p95Ms().ifPresent(limit -> checks.add(latency("p95", result.latencyMs(95), limit)));
        thresholds.maxErrorRate().ifPresent(limit -> {
            double rate = result.errorRate();
            boolean ok = rate <= limit;
            checks.add(new Check(
                    "error rate",
                    "<= " + percent(limit),
                    percent(rate),
                    ok,
                    ok
                            ? ""
                            : String.format(
                                    Locale.ROOT,
                                    "error rate %s (%d of %d: %s) exceeds the limit of %s",
                                    percent(rate),
                                    result.errorCount(),
                                    result.requests(),
                                    kinds(result.errors()),
                                    percent(limit))));
        });
        thresholds.minRate().ifPresent(limit -> {
            boolean ok = result.achievedRate() >= limit;
            checks.add(new Check(
                    "achieved rate",
                    String.format(Locale.ROOT, ">= %.1f req/s", limit),
                    String.format(Locale.ROOT, "%.1f req/s", result.achievedRate()),
                    ok,
                    ok
                            ? ""
                            : String.format(
                                    Locale.ROOT,
                                    "achieved rate %.1f req/s is below the minimum of %.1f" + " req/s%s",
                                    result.achievedRate(),
                                    limit,
                                    result.inFlightCapHits() > 0
                                            ? " (the in-flight cap was hit " + result.inFlightCapHits() + " times)"
                                            : "")));
        });
        return new SmokeVerdict(checks.stream().allMatch(Check::passed), checks);
    }

    private static Check latency(String name, double measured, double limit) {
        boolean ok = measured <= limit;
        return new Check(
                name + " latency",
                String.format(Locale.ROOT, "<= %s ms", number(limit)),
                String.format(Locale.ROOT, "%.3f ms", measured),
                ok,
                ok
                        ? ""
                        : String.format(
                                Locale.ROOT,
                                "%s latency %.3f ms exceeds the limit of %s ms",
                                name,
                                measured,
                                number(limit)));
    }

    private static String kinds(Map<ErrorKind, Long> errors) {
        return errors.entrySet().stream()
                .map(e -> e.getKey().name().toLowerCase(Locale.ROOT).replace('_', ' ') + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }

    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.2f%%", fraction * 100);
    }

    static String number(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
