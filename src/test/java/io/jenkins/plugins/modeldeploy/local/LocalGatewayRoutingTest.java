package io.jenkins.plugins.modeldeploy.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.modeldeploy.abtest.GatedMetric;
import io.jenkins.plugins.modeldeploy.abtest.MetricsSource;
import io.jenkins.plugins.modeldeploy.abtest.Moments;
import io.jenkins.plugins.modeldeploy.abtest.ShadowStats;
import io.jenkins.plugins.modeldeploy.abtest.VariantStats;
import io.jenkins.plugins.modeldeploy.route.RoutingException;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's routing beyond weights, against fake harnesses (JDK servers answering as the harness does: request id
 * and version headers, feedback, /metrics): header forwarding, the X-Model-Version override, feedback through the
 * stable route, sticky assignment, shadow comparison, quality from feedback counters, and the prediction sink.
 */
class LocalGatewayRoutingTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private LocalGateway gateway;
    private final List<Fake> fakes = new ArrayList<>();

    /**
     * A fake harness: {@code /predict} answers {@code {"predictions":[x]}} for a body {@code {"x": x}} (plus
     * {@code offset}, or x+1 for odd x when {@code disagreesOnOdd}); {@code /feedback} counts its ids; {@code
     * /metrics} shows the feedback counters.
     */
    static final class Fake {
        final String version;
        final GatewayServer server;
        final List<Map<String, String>> seenHeaders = new CopyOnWriteArrayList<>();
        final List<String> feedbackBodies = new CopyOnWriteArrayList<>();
        final AtomicInteger predictions = new AtomicInteger();
        final AtomicLong ids = new AtomicLong();
        volatile boolean disagreesOnOdd;
        volatile int status = 200;
        volatile String metrics = "";

        Fake(String version) throws IOException {
            this.version = version;
            // the gateway's own server stands in for a harness: one write per answer, TCP_NODELAY
            server = GatewayServer.start(
                    0,
                    this::serve,
                    (status, message) -> new GatewayServer.Response(status, null, Map.of(), new byte[0]),
                    1 << 20);
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + server.port());
        }

        private GatewayServer.Response serve(GatewayServer.Request request) {
            Map<String, String> headers = new HashMap<>();
            request.headers().forEach(header -> headers.put(header.getKey().toLowerCase(), header.getValue()));
            String body = new String(request.body(), StandardCharsets.UTF_8);
            String path = request.rawPath();
            String answer;
            String id = headers.getOrDefault("x-request-id", version + "-" + ids.incrementAndGet());
            int code = 200;
            if (path.endsWith("/feedback")) {
                feedbackBodies.add(body);
                answer = "{\"accepted\":1}";
            } else if (path.equals("/metrics")) {
                answer = metrics;
            } else {
                seenHeaders.add(headers);
                predictions.incrementAndGet();
                long x;
                try {
                    x = Wire.JSON.readTree(body).path("x").asLong();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                long y = disagreesOnOdd && x % 2 == 1 ? x + 1 : x;
                answer = "{\"predictions\":[" + y + "]}";
                code = status;
            }
            return new GatewayServer.Response(
                    code,
                    "application/json",
                    Map.of("X-Request-Id", id, "X-Model-Version", version),
                    answer.getBytes(StandardCharsets.UTF_8));
        }
    }

    @BeforeEach
    void start() throws IOException {
        gateway = LocalGateway.start(0);
    }

    @AfterEach
    void stop() {
        gateway.close();
        fakes.forEach(fake -> fake.server.close());
    }

    private Fake backend(String version) throws IOException {
        Fake fake = new Fake(version);
        fakes.add(fake);
        gateway.register(new VersionRef("m", version), fake.uri(), 1000);
        return fake;
    }

    private void route(Map<String, Integer> weights) throws RoutingException {
        gateway.reconcile("m", weights.keySet());
        gateway.setWeights("m", weights);
    }

    private HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(gateway.baseUri() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void passesTheClientsHeadersOnAndTheBackendsIdAndVersionBack() throws Exception {
        Fake one = backend("1");
        route(Map.of("1", 100));
        HttpResponse<String> answer = post(
                "/models/m/predict",
                "{\"x\": 4}",
                "X-Request-Id",
                "req-42",
                "Cookie",
                "session=abc",
                "Accept",
                "application/json",
                "X-User-Id",
                "u7");
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("X-Request-Id")).hasValue("req-42");
        assertThat(answer.headers().firstValue("X-Model-Version")).hasValue("1");
        Map<String, String> seen = one.seenHeaders.get(0);
        assertThat(seen)
                .containsEntry("x-request-id", "req-42")
                .containsEntry("cookie", "session=abc")
                .containsEntry("accept", "application/json")
                .containsEntry("x-user-id", "u7");
    }

    @Test
    void xModelVersionForcesAVersionWithoutCountingInTheExperiment() throws Exception {
        backend("1");
        Fake two = backend("2");
        route(Map.of("1", 100, "2", 0));
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> forced = post("/models/m/predict", "{\"x\": 1}", "X-Model-Version", "2");
            assertThat(forced.headers().firstValue("X-Model-Version")).hasValue("2");
            assertThat(forced.headers().firstValue(LocalGateway.ROUTE_HEADER)).hasValue("forced");
        }
        assertThat(two.predictions.get()).isEqualTo(20);
        assertThat(gateway.sample("m", "2").requests()).isZero();
        assertThat(gateway.sample("m", "1").requests()).isZero();
        HttpResponse<String> unknown = post("/models/m/predict", "{\"x\": 1}", "X-Model-Version", "9");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(Wire.JSON.readTree(unknown.body()).path("error").asText())
                .contains("version 9 of model m")
                .contains("no route");
    }

    @Test
    void feedbackOnTheStableRouteReachesTheVersionThatAnswered() throws Exception {
        Fake one = backend("1");
        Fake two = backend("2");
        route(Map.of("1", 50, "2", 50));
        Map<String, String> versionById = new HashMap<>();
        for (int i = 0; i < 40; i++) {
            HttpResponse<String> answer = post("/models/m/predict", "{\"x\": 1}");
            versionById.put(
                    answer.headers().firstValue("X-Request-Id").orElseThrow(),
                    answer.headers().firstValue("X-Model-Version").orElseThrow());
        }
        assertThat(versionById.values()).contains("1", "2");
        for (Map.Entry<String, String> entry : versionById.entrySet()) {
            String path = entry.getValue().equals("1") ? "/models/m/feedback" : "/models/m/v2/models/m/feedback";
            HttpResponse<String> fed = post(path, "{\"id\": \"" + entry.getKey() + "\", \"label\": 1}");
            assertThat(fed.statusCode()).isEqualTo(200);
            assertThat(fed.headers().firstValue("X-Model-Version")).hasValue(entry.getValue());
        }
        long toOne = versionById.values().stream().filter("1"::equals).count();
        assertThat(one.feedbackBodies).hasSize((int) toOne);
        assertThat(two.feedbackBodies).hasSize(40 - (int) toOne);

        HttpResponse<String> unknown = post("/models/m/feedback", "[{\"id\": \"nope\", \"label\": 1}]");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(Wire.JSON.readTree(unknown.body()).path("error").asText()).startsWith("[0].id: unknown id 'nope'");
        String oneId = versionById.entrySet().stream()
                .filter(e -> e.getValue().equals("1"))
                .findFirst()
                .orElseThrow()
                .getKey();
        String twoId = versionById.entrySet().stream()
                .filter(e -> e.getValue().equals("2"))
                .findFirst()
                .orElseThrow()
                .getKey();
        HttpResponse<String> mixed = post(
                "/models/m/feedback",
                "[{\"id\": \"" + oneId + "\", \"label\": 1}, {\"id\": \"" + twoId + "\", \"label\": 1}]");
        assertThat(mixed.statusCode()).isEqualTo(400);
        assertThat(mixed.body()).contains("versions [1, 2]");
        // the header names the version whatever the gateway remembers
        HttpResponse<String> named =
                post("/models/m/feedback", "{\"id\": \"" + oneId + "\", \"label\": 1}", "X-Model-Version", "2");
        assertThat(named.headers().firstValue("X-Model-Version")).hasValue("2");
        assertThat(post("/models/m/feedback", "{\"label\": 1}").body()).contains("id: missing");
        assertThat(gateway.sample("m", "1").requests()
                        + gateway.sample("m", "2").requests())
                .isEqualTo(40);
    }

    @Test
    void aStickyHeaderKeepsOneValueOnOneVariantAndSplitsManyByWeight() throws Exception {
        backend("1");
        backend("2");
        route(Map.of("1", 70, "2", 30));
        gateway.setSticky("m", Optional.of("X-User-Id"));
        String first = null;
        for (int i = 0; i < 1000; i++) {
            String version = post("/models/m/predict", "{\"x\": 1}", "X-User-Id", "alice")
                    .headers()
                    .firstValue("X-Model-Version")
                    .orElseThrow();
            first = first == null ? version : first;
            assertThat(version).isEqualTo(first);
        }
        assertThat(gateway.sample("m", first).units()).isEqualTo(1);
        assertThat(gateway.sample("m", first.equals("1") ? "2" : "1").units()).isEqualTo(-1);

        gateway.setWeights("m", Map.of("1", 70, "2", 30));
        int toTwo = 0;
        int users = 2000;
        for (int i = 0; i < users; i++) {
            String version = post("/models/m/predict", "{\"x\": 1}", "X-User-Id", "user-" + i)
                    .headers()
                    .firstValue("X-Model-Version")
                    .orElseThrow();
            if (version.equals("2")) {
                toTwo++;
            }
        }
        // Binomial(2000, 0.3): standard deviation 20.5; 5 sigma either side
        assertThat(toTwo).isBetween(600 - 103, 600 + 103);
        long units = gateway.sample("m", "1").units() + gateway.sample("m", "2").units();
        assertThat(units).isBetween(Math.round(2001 * 0.95), Math.round(2001 * 1.05));
        assertThatThrownBy(() -> gateway.setSticky("m", Optional.of("bad header")))
                .isInstanceOf(RoutingException.class)
                .hasMessageContaining("token");
    }

    @Test
    void aShadowGetsCopiesComparedWithProductionAndClientsSeeOnlyProduction() throws Exception {
        Fake one = backend("1");
        Fake two = backend("2");
        two.disagreesOnOdd = true;
        route(Map.of("1", 100, "2", 0));
        List<PredictionSink.Prediction> logged = new CopyOnWriteArrayList<>();
        gateway.predictionSink(logged::add);
        assertThatThrownBy(() -> gateway.setMirror("m", "7", 50)).hasMessageContaining("no route");
        assertThatThrownBy(() -> gateway.setMirror("m", "2", 0)).hasMessageContaining("1 to 100");
        gateway.setMirror("m", "2", 100);
        int n = 200;
        for (int i = 0; i < n; i++) {
            HttpResponse<String> answer = post("/models/m/predict", "{\"x\": " + i + "}");
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("{\"predictions\":[" + i + "]}");
            assertThat(answer.headers().firstValue("X-Model-Version")).hasValue("1");
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        ShadowStats stats = gateway.shadow("m", "2");
        while (stats.compared() + stats.failed() + gateway.shadowDropped() < n && System.nanoTime() < deadline) {
            Thread.sleep(20);
            stats = gateway.shadow("m", "2");
        }
        assertThat(gateway.shadowDropped()).isZero();
        assertThat(stats.compared()).isEqualTo(n);
        assertThat(stats.agreed()).isEqualTo(n / 2);
        assertThat(stats.failed()).isZero();
        assertThat(stats.examples()).hasSize(ShadowComparison.MAX_EXAMPLES);
        assertThat(stats.examples().get(0).production()).isEqualTo("{\"predictions\":[1]}");
        assertThat(stats.examples().get(0).shadow()).isEqualTo("{\"predictions\":[2]}");
        assertThat(gateway.sample("m", "2").requests()).isEqualTo(n);
        assertThat(gateway.sample("m", "1").requests()).isEqualTo(n);
        assertThat(gateway.failedRequests()).isZero();
        assertThat(one.predictions.get()).isEqualTo(n);
        assertThat(two.predictions.get()).isEqualTo(n);
        assertThat(logged.stream().filter(p -> p.route().equals("shadow"))).hasSize(n);
        assertThat(logged.stream().filter(p -> p.route().equals("stable"))).hasSize(n);

        two.status = 500;
        gateway.clearMirror("m");
        post("/models/m/predict", "{\"x\": 1}");
        Thread.sleep(100);
        assertThat(gateway.shadow("m", "2").compared()).isEqualTo(n); // kept after the mirror ended
        gateway.setMirror("m", "2", 100);
        assertThat(post("/models/m/predict", "{\"x\": 2}").statusCode()).isEqualTo(200);
        deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (gateway.shadow("m", "2").failed() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(gateway.shadow("m", "2")).isEqualTo(new ShadowStats(0, 0, 1, List.of()));
        assertThat(gateway.sample("m", "2").errors()).isEqualTo(1);
        assertThat(gateway.failedRequests()).isZero();
    }

    @Test
    void theUnitSketchIsExactForFewUnitsAndWithinAFewPercentForMany() {
        UnitSketch few = new UnitSketch();
        for (int i = 0; i < 1000; i++) {
            few.add("user-" + (i % 37));
        }
        assertThat(few.estimate()).isEqualTo(37);
        UnitSketch many = new UnitSketch();
        for (int i = 0; i < 200_000; i++) {
            many.add("user-" + i);
        }
        // standard error 1.04/sqrt(4096) = 1.6%; 3 of them either side
        assertThat(many.estimate()).isBetween(Math.round(200_000 * 0.95), Math.round(200_000 * 1.05));
    }

    @Test
    void comparesNumbersWithinARelativeToleranceAndV2Outputs() throws IOException {
        assertThat(ShadowComparison.agree(
                        "{\"predictions\":[1.0, \"a\"]}".getBytes(StandardCharsets.UTF_8),
                        "{\"predictions\":[1.0000000000001, \"a\"]}".getBytes(StandardCharsets.UTF_8)))
                .isTrue();
        assertThat(ShadowComparison.agree(
                        "{\"predictions\":[1.0]}".getBytes(StandardCharsets.UTF_8),
                        "{\"predictions\":[1.001]}".getBytes(StandardCharsets.UTF_8)))
                .isFalse();
        assertThat(ShadowComparison.agree(
                        "{\"id\":\"a\",\"outputs\":[{\"name\":\"output-0\",\"data\":[1,2]}]}"
                                .getBytes(StandardCharsets.UTF_8),
                        "{\"id\":\"b\",\"outputs\":[{\"name\":\"output-0\",\"data\":[1.0,2.0]}]}"
                                .getBytes(StandardCharsets.UTF_8)))
                .isTrue();
    }

    @Test
    void windowsReadQualityFromTheHarnessFeedbackCounters() throws Exception {
        Fake one = backend("1");
        route(Map.of("1", 100));
        one.metrics = feedbackMetrics("1", 10, 8, 10, 5, 4, 3.5, 2, 1.5, 1.25);
        List<GatedMetric> quality = List.of(
                GatedMetric.parse("accuracy"),
                GatedMetric.parse("mae;margin=0.1"),
                GatedMetric.parse("rmse;margin=0.1"),
                GatedMetric.parse("reward;margin=0.1"));
        MetricsSource.Window window = gateway.window("m", "1", Instant.now(), quality);
        one.metrics = feedbackMetrics("1", 30, 20, 14, 7, 5, 4, 5, 4.5, 6.25)
                + feedbackMetrics("9", 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000);
        VariantStats stats = window.read();
        assertThat(stats.quality("accuracy")).isEqualTo(new Moments(20, 12, 12));
        assertThat(stats.quality("mae")).isEqualTo(new Moments(4, 2, 1));
        assertThat(stats.quality("rmse")).isEqualTo(new Moments(4, 1, 0.5));
        assertThat(stats.quality("reward")).isEqualTo(new Moments(3, 3, 5));
        gateway.markDown(new VersionRef("m", "1"));
        assertThatThrownBy(window::read).hasMessageContaining("not running");
    }

    private static String feedbackMetrics(
            String version,
            double labelled,
            double correct,
            double numeric,
            double absolute,
            double squared,
            double fourth,
            double rewards,
            double rewardSum,
            double rewardSquares) {
        String labels = "{model=\"m\",version=\"" + version + "\"} ";
        return "# TYPE model_deploy_feedback_labelled_total counter\n"
                + "model_deploy_feedback_labelled_total" + labels + labelled + "\n"
                + "model_deploy_feedback_correct_total" + labels + correct + "\n"
                + "model_deploy_feedback_numeric_labelled_total" + labels + numeric + "\n"
                + "model_deploy_feedback_absolute_error_total" + labels + absolute + "\n"
                + "model_deploy_feedback_squared_error_total" + labels + squared + "\n"
                + "model_deploy_feedback_squared_error_squares_total" + labels + fourth + "\n"
                + "model_deploy_feedback_rewards_total" + labels + rewards + "\n"
                + "model_deploy_feedback_reward_sum" + labels + rewardSum + "\n"
                + "model_deploy_feedback_reward_squares_total" + labels + rewardSquares + "\n";
    }
}
