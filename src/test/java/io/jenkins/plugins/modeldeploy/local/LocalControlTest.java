package io.jenkins.plugins.modeldeploy.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.modeldeploy.model.ModelSpec;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.model.SpecOverride;
import io.jenkins.plugins.modeldeploy.route.RoutingException;
import io.jenkins.plugins.modeldeploy.target.RolloutException;
import io.jenkins.plugins.modeldeploy.target.RolloutRequest;
import io.jenkins.plugins.modeldeploy.target.Target;
import io.jenkins.plugins.modeldeploy.target.TargetException;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import io.jenkins.plugins.modeldeploy.testing.TestModels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's control protocol, in process and without model processes: authentication, typed errors that name
 * the version, and the shipped model spec.
 */
class LocalControlTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private LocalDaemon daemon;

    @BeforeEach
    void start() throws Exception {
        daemon = LocalDaemon.start(
                new LocalDaemon.Options(dir.resolve("state"), OptionalInt.empty(), Optional.empty()), line -> {});
    }

    @AfterEach
    void stop() {
        daemon.close();
    }

    private HttpResponse<String> send(String path, String token, String body) throws Exception {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(daemon.record().control() + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(
                body == null
                        ? request.GET().build()
                        : request.POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String token() throws Exception {
        return Files.readString(new LocalState(dir.resolve("state")).token()).strip();
    }

    @Test
    void refusesRequestsWithoutTheTokenAndKeepsTheTokenToItsOwner() throws Exception {
        HttpResponse<String> none = send("/v1/daemon", null, null);
        assertThat(none.statusCode()).isEqualTo(401);
        JsonNode error = Wire.JSON.readTree(none.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("unauthorized");
        assertThat(error.path("message").asText()).contains("no token");

        HttpResponse<String> wrong = send("/v1/rollout", "0".repeat(64), "{}");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains("wrong token");

        assertThat(send("/v1/daemon", token(), null).statusCode()).isEqualTo(200);
        assertThat(PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(new LocalState(dir.resolve("state")).token())))
                .isEqualTo("rw-------");

        // a client with another token is told so, in one line
        Files.writeString(new LocalState(dir.resolve("state")).token(), "f".repeat(64));
        assertThatThrownBy(() -> LocalClient.connect(dir.resolve("state"), event -> {}))
                .isInstanceOf(TargetException.class)
                .hasMessageContaining("the local target refused the request: wrong token");
    }

    @Test
    void answersBadRequestsWithTheirStatusAndAClearMessage() throws Exception {
        String token = token();
        HttpResponse<String> unknown = send("/v1/nothing", token, null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("no control request GET /v1/nothing");

        HttpResponse<String> notJson = send("/v1/rollout", token, "{not json");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(notJson.body()).contains("not JSON");

        HttpResponse<String> noMode = send("/v1/retire", token, "{\"model\": \"echo\", \"version\": \"1\"}");
        assertThat(noMode.statusCode()).isEqualTo(400);
        assertThat(noMode.body()).contains("REMOVE or SCALE_TO_ZERO");
    }

    @Test
    void unknownVersionsFailWithTheTargetsTypedErrorsNamingTheVersion() throws Exception {
        try (Target target = LocalClient.connect(dir.resolve("state"), event -> {})) {
            assertThat(target.describe())
                    .isEqualTo("local target " + daemon.record().gateway() + " (state "
                            + dir.resolve("state").toAbsolutePath() + ")");
            assertThatThrownBy(() -> target.restore(new VersionRef("echo", "9"), Duration.ofSeconds(5)))
                    .isInstanceOfSatisfying(RolloutException.class, e -> {
                        assertThat(e.reason()).isEqualTo("not restorable");
                        assertThat(e.getMessage())
                                .isEqualTo("local process echo-9: not restorable - version 9 of"
                                        + " model echo was removed, or never ran on this target");
                    });
            assertThatThrownBy(() -> target.router().reconcile("echo", List.of("9")))
                    .isInstanceOf(RoutingException.class)
                    .hasMessage("cannot route /models/echo/9: version 9 of model echo is not running in the local"
                            + " gateway");
            assertThatThrownBy(() -> target.router().setWeights("echo", Map.of("9", 100)))
                    .isInstanceOf(RoutingException.class)
                    .hasMessageContaining("to version 9: it has no route");
            target.retire(new VersionRef("echo", "9"), io.jenkins.plugins.modeldeploy.target.RetireMode.REMOVE);
            assertThat(target.router().currentWeights("echo")).isEmpty();
            assertThat(target.metrics(50).orElseThrow().sample("echo", "9").requests())
                    .isZero();
            assertThat(target.status(Duration.ofSeconds(5))).isEmpty();
            assertThat(target.router().versionEndpoint("echo", "9").toString())
                    .isEqualTo(daemon.record().gateway() + "/models/echo/9");
        }
    }

    @Test
    void mirrorStickinessShadowAndQualityTravelOverTheControlApi() throws Exception {
        try (Target target = LocalClient.connect(dir.resolve("state"), event -> {})) {
            assertThatThrownBy(() -> target.router().setMirror("echo", "9", 50))
                    .isInstanceOf(RoutingException.class)
                    .hasMessage("cannot mirror model echo to version 9: it has no route (routed: [])");
            target.router().clearMirror("echo");
            target.router().setSticky("echo", Optional.of("X-User-Id"));
            target.router().setSticky("echo", Optional.empty());
            assertThatThrownBy(() -> target.router().setSticky("echo", Optional.of("X User")))
                    .isInstanceOf(RoutingException.class)
                    .hasMessageContaining("a header name is a token");
            io.jenkins.plugins.modeldeploy.abtest.MetricsSource metrics =
                    target.metrics(50).orElseThrow();
            assertThat(metrics.shadow("echo", "9")).isEqualTo(io.jenkins.plugins.modeldeploy.abtest.ShadowStats.NONE);
            assertThat(metrics.sample("echo", "9").units()).isEqualTo(-1);
            assertThatThrownBy(() -> metrics.window(
                            "echo",
                            "9",
                            java.time.Instant.now(),
                            List.of(io.jenkins.plugins.modeldeploy.abtest.GatedMetric.parse("accuracy"))))
                    .isInstanceOf(io.jenkins.plugins.modeldeploy.abtest.MetricsException.class)
                    .hasMessage("cannot read the feedback counters of version 9 of model echo: it is not running in"
                            + " the local gateway");
        }
        HttpResponse<String> bogus = send("/v1/metrics?model=echo&version=9&quality=bogus", token(), null);
        assertThat(bogus.statusCode()).isEqualTo(400);
        assertThat(bogus.body()).contains("quality: unknown built-in metric 'bogus'");
    }

    @Test
    void variantStatsAndShadowStatsRoundTripOnTheWire() throws Exception {
        var stats = new io.jenkins.plugins.modeldeploy.abtest.VariantStats(
                "2",
                10,
                1,
                2,
                3.5,
                9.25,
                Map.of("accuracy", new io.jenkins.plugins.modeldeploy.abtest.Moments(8, 6, 6)),
                5);
        assertThat(Wire.stats(Wire.JSON.readTree(Wire.stats(stats).toString()))).isEqualTo(stats);
        var shadow = new io.jenkins.plugins.modeldeploy.abtest.ShadowStats(
                4,
                3,
                1,
                List.of(new io.jenkins.plugins.modeldeploy.abtest.ShadowStats.Disagreement("{}", "[1]", "[2]")));
        assertThat(Wire.shadow(Wire.JSON.readTree(Wire.shadow(shadow).toString())))
                .isEqualTo(shadow);
    }

    @Test
    void aRolloutThatCannotStartComesBackAsARolloutExceptionWithItsEvents() throws Exception {
        Path model = TestModels.testModel("echo-python", dir);
        ModelVersion version = ModelVersion.of(new ModelSpecLoader().load(model), "1", "test");
        Files.delete(model.resolve("model.py"));
        Files.delete(model.resolve("model.yaml"));
        Files.delete(model.resolve("samples/one.json"));
        Files.delete(model.resolve("samples"));
        Files.delete(model); // the daemon copies the model directory first: it is gone
        List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Target target = LocalClient.connect(dir.resolve("state"), event -> events.add(event.message()))) {
            assertThatThrownBy(() -> target.rollout(
                            new RolloutRequest(version, Optional.empty(), Map.of(), Duration.ofSeconds(10))))
                    .isInstanceOfSatisfying(RolloutException.class, e -> {
                        assertThat(e.reason()).isEqualTo("model files not copied");
                        assertThat(e.getMessage())
                                .startsWith("local process echo-1: model files not copied -"
                                        + " cannot copy the model directory " + model + " of version 1");
                    });
        }
    }

    @Test
    void aSecondDaemonOnTheSameStateDirectoryIsRefused() {
        assertThatThrownBy(() -> LocalDaemon.start(
                        new LocalDaemon.Options(dir.resolve("state"), OptionalInt.empty(), Optional.empty()),
                        line -> {}))
                .isInstanceOf(LocalDaemon.AlreadyRunningException.class)
                .hasMessage("a local target is already running on "
                        + dir.resolve("state").toAbsolutePath() + " (pid "
                        + ProcessHandle.current().pid() + ", gateway "
                        + daemon.record().gateway() + ")");
    }

    @Test
    void theModelSpecTravelsWithItsOverridesExactly() throws Exception {
        Path model = TestModels.testModel("echo-python", dir);
        ModelSpec spec = new ModelSpecLoader()
                .load(
                        model,
                        List.of(
                                SpecOverride.parse("serving.workers=1"),
                                SpecOverride.parse("slo.p99Ms=20"),
                                SpecOverride.parse("env.GREETING=hello"),
                                SpecOverride.parse("exclude=[notes/**]"),
                                SpecOverride.parse("resources.limits.cpu=1")));
        RolloutRequest request = new RolloutRequest(
                ModelVersion.of(spec, "7", "test"),
                Optional.of("localhost/models/echo@sha256:" + "a".repeat(64)),
                Map.of("git-commit", "4f2a9c1"),
                Duration.ofSeconds(42),
                Optional.of(dir.resolve("echo-7.tar")));
        RolloutRequest copy =
                Wire.request(Wire.JSON.readTree(Wire.request(request).toString()));
        assertThat(copy).isEqualTo(request);
        assertThat(copy.version().spec().serving().workers()).isEqualTo(1);
        assertThat(copy.version().spec().env()).containsEntry("GREETING", "hello");
    }
}
