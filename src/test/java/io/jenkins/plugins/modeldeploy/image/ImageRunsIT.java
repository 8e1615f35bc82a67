package io.jenkins.plugins.modeldeploy.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.modeldeploy.container.Podman;
import io.jenkins.plugins.modeldeploy.local.ExampleModels;
import io.jenkins.plugins.modeldeploy.model.ModelRuntime;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.testing.BaseImageCache;
import io.jenkins.plugins.modeldeploy.testing.LocalRegistry;
import io.jenkins.plugins.modeldeploy.testing.RawHttp;
import io.jenkins.plugins.modeldeploy.testing.TestModels;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image really runs: a Python base built with mmdebstrap, the iris example built on it with Jib and pushed to a
 * local registry, pulled and run by podman (runc, host network, bound to 127.0.0.1), answering predictions.
 */
class ImageRunsIT {
    @TempDir
    Path dir;

    @Test
    void theIrisImageServesPredictionsInPodman() throws Exception {
        Path base = BaseImageCache.tar(ModelRuntime.PYTHON);
        Path model = TestModels.trainedExample(ExampleModels.IRIS_PYTHON, dir);
        try (LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"), null, null)) {
            ModelVersion version = ModelVersion.of(new ModelSpecLoader().load(model), "7", "test");
            BuiltImage image = new JibImageBuilder(dir.resolve("work"), line -> {})
                    .build(new ImagePlan(
                            version,
                            new BaseImage.Tar(base),
                            registry.host() + "/models/iris",
                            new ImageTarget.Registry(Optional.empty(), true)));
            Podman podman = Podman.projectLocal();
            podman.run(600, "pull", "--quiet", "--tls-verify=false", image.pinned());
            int port = freePort();
            String container = podman.run(
                    120,
                    "run",
                    "--detach",
                    "--rm",
                    "--network",
                    "host",
                    image.pinned(),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    Integer.toString(port));
            try {
                URI url = URI.create("http://127.0.0.1:" + port);
                awaitReady(url, podman, container);
                try (RawHttp http = new RawHttp(url)) {
                    RawHttp.Response response = http.postJson(
                            "/predict", "{\"instances\": [[5.1, 3.5, 1.4, 0.2]," + " [6.3, 3.3, 6.0, 2.5]]}");
                    assertThat(response.status()).as(response.text()).isEqualTo(200);
                    assertThat(response.json().get("predictions")).hasToString("[\"setosa\",\"virginica\"]");
                    assertThat(response.header("x-model-name")).isEqualTo("iris");
                    assertThat(response.header("x-model-version")).isEqualTo("7");
                }
                assertThat(podman.run(
                                60, "exec", container, "python3", "-c", "import os; print(os.getuid(), os.getgid())"))
                        .isEqualTo("10001 10001");
            } finally {
                podman.run(60, "stop", "--time", "15", container);
            }
        }
    }

    @Test
    void theMtcarsImageServesPredictionsThroughEmbeddedR() throws Exception {
        Path base = BaseImageCache.tar(ModelRuntime.R);
        Path model = TestModels.trainedExample(ExampleModels.MTCARS_R, dir);
        Path tar = dir.resolve("mtcars.tar");
        ModelVersion version = ModelVersion.of(new ModelSpecLoader().load(model), "2", "test");
        BuiltImage image = new JibImageBuilder(dir.resolve("work"), line -> {})
                .build(new ImagePlan(
                        version, new BaseImage.Tar(base), "localhost/models/mtcars", new ImageTarget.Tar(tar)));
        Podman podman = Podman.projectLocal();
        podman.run(600, "load", "--quiet", "--input", tar.toString());
        int port = freePort();
        String container = podman.run(
                120,
                "run",
                "--detach",
                "--rm",
                "--network",
                "host",
                image.image(),
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(port));
        try {
            URI url = URI.create("http://127.0.0.1:" + port);
            awaitReady(url, podman, container);
            try (RawHttp http = new RawHttp(url)) {
                RawHttp.Response response = http.postJson("/predict", "{\"instances\": [{\"wt\": 2.62, \"hp\": 110}]}");
                assertThat(response.status()).as(response.text()).isEqualTo(200);
                assertThat(response.json().at("/predictions/0").asDouble()).isBetween(23.57, 23.58);
                assertThat(response.header("x-model-version")).isEqualTo("2");
            }
        } finally {
            podman.run(60, "stop", "--time", "15", container);
        }
    }

    private static void awaitReady(URI url, Podman podman, String container) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            try (RawHttp http = new RawHttp(url)) {
                if (http.get("/v2/health/ready").status() == 200) {
                    return;
                }
            } catch (ConnectException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("container never became ready: " + podman.run(30, "logs", container));
            }
            Thread.sleep(250);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
