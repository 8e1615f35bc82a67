package io.jenkins.plugins.modeldeploy.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.event.EventBus;
import io.jenkins.plugins.modeldeploy.event.EventDetails;
import io.jenkins.plugins.modeldeploy.harness.HarnessOptions;
import io.jenkins.plugins.modeldeploy.harness.HarnessProcess;
import io.jenkins.plugins.modeldeploy.harness.HarnessStartException;
import io.jenkins.plugins.modeldeploy.model.InvalidModelSpecException;
import io.jenkins.plugins.modeldeploy.model.ModelSpec;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The end-to-end demo on the local machine: train the iris example in a scratch copy, serve it with the harness,
 * send every sample request and collect the predictions, then stop. Later stages (image, A/B test) extend it.
 */
public final class LocalDemo {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    /** One sample request and the harness's answer. */
    public record SampleResult(String sample, int status, JsonNode response, double latencyMs) {}

    /** What the demo did. */
    public record Result(String model, String version, URI url, int workers, List<SampleResult> samples) {
        public boolean allSucceeded() {
            return !samples.isEmpty() && samples.stream().allMatch(s -> s.status() == 200);
        }
    }

    private final Path examplesRoot;
    private final HarnessOptions harnessOptions;
    private final EventBus events;
    private final Consumer<String> progress;

    public LocalDemo(Path examplesRoot, HarnessOptions harnessOptions, EventBus events, Consumer<String> progress) {
        this.examplesRoot = examplesRoot;
        this.harnessOptions = harnessOptions;
        this.events = events;
        this.progress = progress;
    }

    public Result run() throws IOException, InvalidModelSpecException, HarnessStartException, InterruptedException {
        Path workDir = Files.createTempDirectory("model-deploy-demo-");
        try {
            Path modelDir = ExampleModels.copy(examplesRoot, ExampleModels.IRIS_PYTHON, workDir);
            progress.accept("training " + ExampleModels.IRIS_PYTHON + " in " + modelDir);
            ExampleModels.train(modelDir, harnessOptions.python(), line -> progress.accept("  " + line));
            ModelSpec spec = new ModelSpecLoader().load(modelDir);
            ModelVersion version = ModelVersion.of(spec, "1", "demo");
            events.publish(DeploymentEvent.of(spec.name(), version.version(), "starting a local harness process",
                    new EventDetails.RolloutProgress("started", 0, 1)));
            long started = System.nanoTime();
            try (HarnessProcess harness = HarnessProcess.start(version, harnessOptions, line -> {})) {
                events.publish(DeploymentEvent.of(spec.name(), version.version(), "ready at " + harness.url() + " with "
                        + harness.workers() + " worker(s)", new EventDetails.RolloutSucceeded(1,
                        (System.nanoTime() - started) / 1e9)));
                List<SampleResult> results = sendSamples(spec, harness.url());
                return new Result(spec.name(), version.version(), harness.url(), harness.workers(), results);
            }
        } finally {
            deleteRecursively(workDir);
        }
    }

    private List<SampleResult> sendSamples(ModelSpec spec, URI base) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();
        List<SampleResult> results = new ArrayList<>();
        for (Path sample : spec.samples()) {
            byte[] body = Files.readAllBytes(spec.directory().resolve(sample));
            HttpRequest request = HttpRequest.newBuilder(base.resolve("/predict"))
                    .timeout(REQUEST_TIMEOUT)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            long start = System.nanoTime();
            HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            double latencyMs = (System.nanoTime() - start) / 1e6;
            JsonNode answer = JSON.readTree(response.body());
            results.add(new SampleResult(sample.toString(), response.statusCode(), answer, latencyMs));
        }
        return results;
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
