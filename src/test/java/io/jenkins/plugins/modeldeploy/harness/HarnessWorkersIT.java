package io.jenkins.plugins.modeldeploy.harness;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.modeldeploy.container.Podman;
import io.jenkins.plugins.modeldeploy.image.ImageLayout;
import io.jenkins.plugins.modeldeploy.model.ModelRuntime;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.testing.BaseImageCache;
import io.jenkins.plugins.modeldeploy.testing.RawHttp;
import io.jenkins.plugins.modeldeploy.testing.TestModels;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code workers: auto} sized to the container, not the node: the harness (as bundled, on the Python base image) in a
 * podman container with cgroup CPU and memory limits ({@code --cpus}, {@code --memory}, as a pod's limits are), or
 * with only the CPU request the Deployment passes in MODEL_DEPLOY_CPU_REQUEST_MILLIS. The model holds 100 MiB, so
 * the test also sees the memory fit and that the model is loaded once, before fork, with its pages shared.
 */
class HarnessWorkersIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LOADED = Pattern.compile("ballast: 100 MiB loaded by pid (\\d+)");

    @TempDir
    static Path dir;

    private static Podman podman;
    private static String image;
    private static Path harness;
    private static Path model;
    private static Path config;

    @BeforeAll
    static void baseImageHarnessAndModel() throws Exception {
        podman = Podman.projectLocal();
        String loaded = podman.run(
                300,
                "load",
                "--quiet",
                "--input",
                BaseImageCache.tar(ModelRuntime.PYTHON).toString());
        image = loaded.substring(loaded.lastIndexOf(' ') + 1); // "Loaded image: localhost/...:cached"
        harness = HarnessFiles.bundled().extractTo(dir.resolve("harness"));
        model = TestModels.testModel("ballast-python", dir);
        config = dir.resolve("harness.json");
        Files.write(
                config,
                HarnessConfig.render(ModelVersion.of(new ModelSpecLoader().load(model), "1", "t"), ImageLayout.MODEL));
    }

    @Test
    void aCpuLimitOfOneAndAHalfCoresGivesTwoWorkersThatShareTheModelLoadedOnceBeforeFork() throws Exception {
        try (Container container = Container.start("--cpus", "1.5", "--memory", "512m")) {
            assertThat(container.ready.get("workers").asInt())
                    .as(container.log())
                    .isEqualTo(2);
            // loaded once, by the supervisor (the process that announces readiness), not by each worker
            List<String> loads = container.matches(LOADED);
            assertThat(loads)
                    .as(container.log())
                    .containsExactly(container.ready.get("pid").asText());
            assertThat(container.log())
                    .contains("workers: 2 (cpu limit 1.5 cores; memory limit 512Mi allows ")
                    .contains("per worker measured after the load)");
            // each worker holds the 100 MiB as pages shared with the supervisor, not as a private copy
            Map<Integer, JsonNode> workers = new HashMap<>();
            for (int i = 0; i < 200 && workers.size() < 2; i++) {
                try (RawHttp http = new RawHttp(container.url)) { // a new connection: the kernel picks a worker
                    RawHttp.Response response = http.postJson("/predict", "{\"instances\": [1]}");
                    assertThat(response.status()).as(response.text()).isEqualTo(200);
                    JsonNode memory = response.json().at("/predictions/0");
                    workers.put(memory.get("pid").asInt(), memory);
                }
            }
            assertThat(workers).as("answers by two workers").hasSize(2);
            for (JsonNode memory : workers.values()) {
                assertThat(memory.get("pid").asText())
                        .isNotEqualTo(container.ready.get("pid").asText());
                long sharedKb = memory.get("Shared_Clean").asLong()
                        + memory.get("Shared_Dirty").asLong();
                assertThat(sharedKb).as(memory.toString()).isGreaterThan(95 * 1024);
                assertThat(memory.get("Private_Dirty").asLong())
                        .as(memory.toString())
                        .isLessThan(50 * 1024);
            }
        }
    }

    @Test
    void aCpuLimitOfHalfACoreGivesOneWorkerEvenWithALargerRequest() throws Exception {
        try (Container container = Container.start("--cpus", "0.5", "--env", "MODEL_DEPLOY_CPU_REQUEST_MILLIS=2000")) {
            assertThat(container.ready.get("workers").asInt())
                    .as(container.log())
                    .isEqualTo(1);
            assertThat(container.log()).contains("workers: 1 (cpu limit 0.5 cores)");
        }
    }

    @Test
    void withoutALimitACpuRequestOf250mGivesOneWorker() throws Exception {
        try (Container container = Container.start("--env", "MODEL_DEPLOY_CPU_REQUEST_MILLIS=250")) {
            assertThat(container.ready.get("workers").asInt())
                    .as(container.log())
                    .isEqualTo(1);
            assertThat(container.log()).contains("workers: 1 (cpu request 250m, no cpu limit)");
            try (RawHttp http = new RawHttp(container.url)) {
                assertThat(http.postJson("/predict", "{\"instances\": [1]}").status())
                        .isEqualTo(200);
            }
        }
    }

    @Test
    void aMemoryLimitThatHoldsOneCopyOfTheModelGivesOneWorkerWhateverTheCpus() throws Exception {
        try (Container container = Container.start("--cpus", "2", "--memory", "320m")) {
            assertThat(container.ready.get("workers").asInt())
                    .as(container.log())
                    .isEqualTo(1);
            assertThat(container.log()).contains("workers: 1 (cpu limit 2 cores; memory limit 320Mi allows 1 (");
            assertThat(container.matches(LOADED)).as(container.log()).hasSize(1);
            try (RawHttp http = new RawHttp(container.url)) {
                assertThat(http.postJson("/predict", "{\"instances\": [1]}").status())
                        .isEqualTo(200);
            }
        }
    }

    /** One harness container, attached, so its output (the readiness line on stdout, the log on stderr) streams. */
    private static final class Container implements AutoCloseable {
        final String name;
        final Process process;
        final List<String> lines = new CopyOnWriteArrayList<>();
        final JsonNode ready;
        final URI url;

        private Container(String name, Process process, URI url) throws Exception {
            this.name = name;
            this.process = process;
            this.url = url;
            CompletableFuture<JsonNode> announced = new CompletableFuture<>();
            Thread reader = new Thread(
                    () -> {
                        try (BufferedReader in = new BufferedReader(
                                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                            String line;
                            while ((line = in.readLine()) != null) {
                                lines.add(line);
                                if (line.startsWith("{\"event\": \"ready\"")) {
                                    announced.complete(JSON.readTree(line));
                                }
                            }
                            announced.completeExceptionally(new IOException("the container ended before ready"));
                        } catch (IOException e) {
                            announced.completeExceptionally(e);
                        }
                    },
                    "container-output");
            reader.setDaemon(true);
            reader.start();
            try {
                this.ready = announced.get(120, TimeUnit.SECONDS);
            } catch (Exception e) {
                close();
                throw new AssertionError("the harness never announced readiness:\n" + log(), e);
            }
        }

        static Container start(String... limits) throws Exception {
            int port = freePort();
            String name = "model-deploy-workers-it-" + port;
            List<String> args = new ArrayList<>(List.of("run", "--rm", "--name", name, "--network", "host"));
            args.addAll(List.of(limits));
            args.addAll(List.of(
                    "--env",
                    "PYTHONPATH=" + ImageLayout.HARNESS + "/" + HarnessFiles.PYTHON_PATH,
                    "--env",
                    "BALLAST_MB=100",
                    "--volume",
                    harness + ":" + ImageLayout.HARNESS + ":ro",
                    "--volume",
                    model + ":" + ImageLayout.MODEL + ":ro",
                    "--volume",
                    config + ":" + ImageLayout.CONFIG + ":ro",
                    "--entrypoint",
                    "python3",
                    image,
                    "-m",
                    "mdharness",
                    "--config",
                    ImageLayout.CONFIG,
                    "--host",
                    "127.0.0.1",
                    "--port",
                    Integer.toString(port)));
            return new Container(
                    name, podman.start(args.toArray(String[]::new)), URI.create("http://127.0.0.1:" + port));
        }

        String log() {
            return String.join("\n", lines);
        }

        List<String> matches(Pattern pattern) {
            List<String> found = new ArrayList<>();
            for (String line : lines) {
                Matcher m = pattern.matcher(line);
                if (m.find()) {
                    found.add(m.group(1));
                }
            }
            return found;
        }

        @Override
        public void close() throws Exception {
            try {
                podman.run(60, "stop", "--ignore", "--time", "15", name);
            } finally {
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
