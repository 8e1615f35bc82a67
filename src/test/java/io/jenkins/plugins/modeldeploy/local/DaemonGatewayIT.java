package io.jenkins.plugins.modeldeploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.modeldeploy.abtest.GatedMetric;
import io.jenkins.plugins.modeldeploy.abtest.MetricsSource;
import io.jenkins.plugins.modeldeploy.abtest.Moments;
import io.jenkins.plugins.modeldeploy.abtest.ShadowStats;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.target.RolloutRequest;
import io.jenkins.plugins.modeldeploy.target.Target;
import io.jenkins.plugins.modeldeploy.testing.TestModels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17's gateway features through the daemon's control API, as the CLI drives them: stickiness, feedback on the
 * stable route read back as a quality window, and a shadow's comparison.
 */
class DaemonGatewayIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private static HttpResponse<String> post(URI uri, String body, String... headers) throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void stickinessFeedbackQualityAndShadowThroughTheControlApi() throws Exception {
        Path model = TestModels.testModel("echo-python", dir);
        LocalDaemon daemon = LocalDaemon.start(
                new LocalDaemon.Options(dir.resolve("state"), OptionalInt.empty(), Optional.empty()), line -> {});
        try (Target target = LocalClient.connect(dir.resolve("state"), event -> {})) {
            for (String version : List.of("1", "2")) {
                target.rollout(new RolloutRequest(
                        ModelVersion.of(new ModelSpecLoader().load(model), version, "test"),
                        Optional.empty(),
                        Map.of(),
                        Duration.ofMinutes(1)));
            }
            target.router().reconcile("echo", List.of("1", "2"));
            target.router().setWeights("echo", Map.of("1", 50, "2", 50));
            target.router().setSticky("echo", Optional.of("X-User-Id"));
            MetricsSource metrics = target.metrics(1000).orElseThrow();
            List<GatedMetric> accuracy = List.of(GatedMetric.parse("accuracy"));
            Map<String, MetricsSource.Window> windows = Map.of(
                    "1", metrics.window("echo", "1", Instant.now(), accuracy),
                    "2", metrics.window("echo", "2", Instant.now(), accuracy));
            URI predict = URI.create(target.router().stableEndpoint("echo") + "/predict");
            URI feedback = URI.create(target.router().stableEndpoint("echo") + "/feedback");
            String sticky = null;
            // issue 17's done-when: one header value stays on one variant across 1,000 requests (50% each way)
            for (int i = 0; i < 1000; i++) {
                HttpResponse<String> answer = post(predict, "{\"instances\": [[1, 2]]}", "X-User-Id", "bob");
                String version = answer.headers().firstValue("X-Model-Version").orElseThrow();
                sticky = sticky == null ? version : sticky;
                assertThat(version).isEqualTo(sticky);
                if (i >= 50) {
                    continue; // feedback for the first 50
                }
                String id = answer.headers().firstValue("X-Request-Id").orElseThrow();
                HttpResponse<String> fed =
                        post(feedback, "{\"id\": \"" + id + "\", \"label\": " + (i < 40 ? 3 : 0) + "}");
                assertThat(fed.statusCode()).as(fed.body()).isEqualTo(200);
            }
            var stats = windows.get(sticky).read();
            assertThat(stats.quality("accuracy")).isEqualTo(new Moments(50, 40, 40));
            assertThat(stats.units()).isEqualTo(1);
            assertThat(stats.requests()).isEqualTo(1000);
            String other = sticky.equals("1") ? "2" : "1";
            assertThat(windows.get(other).read().quality("accuracy")).isEqualTo(Moments.NONE);

            target.router().setSticky("echo", Optional.empty());
            target.router().setWeights("echo", Map.of(sticky, 100, other, 0));
            target.router().setMirror("echo", other, 100);
            for (int i = 0; i < 20; i++) {
                assertThat(post(predict, "{\"instances\": [[" + i + ", 2]]}").statusCode())
                        .isEqualTo(200);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (metrics.shadow("echo", other).compared() < 20 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(metrics.shadow("echo", other)).isEqualTo(new ShadowStats(20, 20, 0, List.of()));
            target.router().clearMirror("echo");
        } finally {
            daemon.close();
        }
    }
}
