package io.jenkins.plugins.modeldeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.modeldeploy.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** render's Traefik flags, the model's route: section over them, and the warning without --host. */
class RenderRouteOptionsTest {
    private static final String IMAGE = "registry.local/models/iris@sha256:" + "b".repeat(64);

    @Test
    void withoutHostTheCaptureOfEveryHostIsWarnedAbout() {
        InProcessCli.Run run = InProcessCli.run(
                "render",
                TestModels.examplesRoot().resolve("iris-python").toString(),
                "--version",
                "3",
                "--namespace",
                "models",
                "--image",
                IMAGE);
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("render: no --host: the routes match /models/iris on every host");
        InProcessCli.Run hosted = InProcessCli.run(
                "render",
                TestModels.examplesRoot().resolve("iris-python").toString(),
                "--version",
                "3",
                "--namespace",
                "models",
                "--image",
                IMAGE,
                "--host",
                "ml.example.com");
        assertThat(hosted.err()).doesNotContain("no --host");
    }

    @Test
    void clusterFlagsAndTheModelsRouteSectionShapeTheIngressRoute(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("iris");
        Files.createDirectories(model);
        Files.writeString(model.resolve("model.py"), "class Classifier: pass\n");
        Files.writeString(model.resolve("model.yaml"), """
                name: iris
                runtime: python
                entrypoint: model:Classifier
                route:
                  tls: {secretName: iris-cert}
                """);
        InProcessCli.Run run = InProcessCli.run(
                "render",
                model.toString(),
                "--version",
                "3",
                "--namespace",
                "models",
                "--image",
                IMAGE,
                "--host",
                "ml.example.com",
                "--tls-cert-resolver",
                "le",
                "--middleware",
                "traefik/rate-limit",
                "--entry-point",
                "websecure");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("secretName: \"iris-cert\"")
                .doesNotContain("certResolver")
                .contains("- \"websecure\"")
                .contains("name: \"rate-limit\"\n      namespace: \"traefik\"");
    }

    @Test
    void badFlagsAreRefusedNamingTheFlag() {
        InProcessCli.Run run = InProcessCli.run(
                "render",
                TestModels.examplesRoot().resolve("iris-python").toString(),
                "--version",
                "3",
                "--namespace",
                "models",
                "--image",
                IMAGE,
                "--middleware",
                "Bad_Name");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--middleware: route.middlewares[0].name: not a Kubernetes object name");
    }

    @Test
    void deployTakesTheSameFlagsAndRefusesABadOneBeforeConnecting() {
        InProcessCli.Run run = InProcessCli.run(
                "deploy",
                TestModels.examplesRoot().resolve("iris-python").toString(),
                "--version",
                "3",
                "--namespace",
                "models",
                "--image",
                IMAGE,
                "--no-smoke",
                "--tls-secret",
                "a",
                "--tls-cert-resolver",
                "b");
        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err())
                .contains("deploy: no --host: the routes match /models/iris on every host")
                .contains("--tls-secret and --tls-cert-resolver exclude each other");
    }
}
