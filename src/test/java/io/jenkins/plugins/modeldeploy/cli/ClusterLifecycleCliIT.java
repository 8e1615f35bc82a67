package io.jenkins.plugins.modeldeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.modeldeploy.route.TraefikRouter;
import io.jenkins.plugins.modeldeploy.route.TraefikRoutes;
import io.jenkins.plugins.modeldeploy.testing.ClusterSimulator;
import io.jenkins.plugins.modeldeploy.testing.MockApiServer;
import io.jenkins.plugins.modeldeploy.testing.PrometheusServer;
import io.jenkins.plugins.modeldeploy.testing.StableRouteProbe;
import io.jenkins.plugins.modeldeploy.testing.TestModels;
import io.jenkins.plugins.modeldeploy.testing.TraefikStandIn;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The lifecycle through the CLI on a cluster: fabric8's mock API server with the cluster simulator (Deployment
 * controller and kubelet), a Traefik stand-in as the gateway (weights from the TraefikService, Traefik's metrics) and
 * a real Prometheus scraping it. Every verdict the table knows, one after the other on one model, while a client calls
 * the stable route at 40 req/s throughout; each run asserts what runs, the weights, the stages, the history and the
 * events it leaves.
 */
class ClusterLifecycleCliIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
        JsonNode json() throws Exception {
            return JSON.readTree(out.strip()
                    .lines()
                    .reduce((a, b) -> b)
                    .orElseThrow(() -> new AssertionError("no JSON on stdout; exit " + exit + ", stderr:\n" + err)));
        }
    }

    private static Run run(List<String> args) {
        CommandLine commandLine = ModelDeployCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        int exit = commandLine.execute(args.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    private static Map<String, Integer> weights(KubernetesClient client) {
        var service = client.genericKubernetesResources(TraefikRoutes.context("TraefikService"))
                .inNamespace("models")
                .withName("echo")
                .get();
        return service == null ? Map.of() : TraefikRouter.weightsOf("echo", service);
    }

    private static List<String> deployments(KubernetesClient client) {
        return client.apps().deployments().inNamespace("models").list().getItems().stream()
                .map(d -> d.getMetadata().getName())
                .sorted()
                .toList();
    }

    private static String stage(KubernetesClient client, String version) {
        return client.apps()
                .deployments()
                .inNamespace("models")
                .withName("echo-" + version)
                .get()
                .getMetadata()
                .getAnnotations()
                .get("model-deploy.jenkins.io/stage");
    }

    /** The types of the events a run of {@code version} published, from its journal. */
    /** Where the smoke test of {@code version} sent its requests (its smoke.started event). */
    private String smokeUrl(String version) throws Exception {
        for (String line : Files.readAllLines(dir.resolve("journal").resolve("echo-" + version + ".jsonl"))) {
            if (JSON.readTree(line).path("type").asText().equals("smoke.started")) {
                return JSON.readTree(line).at("/details/url").asText();
            }
        }
        throw new AssertionError("no smoke.started event for version " + version);
    }

    private List<String> journal(String version) throws Exception {
        List<String> types = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("journal").resolve("echo-" + version + ".jsonl"))) {
            types.add(JSON.readTree(line).path("type").asText()
                    + (JSON.readTree(line).at("/details/outcome").isMissingNode()
                            ? ""
                            : " " + JSON.readTree(line).at("/details/outcome").asText()));
        }
        return types;
    }

    @Test
    void everyVerdictOnTheClusterLeavesWhatTheTableSaysAndTheStableRouteNeverFails() throws Exception {
        Path model = TestModels.testModel("echo-python", dir);
        try (MockApiServer server = new MockApiServer();
                KubernetesClient client = server.client();
                ClusterSimulator simulator =
                        new ClusterSimulator(server, "models", Duration.ofMillis(50), Duration.ofSeconds(5));
                TraefikStandIn traefik = new TraefikStandIn(client, "models");
                PrometheusServer prometheus = PrometheusServer.start(traefik.metricsTarget())) {
            List<String> cluster = List.of(
                    "--namespace",
                    "models",
                    "--kubeconfig",
                    server.writeKubeconfig(dir, "models").toString(),
                    "--gateway-url",
                    traefik.url().toString(),
                    "--prometheus",
                    prometheus.url().toString(),
                    "--journal-dir",
                    dir.resolve("journal").toString(),
                    "--output",
                    "json");
            // The SLO is generous: the point here is the lifecycle, not latency on a busy test machine.
            List<String> quickAbTest = List.of(
                    "--synthetic-rate",
                    "100",
                    "--ab-weight",
                    "50",
                    "--ab-min",
                    "2s",
                    "--ab-min-samples",
                    "200",
                    "--smoke-rate",
                    "20",
                    "--smoke-duration",
                    "2s",
                    "--set",
                    "slo.p99Ms=1000");

            // first release: smoke-tested through the gateway, production at once
            Run first = run(deploy(model, "1", cluster, quickAbTest));
            assertThat(first.exit()).as(first.err()).isZero();
            assertThat(first.json().path("outcome").asText()).isEqualTo("PROMOTED");
            assertThat(first.json().path("verdict").isNull()).isTrue();
            assertThat(first.json().at("/smoke/verdict/passed").asBoolean(true)).isTrue();
            assertThat(weights(client)).containsExactlyEntriesOf(Map.of("1", 100));
            assertThat(stage(client, "1")).isEqualTo("production");
            assertThat(journal("1")).contains("smoke.finished", "promotion.promoted", "deploy.finished PROMOTED");
            // From outside the cluster the smoke test goes through the gateway's route of the version (review #3).
            assertThat(smokeUrl("1"))
                    .startsWith(traefik.url().resolve("/models/echo/1").toString());

            String sample = Files.readString(model.resolve("samples/one.json"));
            try (StableRouteProbe probe =
                    new StableRouteProbe(traefik.url().resolve("/models/echo/predict"), sample, 40)) {
                // a smoke failure: never on the stable route, removed
                traefik.behave("echo", "2", new TraefikStandIn.Behaviour(0, 1.0));
                Run smokeFails = run(deploy(model, "2", cluster, quickAbTest));
                assertThat(smokeFails.exit()).isEqualTo(1);
                assertThat(smokeFails.json().path("outcome").asText()).isEqualTo("FAILED");
                assertThat(deployments(client)).containsExactly("echo-1");
                assertThat(weights(client)).containsExactlyEntriesOf(Map.of("1", 100));
                assertThat(journal("2")).contains("version.removed", "deploy.finished FAILED");

                // an equally good retrain passes the non-inferiority gate and is promoted
                Run equal = run(deploy(model, "3", cluster, quickAbTest, "--ab-max", "120s", "--approve"));
                assertThat(equal.exit()).as(equal.err()).isZero();
                assertThat(equal.json().path("verdict").asText()).isEqualTo("PROMOTE");
                assertThat(equal.json().path("outcome").asText()).isEqualTo("PROMOTED");
                assertThat(weights(client)).containsEntry("3", 100);
                assertThat(stage(client, "3")).isEqualTo("production");
                assertThat(stage(client, "1")).isEqualTo("retired");
                assertThat(deployments(client)).containsExactly("echo-1", "echo-3");

                // a worse challenger is rolled back and removed
                traefik.behave("echo", "4", new TraefikStandIn.Behaviour(0, 0.2));
                Run worse =
                        run(deploy(model, "4", cluster, quickAbTest, "--no-smoke", "--ab-max", "120s", "--approve"));
                assertThat(worse.exit()).isEqualTo(1);
                assertThat(worse.json().path("verdict").asText()).isEqualTo("ROLLBACK");
                assertThat(worse.json().path("outcome").asText()).isEqualTo("ROLLED_BACK");
                assertThat(deployments(client)).containsExactly("echo-1", "echo-3");
                assertThat(weights(client)).containsExactlyEntriesOf(Map.of("3", 100));

                // too little evidence within the maximum (an equal version needs ~1,100 challenger requests to be
                // shown not worse by one point; 4 s at 50 req/s give 200): rejected, removed
                Run inconclusive =
                        run(deploy(model, "5", cluster, quickAbTest, "--no-smoke", "--ab-max", "4s", "--approve"));
                assertThat(inconclusive.json().path("verdict").asText()).isEqualTo("INCONCLUSIVE");
                assertThat(inconclusive.json().path("outcome").asText()).isEqualTo("REJECTED");
                assertThat(deployments(client)).containsExactly("echo-1", "echo-3");

                // a person rejects a version the gate let through: removed
                Run rejected =
                        run(deploy(model, "6", cluster, quickAbTest, "--no-smoke", "--ab-max", "120s", "--reject"));
                assertThat(rejected.json().path("verdict").asText()).isEqualTo("PROMOTE");
                assertThat(rejected.json().path("outcome").asText()).isEqualTo("REJECTED");
                assertThat(deployments(client)).containsExactly("echo-1", "echo-3");
                assertThat(journal("6")).contains("approval.given", "version.removed", "deploy.finished REJECTED");

                Run history = run(concat(List.of("history", "echo"), cluster));
                assertThat(history.exit()).as(history.err()).isZero();
                List<String> runs = new ArrayList<>();
                history.json()
                        .path("history")
                        .forEach(e -> runs.add(e.path("version").asText() + " "
                                + e.path("outcome").asText()));
                assertThat(runs)
                        .containsExactly(
                                "1 PROMOTED", "2 FAILED", "3 PROMOTED", "4 ROLLED_BACK", "5 REJECTED", "6 REJECTED");

                // back to version 1, which was kept
                Run rollback = run(concat(List.of("rollback", "echo", "--to", "1"), cluster));
                assertThat(rollback.exit()).as(rollback.err()).isZero();
                assertThat(rollback.json().path("production").asText()).isEqualTo("1");
                assertThat(weights(client)).containsEntry("1", 100);
                assertThat(stage(client, "1")).isEqualTo("production");
                Run unknown = run(concat(List.of("rollback", "echo", "--to", "4"), cluster));
                assertThat(unknown.exit()).isEqualTo(1);
                assertThat(unknown.err().strip().lines())
                        .singleElement()
                        .asString()
                        .contains("cannot roll model echo back to version 4: it is not kept");

                Run status = run(concat(List.of("status"), cluster));
                JsonNode echo = status.json().path("models").get(0);
                assertThat(echo.at("/release/production").asText()).isEqualTo("1");
                assertThat(echo.path("versions"))
                        .extracting(v -> v.path("version").asText() + " "
                                + v.path("stage").asText())
                        .containsExactly("1 production", "3 retired");
                assertThat(echo.path("versions")
                                .get(1)
                                .at("/annotations/verdict")
                                .asText())
                        .contains("PROMOTE");
                Thread.sleep(1000); // the probe sees the routes as they are now
                probe.close();
                assertThat(probe.sent()).isGreaterThan(1000);
                System.out.println(
                        "stable route (cluster): " + probe.sent() + " requests, outcomes " + probe.outcomes());
                assertThat(probe.failures())
                        .as("failed requests on the stable route: %s", probe.outcomes())
                        .isZero();
            }

            Run undeployProduction = run(concat(List.of("undeploy", "echo", "--version", "1"), cluster));
            assertThat(undeployProduction.exit()).isEqualTo(1);
            assertThat(undeployProduction.err()).contains("serves production of model echo");
            Run undeploy = run(concat(List.of("undeploy", "echo"), cluster));
            assertThat(undeploy.exit()).as(undeploy.err()).isZero();
            assertThat(deployments(client)).isEmpty();
            assertThat(weights(client)).isEmpty();
            assertThat(client.configMaps()
                            .inNamespace("models")
                            .withName("echo-release")
                            .get())
                    .isNull();
            Run again = run(concat(List.of("undeploy", "echo"), cluster));
            assertThat(again.exit()).isEqualTo(1);
            assertThat(again.err()).contains("model echo is not deployed on kubernetes namespace models");
        }
    }

    private static List<String> deploy(
            Path model, String version, List<String> cluster, List<String> options, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "deploy",
                model.toString(),
                "--version",
                version,
                "--image",
                "registry.example.com/models/echo@sha256:" + version.repeat(64)));
        args.addAll(cluster);
        args.addAll(options);
        args.addAll(Arrays.asList(more));
        return args;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
