package io.jenkins.plugins.modeldeploy.abtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.jenkins.plugins.modeldeploy.route.RoutingException;
import io.jenkins.plugins.modeldeploy.route.TrafficRouter;
import io.jenkins.plugins.modeldeploy.smoke.Payload;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The runner with a fake route (a local HTTP server answering as two versions would) and fake counters: synthetic
 * traffic's labelled answers become the variants' quality observations, shadow mode mirrors instead of splitting,
 * and stickiness is set for the experiment and cleared after it.
 */
class ExperimentRunnerQualityTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Answers {@code {"predictions": [label]}} as version 1 (always right) or 2 (right on every other request). */
    private HttpServer server;

    private final AtomicLong answered = new AtomicLong();
    private final Set<String> stickyValues = ConcurrentHashMap.newKeySet();

    /** Records what the runner asks of the route. */
    class RecordingRouter implements TrafficRouter {
        final List<String> calls = new ArrayList<>();
        Map<String, Integer> weights = Map.of("1", 100);

        @Override
        public void reconcile(String model, Collection<String> versions) {}

        @Override
        public void setWeights(String model, Map<String, Integer> w) {
            calls.add("weights " + new java.util.TreeMap<>(w));
            weights = Map.copyOf(w);
        }

        @Override
        public Map<String, Integer> currentWeights(String model) {
            return weights;
        }

        @Override
        public URI stableEndpoint(String model) {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/models/" + model);
        }

        @Override
        public URI versionEndpoint(String model, String version) {
            return URI.create(stableEndpoint(model) + "/" + version);
        }

        @Override
        public void remove(String model) {}

        @Override
        public void setMirror(String model, String shadow, int percent) {
            calls.add("mirror " + shadow + " " + percent);
        }

        @Override
        public void clearMirror(String model) {
            calls.add("clear mirror");
        }

        @Override
        public void setSticky(String model, Optional<String> header) throws RoutingException {
            calls.add("sticky " + header.orElse("off"));
        }
    }

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/models/iris/predict", exchange -> {
            long n = answered.incrementAndGet();
            String user = exchange.getRequestHeaders().getFirst("X-User-Id");
            if (user != null) {
                stickyValues.add(user);
            }
            String label = JSON.readTree(exchange.getRequestBody())
                    .path("instances")
                    .get(0)
                    .path("label")
                    .asText();
            boolean challenger = n % 2 == 0;
            String prediction = challenger && n % 4 == 0 ? "wrong" : label;
            byte[] body = JSON.writeValueAsBytes(Map.of("predictions", List.of(prediction)));
            exchange.getResponseHeaders().add("X-Model-Version", challenger ? "2" : "1");
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private static List<Payload> labelled() throws IOException {
        List<Payload> payloads = new ArrayList<>();
        for (String label : List.of("setosa", "virginica", "versicolor")) {
            String body = "{\"instances\": [{\"label\": \"" + label + "\"}]}";
            payloads.add(new Payload(
                    label,
                    body.getBytes(StandardCharsets.UTF_8),
                    1,
                    Optional.of(JSON.readTree("[\"" + label + "\"]"))));
        }
        return payloads;
    }

    /** Counters that grow with the answers, split evenly (the server alternates the versions). */
    private MetricsSource counters() {
        return (model, version) -> new VariantStats(version, answered.get() / 2, 0, 0, 1, 2);
    }

    private static ExperimentPlan plan(ExperimentPlan.Mode mode, Optional<String> sticky) {
        return new ExperimentPlan(
                "iris",
                "1",
                "2",
                50,
                Duration.ofMillis(100),
                Duration.ofMillis(1500),
                1_000_000,
                0.05,
                ExperimentPlan.Method.SEQUENTIAL,
                OptionalDouble.of(200),
                100,
                0.01,
                ExperimentPlan.Gate.DEFAULT,
                List.of(GatedMetric.parse("accuracy")),
                mode,
                sticky);
    }

    @Test
    void labelledSyntheticAnswersBecomeEachServingVersionsAccuracy() throws Exception {
        RecordingRouter router = new RecordingRouter();
        ExperimentRunner runner = new ExperimentRunner(router, counters(), e -> {}, Duration.ofMillis(100));

        ExperimentResult result = runner.run(plan(ExperimentPlan.Mode.AB, Optional.empty()), labelled());

        Moments champion = result.champion().quality(GatedMetric.ACCURACY);
        Moments challenger = result.challenger().quality(GatedMetric.ACCURACY);
        assertThat(champion.count()).isGreaterThan(20);
        assertThat(champion.mean()).isEqualTo(1.0);
        assertThat(challenger.count()).isGreaterThan(20);
        assertThat(challenger.mean()).isBetween(0.4, 0.6);
        assertThat(router.calls).containsExactly("weights {1=50, 2=50}", "weights {1=100}");
        assertThat(result.shadow()).isEqualTo(ShadowStats.NONE);
        assertThat(result.timeline())
                .isNotEmpty()
                .allSatisfy(c -> assertThat(c.comparisons()).isNotEmpty());
    }

    @Test
    void shadowModeMirrorsTheChallengerAndReportsItsAgreement() throws Exception {
        RecordingRouter router = new RecordingRouter();
        ShadowStats agreement = new ShadowStats(
                40, 30, 1, List.of(new ShadowStats.Disagreement("{\"x\":1}", "{\"y\":1}", "{\"y\":2}")));
        MetricsSource source = new MetricsSource() {
            @Override
            public VariantStats sample(String model, String version) throws MetricsException {
                return counters().sample(model, version);
            }

            @Override
            public ShadowStats shadow(String model, String version) {
                return version.equals("2") ? agreement : ShadowStats.NONE;
            }
        };
        ExperimentRunner runner = new ExperimentRunner(router, source, e -> {}, Duration.ofMillis(100));

        ExperimentResult result = runner.run(plan(ExperimentPlan.Mode.SHADOW, Optional.empty()), labelled());

        assertThat(router.calls).containsExactly("mirror 2 50", "clear mirror");
        assertThat(router.weights).isEqualTo(Map.of("1", 100));
        assertThat(result.shadow()).isEqualTo(agreement);
        assertThat(result.reasons()).anyMatch(r -> r.startsWith("shadow agreement 75.00% (30 of 40"));
    }

    @Test
    void aStickyHeaderIsSetForTheExperimentAndSyntheticTrafficSendsManyUsers() throws Exception {
        RecordingRouter router = new RecordingRouter();
        ExperimentRunner runner = new ExperimentRunner(router, counters(), e -> {}, Duration.ofMillis(100));

        runner.run(plan(ExperimentPlan.Mode.AB, Optional.of("X-User-Id")), labelled());

        assertThat(router.calls)
                .containsExactly("sticky X-User-Id", "weights {1=50, 2=50}", "weights {1=100}", "sticky off");
        assertThat(stickyValues).hasSizeGreaterThan(100).allMatch(v -> v.startsWith("synthetic-user-"));
    }

    @Test
    void theRouteIsRestoredWhenStickinessCannotBeSet() {
        RecordingRouter router = new RecordingRouter() {
            @Override
            public void setSticky(String model, Optional<String> header) throws RoutingException {
                calls.add("sticky " + header.orElse("off"));
                if (header.isPresent()) {
                    throw new RoutingException("no sticky here");
                }
            }
        };
        ExperimentRunner runner = new ExperimentRunner(router, counters(), e -> {}, Duration.ofMillis(100));

        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> runner.run(plan(ExperimentPlan.Mode.AB, Optional.of("X-User-Id")), labelled()))
                .isInstanceOf(RoutingException.class)
                .hasMessage("no sticky here");
        assertThat(router.weights).isEqualTo(Map.of("1", 100));
        assertThat(router.calls).containsExactly("sticky X-User-Id", "weights {1=100}", "sticky off");
    }
}
