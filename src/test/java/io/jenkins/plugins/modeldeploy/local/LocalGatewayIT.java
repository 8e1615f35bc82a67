package io.jenkins.plugins.modeldeploy.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.modeldeploy.abtest.GatedMetric;
import io.jenkins.plugins.modeldeploy.abtest.MetricsSource;
import io.jenkins.plugins.modeldeploy.abtest.Moments;
import io.jenkins.plugins.modeldeploy.abtest.ShadowStats;
import io.jenkins.plugins.modeldeploy.abtest.VariantStats;
import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.harness.HarnessOptions;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.route.RoutingException;
import io.jenkins.plugins.modeldeploy.smoke.LoadGenerator;
import io.jenkins.plugins.modeldeploy.smoke.LoadProfile;
import io.jenkins.plugins.modeldeploy.smoke.LoadResult;
import io.jenkins.plugins.modeldeploy.smoke.Payload;
import io.jenkins.plugins.modeldeploy.target.DeployedVersion;
import io.jenkins.plugins.modeldeploy.target.RetireMode;
import io.jenkins.plugins.modeldeploy.target.RolloutRequest;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import io.jenkins.plugins.modeldeploy.testing.TestModels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local target and gateway with real harness processes: routes, weights, health, and no lost request. */
class LocalGatewayIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final List<Payload> ONE = List.of(
            new Payload("sum", "{\"instances\": [[1, 2]]}".getBytes(StandardCharsets.UTF_8), 1, Optional.empty()));

    @TempDir
    Path work;

    private LocalGateway gateway;
    private LocalTarget target;
    private final List<DeploymentEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        gateway = LocalGateway.start(0);
        target = new LocalTarget(gateway, HarnessOptions.loopback(), work.resolve("state"), events::add, line -> {});
    }

    @AfterEach
    void stop() {
        target.close();
        gateway.close();
    }

    private DeployedVersion deploy(String version) throws Exception {
        Path dir = TestModels.testModel("echo-python", work.resolve("v" + version));
        ModelVersion modelVersion = ModelVersion.of(new ModelSpecLoader().load(dir), version, "test");
        return target.rollout(new RolloutRequest(modelVersion, Optional.empty(), Map.of(), Duration.ofMinutes(1)));
    }

    private HttpResponse<String> post(URI uri) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(uri)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"instances\": [[1, 2]]}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void routesEachVersionPathToThatVersionAndTheStablePathByWeight() throws Exception {
        deploy("1");
        deploy("2");
        gateway.reconcile("echo", List.of("1", "2"));
        gateway.setWeights("echo", Map.of("1", 100));

        HttpResponse<String> v2 = post(URI.create(gateway.baseUri() + "/models/echo/2/predict"));
        assertThat(v2.statusCode()).isEqualTo(200);
        assertThat(v2.body()).isEqualTo("{\"predictions\":[3]}");
        assertThat(v2.headers().firstValue("X-Model-Version")).hasValue("2");
        assertThat(v2.headers().firstValue(LocalGateway.ROUTE_HEADER)).hasValue("version");
        for (int i = 0; i < 20; i++) {
            assertThat(post(URI.create(gateway.stableEndpoint("echo") + "/predict"))
                            .headers()
                            .firstValue("X-Model-Version"))
                    .hasValue("1");
        }

        gateway.setWeights("echo", Map.of("1", 70, "2", 30));
        int toTwo = 0;
        int n = 1000;
        for (int i = 0; i < n; i++) {
            if ("2"
                    .equals(post(URI.create(gateway.stableEndpoint("echo") + "/predict"))
                            .headers()
                            .firstValue("X-Model-Version")
                            .orElseThrow())) {
                toTwo++;
            }
        }
        // Binomial(1000, 0.3): standard deviation 14.5; 5 sigma either side.
        assertThat(toTwo).isBetween(300 - 73, 300 + 73);
        VariantStats two = gateway.sample("echo", "2");
        assertThat(two.requests()).isEqualTo(toTwo);
        assertThat(two.errors()).isZero();
        assertThat(gateway.failedRequests()).isZero();
    }

    /** Item 2 of issue 17: predict on the stable route, feedback on the stable route, the serving harness counts it. */
    @Test
    void feedbackThroughTheStableRouteReachesTheServingVersionAndItsAccuracyIsRead() throws Exception {
        deploy("1");
        deploy("2");
        gateway.reconcile("echo", List.of("1", "2"));
        gateway.setWeights("echo", Map.of("1", 50, "2", 50));
        List<GatedMetric> accuracy = List.of(GatedMetric.parse("accuracy"));
        Map<String, MetricsSource.Window> windows = Map.of(
                "1", gateway.window("echo", "1", Instant.now(), accuracy),
                "2", gateway.window("echo", "2", Instant.now(), accuracy));
        Map<String, int[]> labelledAndCorrect = Map.of("1", new int[2], "2", new int[2]);
        for (int i = 0; i < 30; i++) {
            HttpResponse<String> answer = post(URI.create(gateway.stableEndpoint("echo") + "/predict"));
            String id = answer.headers().firstValue("X-Request-Id").orElseThrow();
            String version = answer.headers().firstValue("X-Model-Version").orElseThrow();
            int label = i % 3 == 0 ? 4 : 3; // the echo model predicts 3
            String path = i % 2 == 0 ? "/feedback" : "/v2/models/echo/feedback";
            HttpResponse<String> fed = HTTP.send(
                    HttpRequest.newBuilder(URI.create(gateway.stableEndpoint("echo") + path))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "{\"id\": \"" + id + "\", \"label\": " + label + "}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(fed.statusCode()).as(fed.body()).isEqualTo(200);
            assertThat(fed.headers().firstValue("X-Model-Version")).hasValue(version);
            labelledAndCorrect.get(version)[0]++;
            labelledAndCorrect.get(version)[1] += label == 3 ? 1 : 0;
        }
        for (String version : List.of("1", "2")) {
            int[] expected = labelledAndCorrect.get(version);
            assertThat(windows.get(version).read().quality("accuracy"))
                    .isEqualTo(new Moments(expected[0], expected[1], expected[1]));
            HttpResponse<String> metrics = HTTP.send(
                    HttpRequest.newBuilder(URI.create(gateway.versionEndpoint("echo", version) + "/metrics"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.body())
                    .contains("model_deploy_feedback_labelled_total{model=\"echo\",version=\"" + version + "\"} "
                            + expected[0]);
        }
        HttpResponse<String> unknown = HTTP.send(
                HttpRequest.newBuilder(URI.create(gateway.stableEndpoint("echo") + "/feedback"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"id\": \"never\", \"label\": 3}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("unknown id 'never'");
    }

    /** Issue 17's shadow mode: copies to a version that disagrees on odd inputs; clients only see production. */
    @Test
    void aShadowThatDisagreesOnSomeInputsIsReportedAndClientsSeeNoFailure() throws Exception {
        deploy("1");
        Path dir = TestModels.testModel("echo-python", work.resolve("v2"));
        Files.writeString(
                dir.resolve("model.py"),
                "\n_predict = predict\n\n\ndef predict(instances):\n"
                        + "    return [y + 1 if isinstance(x, list) and x[0] % 2 == 1 else y"
                        + " for x, y in zip(instances, _predict(instances))]\n",
                StandardOpenOption.APPEND);
        target.rollout(new RolloutRequest(
                ModelVersion.of(new ModelSpecLoader().load(dir), "2", "test"),
                Optional.empty(),
                Map.of(),
                Duration.ofMinutes(1)));
        gateway.reconcile("echo", List.of("1", "2"));
        gateway.setWeights("echo", Map.of("1", 100, "2", 0));
        gateway.setMirror("echo", "2", 100);
        int n = 100;
        for (int i = 0; i < n; i++) {
            HttpResponse<String> answer = HTTP.send(
                    HttpRequest.newBuilder(URI.create(gateway.stableEndpoint("echo") + "/predict"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"instances\": [[" + i + ", 1]]}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("{\"predictions\":[" + (i + 1) + "]}");
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (gateway.shadow("echo", "2").compared() + gateway.shadowDropped() < n && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        ShadowStats shadow = gateway.shadow("echo", "2");
        assertThat(shadow.compared()).isEqualTo(n);
        assertThat(shadow.agreed()).isEqualTo(n / 2);
        assertThat(shadow.agreementRate()).isEqualTo(0.5);
        assertThat(shadow.failed()).isZero();
        assertThat(shadow.examples()).hasSize(20);
        assertThat(shadow.examples().get(0))
                .isEqualTo(new ShadowStats.Disagreement(
                        "{\"instances\": [[1, 1]]}", "{\"predictions\":[2]}", "{\"predictions\":[3]}"));
        assertThat(gateway.sample("echo", "2").requests()).isEqualTo(n);
        assertThat(gateway.sample("echo", "2").errors()).isZero();
        assertThat(gateway.failedRequests()).isZero();
    }

    @Test
    void refusesSplitsItCannotServeAndNamesTheProblem() throws Exception {
        deploy("1");
        gateway.reconcile("echo", List.of("1"));
        assertThatThrownBy(() -> gateway.setWeights("echo", Map.of("1", 50, "2", 50)))
                .isInstanceOf(RoutingException.class)
                .hasMessageContaining("version 2")
                .hasMessageContaining("no route");
        assertThatThrownBy(() -> gateway.setWeights("echo", Map.of("1", 90)))
                .isInstanceOf(RoutingException.class)
                .hasMessageContaining("sum to 100");
        assertThatThrownBy(() -> gateway.reconcile("echo", List.of("1", "7")))
                .isInstanceOf(RoutingException.class)
                .hasMessageContaining("version 7");
        gateway.setWeights("echo", Map.of("1", 100));
        assertThatThrownBy(() -> target.retire(new VersionRef("echo", "1"), RetireMode.REMOVE))
                .hasMessageContaining("still sends it 100%");
        HttpResponse<String> unknown = post(URI.create(gateway.baseUri() + "/models/nope/predict"));
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("no model nope");
    }

    /** What curl and other clients send besides the plain case: 100-continue, chunked bodies, HTTP/1.0, garbage. */
    @Test
    void speaksHttp11AsClientsDo() throws Exception {
        deploy("1");
        gateway.reconcile("echo", List.of("1"));
        gateway.setWeights("echo", Map.of("1", 100));
        String body = "{\"instances\": [[1, 2]]}";
        try (java.net.Socket socket =
                new java.net.Socket("127.0.0.1", gateway.baseUri().getPort())) {
            var out = socket.getOutputStream();
            var in = new java.io.BufferedReader(
                    new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            out.write(("POST /models/echo/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            + "Expect: 100-continue\r\nContent-Length: " + body.length() + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            assertThat(in.readLine()).isEqualTo("HTTP/1.1 100 Continue");
            assertThat(in.readLine()).isEmpty();
            out.write(body.getBytes(StandardCharsets.ISO_8859_1));
            out.write(("POST /models/echo/1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            + "Transfer-Encoding: chunked\r\n\r\n5\r\n{\"ins\r\n"
                            + Integer.toHexString(body.length() - 5)
                            + "\r\n" + body.substring(5) + "\r\n0\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.write("GARBAGE\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String all = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            String first = in.lines().reduce("", (a, b) -> a + b + "\n");
            String responses = first + all;
            assertThat(responses.split("HTTP/1.1 200 OK", -1)).hasSize(3);
            assertThat(responses)
                    .contains("{\"predictions\":[3]}")
                    .contains("HTTP/1.1 400 Bad Request")
                    .contains("malformed request line");
        }
        assertThat(gateway.failedRequests()).isEqualTo(1);
    }

    @Test
    void aVersionWhoseProcessDiesIsTakenOutOfRotationWithoutFailingRequests() throws Exception {
        deploy("1");
        DeployedVersion two = deploy("2");
        gateway.reconcile("echo", List.of("1", "2"));
        gateway.setWeights("echo", Map.of("1", 50, "2", 50));
        ProcessHandle harness =
                ProcessHandle.of(target.processId(two.ref()).orElseThrow()).orElseThrow();
        harness.descendants().forEach(ProcessHandle::destroyForcibly);
        harness.destroyForcibly();
        harness.onExit().get();
        for (int i = 0; i < 50; i++) {
            HttpResponse<String> response = post(URI.create(gateway.stableEndpoint("echo") + "/predict"));
            assertThat(response.statusCode()).isEqualTo(200);
        }
        assertThat(gateway.isReady(new VersionRef("echo", "2"))).isFalse();
        assertThat(gateway.failedRequests()).isZero();
    }

    /**
     * The bar: at least 30,000 requests at at least 100 req/s through the gateway while the split steps
     * 0 -> 10 -> 50 -> 100 and then rolls back, with zero non-2xx answers.
     */
    @Test
    void noRequestFailsWhileWeightsStepAndRollBack() throws Exception {
        deploy("1");
        deploy("2");
        gateway.reconcile("echo", List.of("1", "2"));
        gateway.setWeights("echo", Map.of("1", 100));
        int rate = 600;
        Duration duration = Duration.ofSeconds(55);
        Thread stepper = new Thread(() -> {
            try {
                List<Map<String, Integer>> steps =
                        List.of(Map.of("1", 90, "2", 10), Map.of("1", 50, "2", 50), Map.of("2", 100), Map.of("1", 100));
                for (Map<String, Integer> step : steps) {
                    Thread.sleep(10_000);
                    gateway.setWeights("echo", step);
                }
            } catch (InterruptedException | RoutingException e) {
                throw new IllegalStateException(e);
            }
        });
        stepper.start();
        LoadResult result = new LoadGenerator()
                .run(
                        URI.create(gateway.stableEndpoint("echo") + "/predict"),
                        ONE,
                        LoadProfile.constant(rate, duration, Duration.ofSeconds(1)),
                        p -> {});
        stepper.join();
        System.out.printf(
                "weights stepped under load: %d requests at %.1f req/s, %d errors %s, gateway non-2xx %d,"
                        + " v1 %d, v2 %d, p99 %.2f ms%n",
                result.requests(),
                result.achievedRate(),
                result.errorCount(),
                result.errors(),
                gateway.failedRequests(),
                gateway.sample("echo", "1").requests(),
                gateway.sample("echo", "2").requests(),
                result.latencyMs(99));
        assertThat(result.requests()).isGreaterThanOrEqualTo(30_000);
        assertThat(result.achievedRate()).isGreaterThanOrEqualTo(100);
        assertThat(result.errorCount()).isZero();
        assertThat(gateway.failedRequests()).isZero();
        assertThat(gateway.sample("echo", "2").requests()).isGreaterThan(5_000);
        assertThat(gateway.currentWeights("echo")).containsExactlyEntriesOf(Map.of("1", 100));
    }

    /**
     * Traefik balancing: what Traefik (allowEmptyServices=false) does with what TraefikRouter writes. A challenger
     * whose process is gone gets no share and the stable path keeps answering; a weighted service whose versions are
     * all down is dropped as a whole (404), as Traefik drops it.
     */
    @Test
    void traefikBalancingLeavesADeadChallengerOutAndKeepsTheStablePathServing() throws Exception {
        target.close();
        gateway.close();
        List<String> notices = new CopyOnWriteArrayList<>();
        gateway = LocalGateway.start(0, LocalGateway.Balancing.TRAEFIK, notices::add);
        target = new LocalTarget(gateway, HarnessOptions.loopback(), work.resolve("state"), events::add, line -> {});
        deploy("1");
        deploy("2");
        gateway.reconcile("echo", List.of("1", "2"));
        gateway.setWeights("echo", Map.of("1", 100));

        gateway.markDown(new VersionRef("echo", "2")); // its process died
        gateway.setWeights("echo", Map.of("1", 90, "2", 10));

        assertThat(gateway.currentWeights("echo")).containsOnly(Map.entry("1", 100));
        assertThat(notices).anySatisfy(n -> assertThat(n).contains("version 2 of model echo has no live backend"));
        for (int i = 0; i < 50; i++) {
            HttpResponse<String> response = post(URI.create(gateway.stableEndpoint("echo") + "/predict"));
            assertThat(response.statusCode()).as("request %d", i).isEqualTo(200);
            assertThat(response.headers().firstValue("X-Model-Version")).hasValue("1");
        }

        gateway.markDown(new VersionRef("echo", "1"));
        HttpResponse<String> dropped = post(URI.create(gateway.stableEndpoint("echo") + "/predict"));
        assertThat(dropped.statusCode()).isEqualTo(404);
        assertThat(dropped.body()).contains("404 page not found");
    }
}
