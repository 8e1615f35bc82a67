package io.jenkins.plugins.modeldeploy.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.modeldeploy.container.Podman;
import io.jenkins.plugins.modeldeploy.harness.HarnessOptions;
import io.jenkins.plugins.modeldeploy.harness.HarnessProcess;
import io.jenkins.plugins.modeldeploy.harness.HarnessStartException;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.smoke.Payload;
import io.jenkins.plugins.modeldeploy.smoke.Payloads;
import io.jenkins.plugins.modeldeploy.smoke.ResponseCheck;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Proves that a built image serves before anything is pushed or rolled out: loads the image's OCI tar into the
 * project's podman, runs it on the host network on a free 127.0.0.1 port, waits until the model is ready, POSTs each
 * of the model's samples to {@code /predict} and checks the answers (a 2xx, and the sample's {@code expected}
 * predictions where it gives them); then removes the container and the image it loaded. Without podman it runs the
 * model with the harness on this machine instead (the same samples) and says so in the log.
 *
 * <p>Every wait is bounded: the model's readiness by {@code readyTimeout} (a container that exits earlier fails at
 * once, with its log), each podman command and each request by its own bound.
 */
public final class ImageVerifier {
    public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(120);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final long LOAD_SECONDS = 600;
    private static final long PODMAN_SECONDS = 120;
    private static final int LOG_TAIL_LINES = 40;
    private static final int BODY_EXCERPT = 300;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What runs the image. */
    public enum Mode {
        /** podman when it is installed, else the local harness. */
        AUTO,
        PODMAN,
        LOCAL_HARNESS
    }

    private final Consumer<String> log;
    private final Duration readyTimeout;
    private final Mode mode;

    public ImageVerifier(Consumer<String> log) {
        this(log, DEFAULT_READY_TIMEOUT, Mode.AUTO);
    }

    public ImageVerifier(Consumer<String> log, Duration readyTimeout, Mode mode) {
        this.log = Objects.requireNonNull(log, "log");
        if (readyTimeout.isNegative() || readyTimeout.isZero()) {
            throw new IllegalArgumentException("readyTimeout must be positive, was " + readyTimeout);
        }
        this.readyTimeout = readyTimeout;
        this.mode = Objects.requireNonNull(mode, "mode");
    }

    /** {@link VerificationResult#PODMAN} or {@link VerificationResult#LOCAL_HARNESS}: what {@link #verify} runs. */
    public String runner() {
        return switch (mode) {
            case PODMAN -> VerificationResult.PODMAN;
            case LOCAL_HARNESS -> VerificationResult.LOCAL_HARNESS;
            case AUTO -> Podman.installed() ? VerificationResult.PODMAN : VerificationResult.LOCAL_HARNESS;
        };
    }

    /** The model's samples as they are sent (none: readiness alone is checked). */
    public static List<Payload> samples(ModelVersion version) throws ImageVerificationException {
        if (version.spec().samples().isEmpty()) {
            return List.of();
        }
        try {
            return Payloads.read(version.spec().directory(), version.spec().samples());
        } catch (IOException e) {
            throw new ImageVerificationException(
                    "cannot verify " + version.id() + ": " + e.getMessage(),
                    Optional.empty(),
                    Optional.empty(),
                    List.of());
        }
    }

    /**
     * Runs the image of {@code version} from {@code tar} (an OCI layout or docker-save tar tagged {@code image}) and
     * sends it the model's samples.
     *
     * @return the samples' answers, all passed
     * @throws ImageVerificationException naming the image, and the sample or the missing module, when it did not
     *     serve them all
     */
    public VerificationResult verify(Path tar, String image, ModelVersion version)
            throws ImageVerificationException, InterruptedException {
        List<Payload> samples = samples(version);
        if (samples.isEmpty()) {
            log.accept("model " + version.name() + " has no samples: verifying that " + image + " loads and is ready");
        }
        String runner = runner();
        VerificationResult result = runner.equals(VerificationResult.PODMAN)
                ? inPodman(tar, image, version, samples)
                : locally(image, version, samples);
        if (!result.ok()) {
            throw new ImageVerificationException(
                    "image " + image + " answered " + result.passed() + " of " + result.sent() + " samples: "
                            + String.join(
                                    "; ",
                                    result.failures().stream()
                                            .map(VerificationResult.SampleFailure::toString)
                                            .toList()),
                    Optional.empty(),
                    Optional.of(result),
                    List.of());
        }
        return result;
    }

