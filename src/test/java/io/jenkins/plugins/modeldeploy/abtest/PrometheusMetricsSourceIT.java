package io.jenkins.plugins.modeldeploy.abtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.jenkins.plugins.modeldeploy.testing.PrometheusServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Reading the variants from a real Prometheus that scrapes metrics shaped like Traefik's (a stand-in exporter with
 * Traefik's metric names and labels, since Traefik itself cannot run here).
 */
class PrometheusMetricsSourceIT {
    private static String traefikMetrics(String service, long ok, long failed, long okFast, long failedFast) {
        String labels = "method=\"POST\",protocol=\"http\",service=\"" + service + "\"";
        return "# TYPE traefik_service_requests_total counter\n"
                + "traefik_service_requests_total{code=\"200\"," + labels + "} " + ok + "\n"
                + "traefik_service_requests_total{code=\"500\"," + labels + "} " + failed + "\n"
                + "# TYPE traefik_service_request_duration_seconds histogram\n"
                + bucketLines("200", labels, okFast, ok) + bucketLines("500", labels, failedFast, failed);
    }

    private static String bucketLines(String code, String labels, long fast, long all) {
        String prefix = "traefik_service_request_duration_seconds_bucket{code=\"" + code + "\"," + labels;
        return prefix + ",le=\"0.01\"} " + fast / 2 + "\n" + prefix + ",le=\"0.05\"} " + fast + "\n" + prefix
                + ",le=\"0.1\"} " + all + "\n" + prefix + ",le=\"+Inf\"} " + all + "\n"
                + "traefik_service_request_duration_seconds_sum{code=\"" + code + "\"," + labels + "} " + all * 0.02
                + "\ntraefik_service_request_duration_seconds_count{code=\"" + code + "\"," + labels + "} " + all
                + "\n";
    }

    @Test
    void countsRequestsErrorsAndSloViolationsPerVersionFromTraefikMetrics() throws Exception {
        AtomicReference<String> metrics = new AtomicReference<>(traefikMetrics(
                        "ml-iris-1-80@kubernetes", 950, 50, 940, 50)
                + traefikMetrics("ml-iris-2-80@kubernetes", 100, 0, 100, 0).replaceAll("# TYPE.*\\n", ""));
        HttpServer exporter = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        exporter.createContext("/metrics", exchange -> {
            byte[] body = metrics.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        exporter.start();
        try (PrometheusServer prometheus =
                PrometheusServer.start("127.0.0.1:" + exporter.getAddress().getPort())) {
            PrometheusMetricsSource source = new PrometheusMetricsSource(prometheus.url(), "ml", 50);
            VariantStats one = awaitRequests(source, "1", 1000);
            assertThat(one.errors()).isEqualTo(50);
            assertThat(one.sloViolations()).isEqualTo(10);
            assertThat(one.p50Ms()).isBetween(5.0, 50.0);
            VariantStats two = awaitRequests(source, "2", 100);
            assertThat(two.errors()).isZero();
            assertThat(source.sample("iris", "3").requests()).isZero();

            metrics.set(traefikMetrics("ml-iris-1-80@kubernetes", 1950, 60, 1900, 60));
            VariantStats later = awaitRequests(source, "1", 2010);
            assertThat(later.errors()).isEqualTo(60);
            assertThat(later.sloViolations()).isEqualTo(50);

            PrometheusMetricsSource strict = new PrometheusMetricsSource(prometheus.url(), "ml", 20);
            assertThatThrownBy(() -> strict.sample("iris", "1"))
                    .isInstanceOf(MetricsException.class)
                    .hasMessageContaining("le=\"0.02\"")
                    .hasMessageContaining("metrics.prometheus.buckets");
        } finally {
            exporter.stop(0);
        }
        PrometheusMetricsSource down = new PrometheusMetricsSource(java.net.URI.create("http://127.0.0.1:9"), "ml", 50);
        assertThatThrownBy(() -> down.sample("iris", "1"))
                .isInstanceOf(MetricsException.class)
                .hasMessageContaining("cannot query Prometheus at http://127.0.0.1:9");
    }

    private static VariantStats awaitRequests(PrometheusMetricsSource source, String version, long expected)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        VariantStats stats = source.sample("iris", version);
        while (stats.requests() != expected && System.nanoTime() < deadline) {
            Thread.sleep(250);
            stats = source.sample("iris", version);
        }
        assertThat(stats.requests()).as("requests of version " + version).isEqualTo(expected);
        return stats;
    }
}
