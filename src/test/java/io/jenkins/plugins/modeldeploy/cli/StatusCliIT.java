package io.jenkins.plugins.modeldeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.modeldeploy.kube.ModelCatalogTest;
import io.jenkins.plugins.modeldeploy.testing.MockApiServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code status} against the mock API server, reached through a kubeconfig file as a user would. */
class StatusCliIT {
    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        CommandLine commandLine = ModelDeployCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        int exit = commandLine.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void showsVersionsStagesWeightsAndDigestsAsTextAndJson() throws Exception {
        try (MockApiServer server = new MockApiServer();
                KubernetesClient client = server.client()) {
            ModelCatalogTest.deployIris(client);
            Path kubeconfig = server.writeKubeconfig(dir, "models");

            Run text = run("status", "--kubeconfig", kubeconfig.toString());
            assertThat(text.exit()).as(text.err()).isZero();
            assertThat(text.out())
                    .contains("namespace models")
                    .containsPattern("iris +1 +production +2/2 +90 +sha256:1{64}")
                    .containsPattern("iris +2 +challenger +1/2 +10 +sha256:2{64}")
                    .contains("release EXPERIMENT, production 1, challenger 2");

            Run json =
                    run("status", "--kubeconfig", kubeconfig.toString(), "--namespace", "models", "--output", "json");
            assertThat(json.exit()).as(json.err()).isZero();
            JsonNode root = new ObjectMapper()
                    .readTree(json.out().strip().lines().reduce((a, b) -> b).orElseThrow());
            assertThat(root.path("namespace").asText()).isEqualTo("models");
            JsonNode iris = root.path("models").get(0);
            assertThat(iris.path("weights").path("1").asInt()).isEqualTo(90);
            assertThat(iris.path("versions").get(1).path("stage").asText()).isEqualTo("challenger");
            assertThat(iris.path("release").path("phase").asText()).isEqualTo("EXPERIMENT");

            Run empty = run(
                    "status", "--kubeconfig", kubeconfig.toString(), "--namespace", "other", "--route-mode", "INGRESS");
            assertThat(empty.exit()).isZero();
            assertThat(empty.out()).contains("namespace other", "no models deployed by model-deploy");
        }
    }

    @Test
    void anUnreachableClusterFailsWithinTheTimeoutAndSaysWhere() throws Exception {
        Path kubeconfig = dir.resolve("kubeconfig");
        java.nio.file.Files.writeString(
                kubeconfig,
                "apiVersion: v1\nkind: Config\nclusters:\n- name: gone\n  cluster:\n"
                        + "    server: http://127.0.0.1:9\ncontexts:\n- name: gone\n  context:\n    cluster: gone\n"
                        + "    user: u\ncurrent-context: gone\nusers:\n- name: u\n  user:\n    token: t\n");
        long start = System.nanoTime();
        Run run = run("status", "--kubeconfig", kubeconfig.toString(), "--namespace", "models", "--timeout", "3s");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("model-deploy status:", "namespace models");
        assertThat(System.nanoTime() - start)
                .isLessThan(java.time.Duration.ofSeconds(20).toNanos());
    }
}
