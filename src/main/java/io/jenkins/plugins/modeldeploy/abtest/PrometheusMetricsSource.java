package io.jenkins.plugins.modeldeploy.abtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Reads what each variant served from Traefik's Prometheus metrics: {@code traefik_service_requests_total} (by
 * status code) and the {@code traefik_service_request_duration_seconds} histogram of the version's Kubernetes
 * Service ({@code <namespace>-<model>-<version>-80@kubernetes…}, the name Traefik records per leaf load balancer and
 * Flagger's Traefik observer matches, {@code pkg/metrics/observers/traefik.go}), restricted by the configured extra
 * label matchers (e.g. {@code cluster="prod"}).
 *
 * <p>An experiment's numbers are computed by Prometheus over the experiment's window, {@code increase(…[<elapsed>])}
 * from the moment the split was set to now, never by subtracting raw totals here: a Traefik pod that restarts
 * mid-test starts its counters again from zero, and only {@code increase()} treats the drop as a counter reset (it
 * adds the value before the drop) rather than as negative traffic. The percentiles and the SLO violations of both
 * variants come from the increase of the histogram's buckets over the same window.
 *
 * <p>Counting SLO violations needs a histogram bucket at exactly the SLO ({@code le="0.05"} for 50 ms): Traefik's
 * {@code metrics.prometheus.buckets} must include it. {@link #preflight} checks that before the split is set.
 */
public final class PrometheusMetricsSource implements MetricsSource {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String REQUESTS = "traefik_service_requests_total";
    private static final String BUCKETS = "traefik_service_request_duration_seconds_bucket";

    private final URI prometheus;
    private final String namespace;
    private final double sloSeconds;
    private final LabelMatchers matchers;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    /** The {@code le} label of the SLO's bucket as this Prometheus writes it ("1" or "1.0"), once found. */
    private volatile String sloBucket;

    /**
     * @param prometheus the server's base URL, e.g. {@code http://prometheus.monitoring:9090}
     * @param sloP99Ms   answers slower than this count as SLO violations
     */
    public PrometheusMetricsSource(URI prometheus, String namespace, double sloP99Ms) {
        this(prometheus, namespace, sloP99Ms, LabelMatchers.NONE);
    }

    /** @param matchers added to every selector, e.g. {@code cluster="prod",job="traefik"} */
    public PrometheusMetricsSource(URI prometheus, String namespace, double sloP99Ms, LabelMatchers matchers) {
        this.prometheus = prometheus;
        this.namespace = namespace;
        this.sloSeconds = sloP99Ms / 1000.0;
        this.matchers = matchers;
    }

    /** The version's series: its Traefik service name and the extra matchers, inside a selector's braces. */
    private String selector(String model, String version) {
        return "service=~\"" + namespace + "-" + model + "-" + version + "-80@kubernetes.*\""
                + matchers.selectorSuffix();
    }

    /** Cumulative numbers as they stand (all time): what the counters of the version hold now. */
    @Override
    public VariantStats sample(String model, String version) throws MetricsException {
        String service = selector(model, version);
        return read(model, version, s -> s, "{" + service + "}", "{" + service + ",code!~\"2..\"}", service, null);
    }

    /**
     * The version's numbers over {@code [start, now]}, each reading one set of {@code increase()} queries evaluated
     * at one instant of Prometheus' clock.
     *
     * <p>{@code start} is on Prometheus' clock too (the time of a scrape, from {@link #asOf}), and each reading asks
     * Prometheus for its "now" ({@code time()}) and evaluates every query at that instant with the range
     * {@code now - start}: the window is right whatever the offset between Prometheus' clock and the engine's, and the
     * requests, errors, SLO violations and percentiles of one reading all come from the same samples. One millisecond
     * more keeps the scrape at {@code start} itself inside the range (Prometheus 3's ranges are open on the left).
     *
     * <p>What {@code increase()} does with a window (Prometheus {@code promql/functions.go}, {@code extrapolatedRate}):
     * it adds up the differences of the samples inside the range, counting a drop as a reset (the value after the
     * drop is all new); it needs two samples of a series inside the range, so for the first scrape interval of the
     * test the counts are 0; and it extrapolates from the first and last samples to the window's edges when they are
     * within 1.1 average scrape intervals of them (by half an interval otherwise, and never below the counter's zero),
     * so the counts are estimates of the traffic in exactly the window, not integers: they are rounded, and the end can
     * be off by what one scrape interval carries. Requests served between a Traefik pod's last scrape and its restart
     * are lost to every method. The experiment's {@code minDuration} should therefore be many scrape intervals long
     * (Flagger's analysis interval, the range of its {@code rate()} queries, is the same kind of window).
     */
    @Override
    public Window window(String model, String version, Instant start) {
        return () -> {
            double at = prometheusNow();
            return traffic(model, version, start, at);
        };
    }

    /** The Traefik numbers of the window {@code [start, at]}, {@code at} in Prometheus' seconds. */
    private VariantStats traffic(String model, String version, Instant start, double at) throws MetricsException {
        long ms = rangeMs(start, at);
        if (ms < 1) {
            return new VariantStats(version, 0, 0, 0, 0, 0);
        }
        String service = selector(model, version);
        String range = "[" + ms + "ms]";
        return read(
                model,
                version,
                s -> "increase(" + s + range + ")",
                "{" + service + "}",
                "{" + service + ",code!~\"2..\"}",
                service,
                at);
    }

    private static long rangeMs(Instant start, double at) {
        return Math.round(at * 1000) - start.toEpochMilli() + 1;
    }

    /**
     * As {@link #window(String, String, Instant)}, with the quality of each metric in {@code quality} this source
     * can read, evaluated at the same instant as the traffic numbers:
     *
     * <ul>
     *   <li>the built-in metrics from the feedback counters the model's harness exports on its {@code /metrics}
     *       (Prometheus must scrape the model pods: docs/kubernetes.md), selected by the harness's labels
     *       {@code model} and {@code version} and the target label {@code namespace} when the scrape adds it, and
     *       summed over the version's pods; each counter's increase over the
     *       window, as for Traefik's counters (a pod's restart is a counter reset, not negative feedback):
     *       accuracy = labelled / correct / correct; mae = numeric_labelled / absolute_error / squared_error;
     *       rmse = numeric_labelled / squared_error / squared_error_squares; reward = rewards / reward_sum /
     *       reward_squares, as differences of the sums at the window's ends (its sum is a gauge, see
     *       {@link #reward}), so a pod restarting inside the window loses that pod's earlier feedback;
     *   <li>a custom metric ({@link GatedMetric#queries()}) by its own queries, {@code {{variant}}} replaced by the
     *       version, each a cumulative number: evaluated at the window's start and at the reading, the difference
     *       ({@link Moments#minus}: when the count dropped, its counters started again and the later values are all
     *       new).
     * </ul>
     *
     * A metric whose series Prometheus does not have (no feedback scraped yet, a harness without
     * {@code squared_error_squares}) is left out of the reading.
     */
    @Override
    public Window window(String model, String version, Instant start, List<GatedMetric> quality)
            throws MetricsException {
        if (quality.isEmpty()) {
            return window(model, version, start);
        }
        String variant = promqlSafe(version);
        double startSeconds = start.toEpochMilli() / 1000.0;
        java.util.Map<String, Moments> atStart = new java.util.HashMap<>();
        for (GatedMetric metric : quality) {
            if (metric.queries().isPresent()) {
                atStart.put(metric.name(), custom(metric, variant, startSeconds).orElse(Moments.NONE));
            }
        }
        return () -> {
            double at = prometheusNow();
            VariantStats traffic = traffic(model, version, start, at);
            java.util.Map<String, Moments> measured = new java.util.LinkedHashMap<>();
            long ms = rangeMs(start, at);
            for (GatedMetric metric : quality) {
                Optional<Moments> moments;
                if (metric.queries().isPresent()) {
                    moments = custom(metric, variant, at).map(now -> now.minus(atStart.get(metric.name())));
                } else {
                    moments = ms < 1 ? Optional.of(Moments.NONE) : builtIn(metric, model, variant, ms, at);
                }
                moments.ifPresent(m -> measured.put(metric.name(), m));
            }
            return traffic.withQuality(measured);
        };
    }

    private static final String FEEDBACK = "model_deploy_feedback_";

    /** A built-in metric from the harness's counters over the window; empty when a series is missing. */
    private Optional<Moments> builtIn(GatedMetric metric, String model, String version, long ms, double at)
            throws MetricsException {
        // The pods' namespace where the scrape adds it (the kubernetes-pods job's and a PodMonitor's target label
        // "namespace"): another namespace's model of the same name and version is not ours; "" matches series
        // without the label (a scrape configuration that adds none).
        String labels = "{model=\"" + promqlSafe(model) + "\",version=\"" + version + "\",namespace=~\""
                + promqlSafe(namespace) + "|\"}";
        String range = "[" + ms + "ms]";
        String count;
        String sum;
        String squares;
        switch (metric.name()) {
            case GatedMetric.ACCURACY -> {
                count = "labelled_total";
                sum = "correct_total";
                squares = "correct_total";
            }
            case GatedMetric.MAE -> {
                count = "numeric_labelled_total";
                sum = "absolute_error_total";
                squares = "squared_error_total";
            }
            case GatedMetric.RMSE -> {
                count = "numeric_labelled_total";
                sum = "squared_error_total";
                squares = "squared_error_squares_total";
            }
            case GatedMetric.REWARD -> {
                return reward(labels, ms, at);
            }
            default -> {
                return Optional.empty();
            }
        }
        OptionalDouble n = query("sum(increase(" + FEEDBACK + count + labels + range + "))", at);
        OptionalDouble s1 = query("sum(increase(" + FEEDBACK + sum + labels + range + "))", at);
        OptionalDouble s2 = query("sum(increase(" + FEEDBACK + squares + labels + range + "))", at);
        if (n.isEmpty() || s1.isEmpty() || s2.isEmpty()) {
            return Optional.empty();
        }
        long observations = Math.max(0, Math.round(n.getAsDouble()));
        double total = s1.getAsDouble();
        if (metric.kind() == GatedMetric.Kind.PROPORTION) {
            // increase() extrapolates; a proportion's successes are whole and never more than its trials
            total = Math.min(observations, Math.max(0, Math.round(total)));
            return Optional.of(new Moments(observations, total, total));
        }
        return Optional.of(new Moments(observations, total, Math.max(0, s2.getAsDouble())));
    }

    /**
     * The reward's sums now less those at the window's start: {@code reward_sum} is a gauge (rewards may be negative),
     * which {@code increase()} would take for a counter reset at every drop, and extrapolating the count but not the
     * sum would bias the mean; so all three are plain differences ({@link Moments#minus}: a count that dropped means
     * the counters started again, and then the later sums are all new).
     */
    private Optional<Moments> reward(String labels, long ms, double at) throws MetricsException {
        Optional<Moments> now = rewardSums(labels, "", at);
        if (now.isEmpty()) {
            return now;
        }
        Moments before = rewardSums(labels, " offset " + (ms - 1) + "ms", at).orElse(Moments.NONE);
        return Optional.of(now.get().minus(before));
    }

    private Optional<Moments> rewardSums(String labels, String offset, double at) throws MetricsException {
        OptionalDouble n = query("sum(" + FEEDBACK + "rewards_total" + labels + offset + ")", at);
        OptionalDouble s1 = query("sum(" + FEEDBACK + "reward_sum" + labels + offset + ")", at);
        OptionalDouble s2 = query("sum(" + FEEDBACK + "reward_squares_total" + labels + offset + ")", at);
        if (n.isEmpty() || s1.isEmpty() || s2.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Moments(Math.max(0, Math.round(n.getAsDouble())), s1.getAsDouble(), s2.getAsDouble()));
    }

    /** A custom metric's cumulative sums at {@code at} (seconds); empty when its count or sum gives no value. */
    private Optional<Moments> custom(GatedMetric metric, String variant, double at) throws MetricsException {
        GatedMetric.Queries queries = metric.queries().orElseThrow();
        OptionalDouble n = query(queries.count().replace(GatedMetric.Queries.VARIANT, variant), at);
        OptionalDouble s1 = query(queries.sum().replace(GatedMetric.Queries.VARIANT, variant), at);
        if (n.isEmpty() || s1.isEmpty()) {
            return Optional.empty();
        }
        double s2;
        if (queries.squares().isPresent()) {
            OptionalDouble squares = query(queries.squares().get().replace(GatedMetric.Queries.VARIANT, variant), at);
            if (squares.isEmpty()) {
                return Optional.empty();
            }
            s2 = squares.getAsDouble();
        } else {
            s2 = s1.getAsDouble(); // a proportion: each observation is 0 or 1
        }
        return Optional.of(new Moments(Math.max(0, Math.round(n.getAsDouble())), s1.getAsDouble(), Math.max(0, s2)));
    }

    /**
     * A version or model name as it goes into a PromQL string or label matcher: model names and versions are
     * Kubernetes names (lower-case letters, digits, '-', '.'), which need no escaping in either; anything else is
     * refused rather than quoted.
     */
    static String promqlSafe(String name) throws MetricsException {
        if (!name.matches("[A-Za-z0-9][-A-Za-z0-9_.]*")) {
            throw new MetricsException("cannot put \"" + name + "\" into a Prometheus query: a model name or version"
                    + " must be letters, digits, '-', '_' or '.'");
        }
        return name;
    }

    private interface Over {
        String apply(String selector);
    }

    private VariantStats read(
            String model, String version, Over over, String all, String failed, String service, Double at)
            throws MetricsException {
        double requests = query("sum(" + over.apply(REQUESTS + all) + ")", at).orElse(0);
        double errors = query("sum(" + over.apply(REQUESTS + failed) + ")", at).orElse(0);
        long requestCount = Math.max(0, Math.round(requests));
        long errorCount = Math.min(requestCount, Math.max(0, Math.round(errors)));
        if (requestCount == 0) {
            return new VariantStats(version, 0, 0, 0, 0, 0);
        }
        String le = sloBucket(model, version);
        // answers slower than the SLO: all of the histogram's answers less those within the SLO's bucket
        OptionalDouble slower = query(
                "sum(" + over.apply(BUCKETS + "{" + service + ",le=\"+Inf\"}") + ") - sum("
                        + over.apply(BUCKETS + "{" + service + ",le=\"" + le + "\"}") + ")",
                at);
        if (slower.isEmpty()) {
            throw missingBucket(model, version, bucketsOf(service));
        }
        long violations = Math.min(requestCount, Math.max(0, Math.round(slower.getAsDouble())));
        String histogram = "sum by (le) (" + over.apply(BUCKETS + "{" + service + "}") + ")";
        double p50 = query("histogram_quantile(0.5, " + histogram + ")", at).orElse(0) * 1000;
        double p99 = query("histogram_quantile(0.99, " + histogram + ")", at).orElse(0) * 1000;
        return new VariantStats(version, requestCount, errorCount, violations, p50, p99);
    }

    /**
     * Fails, before the experiment starts, when Traefik exports no histogram bucket at the SLO: the bucket bounds
     * are Traefik's {@code metrics.prometheus.buckets}, one setting for all its services, so the champion's series
     * (or, when it has none yet, any Traefik service's under the same matchers) show whether the bound is there.
     * Fails too when the label matchers select none of the Traefik series Prometheus has. When Prometheus has none
     * at all (nothing served or scraped yet) there is nothing to judge: the first reading with requests checks again.
     */
    @Override
    public void preflight(String model, String champion) throws MetricsException {
        List<String> buckets = bucketsOf(selector(model, champion));
        if (buckets.isEmpty()) {
            buckets = bucketsOf(matchers.selectorSuffix().replaceFirst("^,", ""));
        }
        if (buckets.isEmpty()) {
            if (!matchers.isEmpty() && !bucketsOf("").isEmpty()) {
                throw new MetricsException("Prometheus at " + prometheus + " has no " + BUCKETS + " series matching "
                        + matchers + ", though it has Traefik's without them: check the Prometheus label matchers");
            }
            return;
        }
        Optional<String> found = bucketAt(sloSeconds, buckets);
        if (found.isEmpty()) {
            throw missingBucket(model, champion, buckets);
        }
        sloBucket = found.get();
    }

    private MetricsException missingBucket(String model, String version, List<String> buckets) {
        String le = formatBucket(sloSeconds);
        // the setting to write: the bounds Traefik has now (without +Inf, which it always adds) and the SLO's
        List<String> wanted = new ArrayList<>(List.of(le));
        buckets.stream()
                .filter(b -> !b.equals("+Inf"))
                .map(b -> formatBucket(bound(b)))
                .forEach(wanted::add);
        wanted.sort((a, b) -> Double.compare(bound(a), bound(b)));
        return new MetricsException("Prometheus at " + prometheus + " has no bucket le=\"" + le + "\" of"
                + " traefik_service_request_duration_seconds for " + model + " " + version + ", so answers slower"
                + " than the SLO of " + formatBucket(sloSeconds * 1000) + " ms cannot be counted; the buckets found"
                + " are " + (buckets.isEmpty() ? "(none)" : String.join(", ", buckets)) + ": add " + le
                + " to Traefik's metrics.prometheus.buckets (Helm values: metrics.prometheus.buckets: \""
                + String.join(",", wanted.stream().distinct().toList()) + "\")");
    }

    /** The SLO's {@code le} label as stored, found among the bucket label values of the version (or preflight's). */
    private String sloBucket(String model, String version) throws MetricsException {
        String known = sloBucket;
        if (known != null) {
            return known;
        }
        List<String> buckets = bucketsOf(selector(model, version));
        String found = bucketAt(sloSeconds, buckets).orElseThrow(() -> missingBucket(model, version, buckets));
        sloBucket = found;
        return found;
    }

    /**
     * The label among {@code buckets} whose bound is {@code seconds}, compared as numbers: Prometheus 2 stores the
     * {@code le} label as the exporter wrote it ({@code "1"} from Traefik's Go client), Prometheus 3 normalises it
     * to a float form ({@code "1.0"}), and either must match the SLO.
     */
    static Optional<String> bucketAt(double seconds, List<String> buckets) {
        for (String le : buckets) {
            try {
                if (Double.parseDouble(le.strip()) == seconds) {
                    return Optional.of(le);
                }
            } catch (NumberFormatException e) {
                // not a bound (e.g. "+Inf" parses; anything else is no bucket of ours)
            }
        }
        return Optional.empty();
    }

    /** The {@code le} values of the Traefik duration buckets selected by {@code inside} (braces' content). */
    List<String> bucketsOf(String inside) throws MetricsException {
        String match = BUCKETS + "{" + inside + "}";
        JsonNode data =
                get("/api/v1/label/le/values?match[]=" + URLEncoder.encode(match, StandardCharsets.UTF_8), match);
        List<String> values = new ArrayList<>();
        data.forEach(v -> values.add(v.asText()));
        values.sort((a, b) -> Double.compare(bound(a), bound(b)));
        return values;
    }

    private static double bound(String le) {
        try {
            return Double.parseDouble(le);
        } catch (NumberFormatException e) {
            return Double.MAX_VALUE;
        }
    }

    /** The time of the version's last scraped sample ({@code timestamp()} of its counter); the epoch when none. */
    @Override
    public Instant asOf(String model, String version) throws MetricsException {
        OptionalDouble seconds = query("max(timestamp(" + REQUESTS + "{" + selector(model, version) + "}))", null);
        return seconds.isPresent() ? Instant.ofEpochMilli(Math.round(seconds.getAsDouble() * 1000)) : Instant.EPOCH;
    }

    /** Prometheus' clock now, in seconds: the evaluation time of one reading's queries. */
    private double prometheusNow() throws MetricsException {
        return query("time()", null)
                .orElseThrow(() -> new MetricsException("Prometheus at " + prometheus + " gave no value for time()"));
    }

    /** Bucket bounds in Go's shortest form (0.05, 0.1, 1, 2.5), as Prometheus 2 stores Traefik's. */
    static String formatBucket(double seconds) {
        String text = Double.toString(seconds);
        if (text.endsWith(".0")) {
            text = text.substring(0, text.length() - 2);
        }
        return text.toLowerCase(Locale.ROOT);
    }

    /**
     * The value of a query that yields at most one sample (or a scalar); empty when it yields none.
     *
     * @param at the evaluation time in seconds; null: Prometheus' now
     */
    OptionalDouble query(String promql, Double at) throws MetricsException {
        String path = "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)
                + (at == null ? "" : "&time=" + String.format(Locale.ROOT, "%.3f", at));
        JsonNode data = get(path, promql);
        JsonNode result = data.path("result");
        if ("scalar".equals(data.path("resultType").asText())) {
            return parse(result.path(1).asText());
        }
        if (result.isEmpty()) {
            return OptionalDouble.empty();
        }
        if (result.size() > 1) {
            throw new MetricsException("Prometheus query " + promql + " gave " + result.size() + " series, expected 1");
        }
        return parse(result.get(0).path("value").path(1).asText());
    }

    private static OptionalDouble parse(String value) {
        double parsed = Double.parseDouble(value);
        return Double.isNaN(parsed) ? OptionalDouble.empty() : OptionalDouble.of(parsed);
    }

    /** The {@code data} of a successful API answer. */
    private JsonNode get(String pathAndQuery, String what) throws MetricsException {
        URI uri = prometheus.resolve(pathAndQuery);
        HttpResponse<String> response;
        try {
            response = http.send(
                    HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new MetricsException(
                    "cannot query Prometheus at " + prometheus + " (" + what + "): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MetricsException("interrupted while querying Prometheus at " + prometheus, e);
        }
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new MetricsException(
                    "Prometheus at " + prometheus + " answered " + response.statusCode()
                            + " with a body that is not JSON for " + what,
                    e);
        }
        if (response.statusCode() != 200
                || !"success".equals(body.path("status").asText())) {
            throw new MetricsException("Prometheus at " + prometheus + " refused " + what + ": " + response.statusCode()
                    + " " + body.path("error").asText(response.body()));
        }
        return body.path("data");
    }
}
