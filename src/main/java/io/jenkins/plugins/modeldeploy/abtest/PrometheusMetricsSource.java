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
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * Reads what each variant served from Traefik's Prometheus metrics: {@code traefik_service_requests_total} (by
 * status code) and the {@code traefik_service_request_duration_seconds} histogram of the version's Kubernetes
 * Service ({@code <namespace>-<model>-<version>-80@kubernetes…}). Counting SLO violations needs a histogram bucket
 * at exactly the SLO ({@code le="0.05"} for 50 ms): Traefik's {@code metrics.prometheus.buckets} must include it,
 * and the error says so when it does not.
 */
public final class PrometheusMetricsSource implements MetricsSource {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final URI prometheus;
    private final String namespace;
    private final double sloSeconds;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    /**
     * @param prometheus the server's base URL, e.g. {@code http://prometheus.monitoring:9090}
     * @param sloP99Ms   answers slower than this count as SLO violations
     */
    public PrometheusMetricsSource(URI prometheus, String namespace, double sloP99Ms) {
        this.prometheus = prometheus;
        this.namespace = namespace;
        this.sloSeconds = sloP99Ms / 1000.0;
    }

    @Override
    public VariantStats sample(String model, String version) throws MetricsException {
        String service = "service=~\"" + namespace + "-" + model + "-" + version + "-80@kubernetes.*\"";
        double requests =
                query("sum(traefik_service_requests_total{" + service + "})").orElse(0);
        double errors = query("sum(traefik_service_requests_total{" + service + ",code!~\"2..\"})")
                .orElse(0);
        double withinSlo = 0;
        if (requests > 0) {
            String le = formatBucket(sloSeconds);
            withinSlo = query("sum(traefik_service_request_duration_seconds_bucket{" + service + ",le=\"" + le + "\"})")
                    .orElseThrow(() -> new MetricsException("Prometheus at " + prometheus + " has no bucket"
                            + " le=\"" + le + "\" of traefik_service_request_duration_seconds for " + model + " "
                            + version
                            + ": add " + le
                            + " to Traefik's metrics.prometheus.buckets so SLO violations can be counted"));
        }
        String histogram = "sum by (le) (traefik_service_request_duration_seconds_bucket{" + service + "})";
        double p50 = requests > 0
                ? query("histogram_quantile(0.5, " + histogram + ")").orElse(0) * 1000
                : 0;
        double p99 = requests > 0
                ? query("histogram_quantile(0.99, " + histogram + ")").orElse(0) * 1000
                : 0;
        return new VariantStats(
                version,
                Math.round(requests),
                Math.round(errors),
                Math.max(0, Math.round(requests - withinSlo)),
                p50,
                p99);
    }

    /** The time of the version's last scraped sample ({@code timestamp()} of its counter); the epoch when none. */
    @Override
    public java.time.Instant asOf(String model, String version) throws MetricsException {
        String service = "service=~\"" + namespace + "-" + model + "-" + version + "-80@kubernetes.*\"";
        OptionalDouble seconds = query("max(timestamp(traefik_service_requests_total{" + service + "}))");
        return seconds.isPresent()
                ? java.time.Instant.ofEpochMilli(Math.round(seconds.getAsDouble() * 1000))
                : java.time.Instant.EPOCH;
    }

    /** Prometheus writes bucket bounds in Go's shortest form: 0.05, 0.1, 1, 2.5. */
    static String formatBucket(double seconds) {
        String text = Double.toString(seconds);
        if (text.endsWith(".0")) {
            text = text.substring(0, text.length() - 2);
        }
        return text.toLowerCase(Locale.ROOT);
    }

    /** The value of a query that yields at most one sample; empty when it yields none. */
    OptionalDouble query(String promql) throws MetricsException {
        URI uri = prometheus.resolve("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        HttpResponse<String> response;
        try {
            response = http.send(
                    HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new MetricsException(
                    "cannot query Prometheus at " + prometheus + " (" + promql + "): " + e.getMessage(), e);
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
                            + " with a body that is not JSON for " + promql,
                    e);
        }
        if (response.statusCode() != 200
                || !"success".equals(body.path("status").asText())) {
            throw new MetricsException("Prometheus at " + prometheus + " refused " + promql + ": "
                    + response.statusCode() + " " + body.path("error").asText(response.body()));
        }
        JsonNode result = body.path("data").path("result");
        if (result.isEmpty()) {
            return OptionalDouble.empty();
        }
        if (result.size() > 1) {
            throw new MetricsException("Prometheus query " + promql + " gave " + result.size() + " series, expected 1");
        }
        String value = result.get(0).path("value").path(1).asText();
        double parsed = Double.parseDouble(value);
        return Double.isNaN(parsed) ? OptionalDouble.empty() : OptionalDouble.of(parsed);
    }
}