    private VerificationResult inPodman(Path tar, String image, ModelVersion version, List<Payload> samples)
            throws ImageVerificationException, InterruptedException {
        Podman podman;
        try {
            podman = Podman.projectLocal();
        } catch (IOException e) {
            throw failure(image, "cannot set up podman: " + e.getMessage(), List.of());
        }
        // the tag may name an image this machine already had (an earlier build of the version): loading moves the
        // tag to the new image, so afterwards the tag goes back to the old one and only the loaded image is removed
        Optional<String> previous = imageId(podman, image);
        Optional<String> loadedId = Optional.empty();
        String container = null;
        String loaded = image;
        try {
            log.accept("verifying " + image + " in podman: loading " + tar.getFileName());
            String output = podman.run(LOAD_SECONDS, "load", "--quiet", "--input", tar.toString());
            // "Loaded image: 127.0.0.1:5000/models/iris:2" (one line per tag)
            loaded = output.lines()
                    .filter(l -> l.startsWith("Loaded image"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse(image);
            loadedId = imageId(podman, loaded);
            int port = freePort();
            podman.removeOnExit(); // before the container exists: a signal during `podman run` still finds it
            container = podman.run(
                            PODMAN_SECONDS,
                            "run",
                            "--detach",
                            // no --rm: the log of a container that exits early is what says why
                            "--env-host=false",
                            "--http-proxy=false",
                            "--label",
                            Podman.RUN_LABEL + "=" + Podman.RUN,
                            "--network",
                            "host",
                            "--name",
                            "model-deploy-verify-" + version.id() + "-" + port,
                            "--env",
                            "MODEL_DEPLOY_VERSION=" + version.version(),
                            loaded,
                            "--host",
                            "127.0.0.1",
                            "--port",
                            Integer.toString(port))
                    .lines()
                    .reduce((a, b) -> b)
                    .orElseThrow(() -> new IOException("podman run printed no container id"));
            URI url = URI.create("http://127.0.0.1:" + port);
            awaitContainerReady(podman, container, image, url);
            log.accept("verifying " + image + ": ready, sending " + samples.size() + " sample(s)");
            return send(image, VerificationResult.PODMAN, url, samples);
        } catch (IOException e) {
            List<String> tail = container == null ? List.of() : logs(podman, container);
            throw failure(image, "podman could not run it: " + e.getMessage(), tail);
        } finally {
            if (container != null) {
                quietly(podman, "rm", "--force", "--ignore", "--time", "10", container);
            }
            if (loadedId.isPresent() && !loadedId.equals(previous)) {
                if (previous.isPresent()) {
                    quietly(podman, "tag", previous.get(), image);
                }
                quietly(podman, "rmi", loadedId.get());
            }
        }
    }

    private void awaitContainerReady(Podman podman, String container, String image, URI url)
            throws IOException, ImageVerificationException, InterruptedException {
        Process wait = podman.start("wait", container);
        try {
            HttpClient client = client();
            HttpRequest probe = HttpRequest.newBuilder(url.resolve("/v2/health/ready"))
                    .timeout(Duration.ofSeconds(2))
                    .GET()
                    .build();
            long deadline = System.nanoTime() + readyTimeout.toNanos();
            while (true) {
                if (!wait.isAlive()) {
                    List<String> tail = logs(podman, container);
                    throw failure(image, "the container exited before it was ready", tail);
                }
                try {
                    if (client.send(probe, HttpResponse.BodyHandlers.discarding())
                                    .statusCode()
                            == 200) {
                        return;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                if (System.nanoTime() > deadline) {
                    throw failure(
                            image, "not ready within " + readyTimeout.toSeconds() + " s", logs(podman, container));
                }
                Thread.sleep(200);
            }
        } finally {
            wait.destroy();
        }
    }

    private VerificationResult locally(String image, ModelVersion version, List<Payload> samples)
            throws ImageVerificationException, InterruptedException {
        log.accept("podman is not available: verifying " + version.id()
                + " with the harness on this machine (the model's environment, not the image itself)");
        List<String> lines = new ArrayList<>();
        Consumer<String> recording = line -> {
            synchronized (lines) {
                lines.add(line);
            }
            log.accept(line);
        };
        try (HarnessProcess harness =
                HarnessProcess.start(version, HarnessOptions.loopback().withReadyTimeout(readyTimeout), recording)) {
            return send(image, VerificationResult.LOCAL_HARNESS, harness.url(), samples);
        } catch (HarnessStartException e) {
            List<String> tail;
            synchronized (lines) {
                tail = List.copyOf(lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
            }
            List<String> searched = new ArrayList<>(tail);
            searched.addAll(Arrays.asList(String.valueOf(e.getMessage()).split("\n")));
            throw failure(image, "the model did not start with the harness on this machine", searched, tail);
        }
    }

    /** Sends each sample once, in order, and judges its answer. */
    private VerificationResult send(String image, String runner, URI base, List<Payload> samples)
            throws InterruptedException {
        HttpClient client = client();
        URI predict = base.resolve("/predict");
        List<VerificationResult.SampleFailure> failures = new ArrayList<>();
        int passed = 0;
        for (Payload sample : samples) {
            HttpRequest request = HttpRequest.newBuilder(predict)
                    .timeout(REQUEST_TIMEOUT)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(sample.body()))
                    .build();
            HttpResponse<byte[]> response;
            try {
                response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                failures.add(new VerificationResult.SampleFailure(
                        sample.name(), 0, "no answer: " + e.getClass().getSimpleName() + " " + e.getMessage()));
                continue;
            }
            Optional<String> problem = judge(sample, response.statusCode(), response.body());
            if (problem.isPresent()) {
                failures.add(new VerificationResult.SampleFailure(sample.name(), response.statusCode(), problem.get()));
            } else {
                passed++;
            }
        }
        return new VerificationResult(image, runner, samples.size(), passed, failures);
    }

    /** Empty when the answer passes: a 2xx and, where the sample gives them, its expected predictions. */
    static Optional<String> judge(Payload sample, int status, byte[] body) {
        if (status < 200 || status > 299) {
            return Optional.of("HTTP " + status + ": " + excerpt(body));
        }
        if (sample.expected().isEmpty() || ResponseCheck.EXPECTED.accepts(sample, body)) {
            return Optional.empty();
        }
        String got;
        try {
            JsonNode answer = JSON.readTree(body);
            got = answer != null && answer.has("predictions")
                    ? answer.get("predictions").toString()
                    : excerpt(body);
        } catch (IOException e) {
            got = excerpt(body);
        }
        return Optional.of("expected " + sample.expected().get() + ", got " + got);
    }

    private ImageVerificationException failure(String image, String why, List<String> tail) {
        return failure(image, why, tail, tail);
    }

    /**
     * The message names the image and, when the log shows one, the missing module and what provides it instead of
     * {@code why}.
     */
    private static ImageVerificationException failure(
            String image, String why, List<String> searched, List<String> tail) {
        Optional<MissingModule> missing = MissingModule.find(searched);
        String message = "image " + image + " cannot serve: "
                + missing.map(MissingModule::describe)
                        .orElse(why + (tail.isEmpty() ? "" : "; its last log lines:\n  " + String.join("\n  ", tail)));
        return new ImageVerificationException(message, missing, Optional.empty(), tail);
    }

    private static HttpClient client() {
        return HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(2))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** The id of the image {@code reference} names in podman's storage, if any. */
    private static Optional<String> imageId(Podman podman, String reference) throws InterruptedException {
        try {
            podman.run(PODMAN_SECONDS, "image", "exists", reference);
            String id = podman.run(PODMAN_SECONDS, "image", "inspect", "--format", "{{.Id}}", reference)
                    .strip();
            return id.isEmpty() ? Optional.empty() : Optional.of(id);
        } catch (IOException e) {
            return Optional.empty(); // none: `image exists` exits 1
        }
    }

    private static List<String> logs(Podman podman, String container) throws InterruptedException {
        try {
            return podman.run(PODMAN_SECONDS, "logs", "--tail", Integer.toString(LOG_TAIL_LINES), container)
                    .lines()
                    .toList();
        } catch (IOException e) {
            return List.of("(no log: " + e.getMessage() + ")");
        }
    }

    private void quietly(Podman podman, String... args) throws InterruptedException {
        try {
            podman.run(PODMAN_SECONDS, args);
        } catch (IOException e) {
            log.accept("could not clean up after verification: " + e.getMessage());
        }
    }

    private static String excerpt(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        return text.length() <= BODY_EXCERPT ? text : text.substring(0, BODY_EXCERPT) + "…";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
