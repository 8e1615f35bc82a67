package io.jenkins.plugins.modeldeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.jenkins.plugins.modeldeploy.testing.ClusterSimulator;
import io.jenkins.plugins.modeldeploy.testing.MockApiServer;
import io.jenkins.plugins.modeldeploy.testing.TestModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code deploy}, {@code promote} and {@code rollback} against the mock API server with the cluster simulator,
 * reached through a kubeconfig file as a user would.
 */
class ReleaseCliIT {
    private static final String DIGEST_1 = "sha256:" + "1".repeat(64);
    private static final String DIGEST_2 = "sha256:" + "2".repeat(64);

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
        JsonNode json() throws Exception {
            return new ObjectMapper()
                    .readTree(out.strip().lines().reduce((a, b) -> b).orElseThrow());
        }
    }

    private static Run run(String... args) {
        CommandLine commandLine = ModelDeployCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        int exit = commandLine.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static Map<String, Object> weights(KubernetesClient client) {
        GenericKubernetesResource service = client.genericKubernetesResources(new ResourceDefinitionContext.Builder()
                        .withGroup("traefik.io")
                        .withVersion("v1alpha1")
                        .withKind("TraefikService")
                        .withPlural("traefikservices")
                        .withNamespaced(true)
                        .build())
                .inNamespace("models")
                .withName("echo")
                .get();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> services = (List<Map<String, Object>>) ((Map<String, Object>)
                        ((Map<String, Object>) service.getAdditionalProperties().get("spec")).get("weighted"))
                .get("services");
        Map<String, Object> byName = new java.util.TreeMap<>();
        services.forEach(s -> byName.put((String) s.get("name"), s.get("weight")));
        return byName;
    }

    @Test
    void anAbTestThatCannotMeasureIsRefusedBeforeTheRolloutAndLeavesProductionAlone() throws Exception {
        Path model = TestModels.testModel("echo-python", dir);
        try (MockApiServer server = new MockApiServer();
                KubernetesClient client = server.client();
                ClusterSimulator simulator =
                        new ClusterSimulator(server, "models", Duration.ofMillis(50), Duration.ofSeconds(5))) {
            String kubeconfig = server.writeKubeconfig(dir, "models").toString();
            String[] cluster = {
                "--namespace",
                "models",
                "--kubeconfig",
                kubeconfig,
                "--journal-dir",
                dir.resolve("journal").toString()
            };

            Run first = run(concat(
                    new String[] {
                        "deploy",
                        model.toString(),
                        "--version",
                        "1",
                        "--image",
                        "registry.example.com/models/echo@" + DIGEST_1,
                        "--no-smoke",
                        "--output",
                        "json"
                    },
                    cluster));
            assertThat(first.exit()).as(first.err()).isZero();
            assertThat(first.json().path("outcome").asText()).isEqualTo("PROMOTED");
            assertThat(weights(client)).containsExactlyEntriesOf(Map.of("echo-1", 100));

            // No Prometheus: the A/B test could not measure Traefik's traffic; said before anything is rolled out.
            Run second = run(concat(
                    new String[] {
                        "deploy",
                        model.toString(),
                        "--version",
                        "2",
                        "--image",
                        "registry.example.com/models/echo@" + DIGEST_2,
                        "--no-smoke",
                        "--approve",
                        "--output",
                        "json"
                    },
                    cluster));
            assertThat(second.exit()).isEqualTo(1);
            assertThat(second.err())
                    .contains("model-deploy deploy: cannot A/B test version 2 of model echo against production 1 on"
                            + " kubernetes namespace models (checked before rolling anything out): ")
                    .contains("configure a Prometheus URL");
            assertThat(weights(client)).containsEntry("echo-1", 100);
            assertThat(client.apps()
                            .deployments()
                            .inNamespace("models")
                            .withName("echo-2")
                            .get())
                    .isNull();

            // Deciding on it afterwards finds no run of it and changes nothing.
            Run promote = run(concat(new String[] {"promote", "echo", "2"}, cluster));
            assertThat(promote.exit()).as(promote.out() + promote.err()).isEqualTo(1);
            assertThat(weights(client)).containsEntry("echo-1", 100);
            assertThat(client.apps()
                            .deployments()
                            .inNamespace("models")
                            .withName("echo-2")
                            .get())
                    .isNull();
        }
    }

    /**
     * The A/B path on the cluster: Traefik's metrics come from Prometheus (here scraping a stand-in exporter whose
     * counters grow as Traefik's would, version 1 failing 5% of its requests), the sequential test finds version 2
     * better, {@code --approve} approves, and the TraefikService ends at 100% for version 2.
     */
    @Test
    void deployRunsTheAbTestOnPrometheusMetricsAndPromotes() throws Exception {
        Path model = TestModels.testModel("echo-python", dir);
        long started = System.nanoTime();
        com.sun.net.httpserver.HttpServer exporter =
                com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 16);
        exporter.createContext("/metrics", exchange -> {
            long seconds = (System.nanoTime() - started) / 1_000_000_000L;
            StringBuilder text = new StringBuilder("# TYPE traefik_service_requests_total counter\n");
            text.append(series("models-echo-1-80@kubernetescrd", 180 * seconds, 9 * seconds));
            text.append(series("models-echo-2-80@kubernetescrd", 20 * seconds, 0));
            byte[] body = text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        exporter.start();
        try (MockApiServer server = new MockApiServer();
                KubernetesClient client = server.client();
                ClusterSimulator simulator =
                        new ClusterSimulator(server, "models", Duration.ofMillis(50), Duration.ofSeconds(5));
                io.jenkins.plugins.modeldeploy.testing.PrometheusServer prometheus =
                        io.jenkins.plugins.modeldeploy.testing.PrometheusServer.start(
                                "127.0.0.1:" + exporter.getAddress().getPort())) {
            String kubeconfig = server.writeKubeconfig(dir, "models").toString();
            String[] cluster = {
                "--namespace",
                "models",
                "--kubeconfig",
                kubeconfig,
                "--journal-dir",
                dir.resolve("journal").toString(),
                "--prometheus",
                prometheus.url().toString()
            };
            Run first = run(concat(
                    new String[] {
                        "deploy",
                        model.toString(),
                        "--version",
                        "1",
                        "--image",
                        "registry.example.com/models/echo@" + DIGEST_1,
                        "--no-smoke"
                    },
                    cluster));
            assertThat(first.exit()).as(first.err()).isZero();

            Run second = run(concat(
                    new String[] {
                        "deploy",
                        model.toString(),
                        "--version",
                        "2",
                        "--image",
                        "registry.example.com/models/echo@" + DIGEST_2,
                        "--no-smoke",
                        "--ab-weight",
                        "10",
                        "--ab-min",
                        "3s",
                        "--ab-max",
                        "60s",
                        "--ab-min-samples",
                        "50",
                        "--mde",
                        "0.02",
                        "--approve",
                        "--output",
                        "json",
                        "--report-dir",
                        dir.resolve("report").toString()
                    },
                    cluster));
            assertThat(second.exit()).as(second.err()).isZero();
            JsonNode result = second.json();
            assertThat(result.path("outcome").asText()).isEqualTo("PROMOTED");
            assertThat(result.path("verdict").asText()).isEqualTo("PROMOTE");
            assertThat(result.path("reasons"))
                    .anySatisfy(
                            reason -> assertThat(reason.asText()).startsWith("error rate 0.00% (challenger) vs 5.00%"));
            assertThat(result.at("/approval/approved").asBoolean()).isTrue();
            assertThat(weights(client)).containsEntry("echo-2", 100);
            assertThat(dir.resolve("report/deployment.html")).content().contains("<span id=\"verdict\">PROMOTE");
        } finally {
            exporter.stop(0);
        }
    }

    /** Traefik-shaped counters of one service, all answered within 10 ms (so no SLO violations). */
    private static String series(String service, long total, long failed) {
        String labels = "method=\"POST\",protocol=\"http\",service=\"" + service + "\"";
        String buckets = "traefik_service_request_duration_seconds_bucket{code=\"%s\"," + labels + ",le=\"%s\"} %d\n";
        StringBuilder text = new StringBuilder();
        text.append("traefik_service_requests_total{code=\"200\",")
                .append(labels)
                .append("} ")
                .append(total - failed)
                .append('\n')
                .append("traefik_service_requests_total{code=\"503\",")
                .append(labels)
                .append("} ")
                .append(failed)
                .append('\n');
        for (String le : List.of("0.01", "0.05", "+Inf")) {
            text.append(String.format(buckets, "200", le, total - failed))
                    .append(String.format(buckets, "503", le, failed));
        }
        return text.toString();
    }

    @Test
    void aSmokeTestFromOutsideTheClusterWithoutAGatewayOrHostFailsBeforeAnythingIsRolledOut() throws Exception {
        Path model = TestModels.testModel("echo-python", dir);
        try (MockApiServer server = new MockApiServer();
                KubernetesClient client = server.client();
                ClusterSimulator simulator =
                        new ClusterSimulator(server, "models", Duration.ofMillis(50), Duration.ofSeconds(5))) {
            Run deploy = run(
                    "deploy",
                    model.toString(),
                    "--version",
                    "1",
                    "--image",
                    "registry.example.com/models/echo@" + DIGEST_1,
                    "--namespace",
                    "models",
                    "--kubeconfig",
                    server.writeKubeconfig(dir, "models").toString());

            assertThat(deploy.exit()).isEqualTo(1);
            assertThat(deploy.err())
                    .contains("cannot smoke-test version 1 of model echo on kubernetes namespace models")
                    .contains("run in-cluster or pass --gateway-url/--host");
            assertThat(client.apps().deployments().inNamespace("models").list().getItems())
                    .as("nothing rolled out")
                    .isEmpty();
            assertThat(client.configMaps().inNamespace("models").list().getItems())
                    .as("no release state")
                    .isEmpty();
        }
    }

    @Test
    void badArgumentsAreOneLineErrorsNamingTheOption() {
        Run noDigest = run("deploy", "x", "--version", "1", "--image", "repo:1", "--namespace", "models");
        assertThat(noDigest.exit()).isEqualTo(2);
        assertThat(noDigest.err()).contains("--image must name the image by digest");
        Run both = run(
                "deploy",
                "x",
                "--version",
                "1",
                "--image",
                "r@" + DIGEST_1,
                "--namespace",
                "m",
                "--approve",
                "--reject");
        assertThat(both.err()).contains("--approve and --reject exclude each other");
        Run noKubeconfig = run(
                "rollback",
                "echo",
                "--namespace",
                "m",
                "--kubeconfig",
                dir.resolve("nope").toString());
        Run noImage = run("deploy", "x", "--version", "1", "--namespace", "m");
        assertThat(noImage.exit()).isEqualTo(2);
        assertThat(noImage.err()).contains("--image is required on Kubernetes");
        assertThat(noKubeconfig.exit()).isEqualTo(1);
        assertThat(noKubeconfig.err()).contains("--kubeconfig").contains("does not exist");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
