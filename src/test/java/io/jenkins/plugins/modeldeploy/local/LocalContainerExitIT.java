package io.jenkins.plugins.modeldeploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.modeldeploy.container.Podman;
import io.jenkins.plugins.modeldeploy.image.BaseImage;
import io.jenkins.plugins.modeldeploy.image.BuiltImage;
import io.jenkins.plugins.modeldeploy.image.ImagePlan;
import io.jenkins.plugins.modeldeploy.image.ImageTarget;
import io.jenkins.plugins.modeldeploy.image.JibImageBuilder;
import io.jenkins.plugins.modeldeploy.model.ModelRuntime;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.target.RolloutRequest;
import io.jenkins.plugins.modeldeploy.testing.BaseImageCache;
import io.jenkins.plugins.modeldeploy.testing.TestModels;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The container runtime leaves no container behind (issue #15 item 1): a JVM running the local target with podman,
 * stopped by SIGTERM, SIGINT or the end of its {@code main} without closing the target, takes its container (and
 * conmon) with it — and only its own: a container of another run, from the same image, keeps running.
 */
class LocalContainerExitIT {
    @TempDir
    Path dir;

    /** A local target that rolls out {@code iris} {@code version} from the image tar, says READY, then waits. */
    public static final class Probe {
        public static void main(String[] args) throws Exception {
            Path model = Path.of(args[0]);
            String pinned = args[1];
            Path tar = Path.of(args[2]);
            String version = args[3];
            ModelVersion v = ModelVersion.of(new ModelSpecLoader().load(model), version, "test");
            LocalGateway gateway = LocalGateway.start(0);
            LocalTarget target = LocalTarget.withContainers(gateway, Podman.projectLocal(), Path.of(args[4]), e -> {});
            target.rollout(
                    new RolloutRequest(v, Optional.of(pinned), Map.of(), Duration.ofMinutes(2), Optional.of(tar)));
            System.out.println("READY");
            System.out.flush();
            if (args[5].equals("wait")) {
                Thread.sleep(TimeUnit.MINUTES.toMillis(10)); // until the test's signal
            }
            // "exit": the end of main with the target still open
        }
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket socket =
                new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT", "exit"})
    void aStoppedRunRemovesItsContainersAndNoOneElses(String how) throws Exception {
        Path base = BaseImageCache.tar(ModelRuntime.PYTHON);
        Path model = TestModels.trainedExample(ExampleModels.IRIS_PYTHON, dir);
        String version = "9" + Math.abs(how.hashCode() % 1000);
        ModelVersion v = ModelVersion.of(new ModelSpecLoader().load(model), version, "test");
        Path tar = dir.resolve("iris.tar");
        BuiltImage image = new JibImageBuilder(dir.resolve("work"), line -> {})
                .build(new ImagePlan(v, new BaseImage.Tar(base), "localhost/models/iris", new ImageTarget.Tar(tar)));
        Podman podman = Podman.projectLocal();
        String loaded = podman.run(600, "load", "--quiet", "--input", tar.toString());
        String ref = loaded.substring(loaded.indexOf(':') + 1).trim();
        // another run's container: labelled as one, from the same image
        String bystander = "bystander-" + UUID.randomUUID();
        podman.run(
                120,
                "run",
                "--detach",
                "--rm",
                "--network",
                "host",
                "--name",
                bystander,
                "--label",
                "io.jenkins.model-deploy/run=another-run", // what Podman.RUN_LABEL names
                ref,
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(freePort()));
        try {
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    Probe.class.getName(),
                    model.toString(),
                    image.pinned(),
                    tar.toString(),
                    version,
                    dir.resolve("state").toString(),
                    how.equals("exit") ? "exit" : "wait"));
            Process probe = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(probe.getInputStream(), StandardCharsets.UTF_8));
            String ready = CompletableFuture.supplyAsync(() -> {
                        try {
                            for (String l = out.readLine(); l != null; l = out.readLine()) {
                                if (l.equals("READY")) {
                                    return l;
                                }
                            }
                            return "exited";
                        } catch (java.io.IOException e) {
                            return e.toString();
                        }
                    })
                    .get(4, TimeUnit.MINUTES);
            assertThat(ready).isEqualTo("READY");
            String name = "^model-deploy-iris-" + version + "-";
            if (!how.equals("exit")) { // ("exit" ends main at once: its container may be gone already)
                assertThat(podman.run(30, "ps", "--quiet", "--filter", "name=" + name))
                        .isNotEmpty();
                new ProcessBuilder("kill", "-s", how, Long.toString(probe.pid()))
                        .start()
                        .waitFor(10, TimeUnit.SECONDS);
            }
            assertThat(probe.waitFor(90, TimeUnit.SECONDS)).as("the run ended").isTrue();
            assertThat(podman.run(30, "ps", "--all", "--quiet", "--filter", "name=" + name))
                    .as("this run's container after " + how)
                    .isEmpty();
            assertThat(podman.run(30, "ps", "--quiet", "--filter", "name=" + bystander))
                    .as("another run's container")
                    .isNotEmpty();
        } finally {
            podman.run(60, "rm", "--force", "--ignore", "--time", "1", bystander);
            String left =
                    podman.run(30, "ps", "--all", "--quiet", "--filter", "name=^model-deploy-iris-" + version + "-");
            if (!left.isBlank()) {
                List<String> rm = new ArrayList<>(List.of("rm", "--force", "--time", "1"));
                rm.addAll(left.lines().toList());
                podman.run(60, rm.toArray(String[]::new));
            }
        }
    }
}
