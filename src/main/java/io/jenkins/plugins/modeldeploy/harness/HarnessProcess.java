package io.jenkins.plugins.modeldeploy.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.redact.Redaction;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One model version served by the harness as a local process (what {@code serve}, the local target and the tests
 * run). Start returns once the model is loaded and every worker accepts requests; {@link #close()} stops it the way
 * Kubernetes does: SIGTERM, drain, then a forced kill only if the drain overruns.
 */
public final class HarnessProcess implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int LOG_TAIL_LINES = 20;

    private final ModelVersion version;
    private final Process process;
    private final Path configFile;
    private final HarnessOptions options;
    private final CompletableFuture<JsonNode> ready;
    private final Deque<String> tail;

    private HarnessProcess(
            ModelVersion version,
            Process process,
            Path configFile,
            HarnessOptions options,
            CompletableFuture<JsonNode> ready,
            Deque<String> tail) {
        this.version = version;
        this.process = process;
        this.configFile = configFile;
        this.options = options;
        this.ready = ready;
        this.tail = tail;
    }

    /**
     * Starts the harness and waits until it is ready.
     *
     * @param log receives every line the harness writes (its own log and the model's output)
     */
    public static HarnessProcess start(ModelVersion version, HarnessOptions options, Consumer<String> log)
            throws HarnessStartException {
        HarnessProcess harness = launch(version, options, log);
        harness.awaitReady();
        return harness;
    }

    /**
     * Starts the harness without waiting for the model to load: it listens at once and answers health requests
     * (not ready) while loading. Call {@link #awaitReady()} before sending predictions.
     */
    public static HarnessProcess launch(ModelVersion version, HarnessOptions options, Consumer<String> log)
            throws HarnessStartException {
        Path python = options.python();
        if (!Files.isExecutable(python)) {
            throw new HarnessStartException("cannot serve " + version.id() + ": python interpreter " + python
                    + " not found or not executable (install python3, or set MODEL_DEPLOY_PYTHON)");
        }
        Path harnessDir;
        Path configFile;
        try {
            harnessDir = HarnessFiles.bundled().extractTo(HarnessFiles.defaultCacheRoot());
            configFile = Files.createTempFile("model-deploy-" + version.id() + "-", ".json");
            Files.write(
                    configFile,
                    HarnessConfig.render(version, version.spec().directory().toString()));
        } catch (IOException e) {
            throw new HarnessStartException(
                    "cannot prepare the harness for " + version.id() + ": " + e.getMessage(), e);
        }
        List<String> command = List.of(
                python.toString(),
                "-m",
                "mdharness",
                "--config",
                configFile.toString(),
                "--host",
                options.host(),
                "--port",
                Integer.toString(options.port()),
                "--drain-timeout",
                Double.toString(options.drainTimeout().toMillis() / 1000.0));
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(version.spec().directory().toFile());
        Map<String, String> env = builder.environment();
        modelEnvironment(env, version.spec().env());
        env.remove(HarnessOptions.INJECT_ERROR_RATE_ENV);
        if (options.injectedErrorRate() > 0) {
            env.put(HarnessOptions.INJECT_ERROR_RATE_ENV, Double.toString(options.injectedErrorRate()));
        }
        String pythonPath = harnessDir.resolve(HarnessFiles.PYTHON_PATH).toString();
        var dependencies = version.spec()
                .dependencies()
                .map(d -> version.spec().directory().resolve(d).toString());
        if (dependencies.isPresent()) {
            pythonPath += java.io.File.pathSeparator + dependencies.get();
            env.put("R_LIBS", dependencies.get());
        }
        env.put("PYTHONPATH", pythonPath);
        env.put("PYTHONDONTWRITEBYTECODE", "1"); // keep __pycache__ out of the model directory
        env.put("PYTHONUNBUFFERED", "1");

        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            deleteQuietly(configFile);
            throw new HarnessStartException(
                    "cannot start " + python + " for " + version.id() + ": " + e.getMessage(), e);
        }
        Deque<String> tail = new ArrayDeque<>();
        Consumer<String> recording = line -> {
            synchronized (tail) {
                if (tail.size() == LOG_TAIL_LINES) {
                    tail.removeFirst();
                }
                tail.addLast(line);
            }
            log.accept(line);
        };
        CompletableFuture<JsonNode> ready = new CompletableFuture<>();
        pump(process.getInputStream(), "stdout " + version.id(), line -> {
            if (!ready.isDone() && line.startsWith("{\"event\": \"ready\"")) {
                try {
                    ready.complete(JSON.readTree(line));
                    return;
                } catch (IOException e) {
                    // not our announcement after all: an ordinary line of model output
                }
            }
            recording.accept(line);
        });
        pump(process.getErrorStream(), "stderr " + version.id(), recording);
        process.onExit().thenRun(() -> ready.completeExceptionally(new IllegalStateException("exited")));
        return new HarnessProcess(version, process, configFile, options, ready, tail);
    }

    /**
     * What model code may see of the CLI's environment: everything but the credentials the CLI consumes
     * ({@code MODEL_DEPLOY_AMQP_PASSWORD}, {@code MODEL_DEPLOY_REGISTRY_PASSWORD}) and every other variable whose name
     * looks like one ({@link Redaction#isCredentialName}), as a pod gets only what model.yaml declares; then the
     * model's own {@code env}, which may name a credential on purpose.
     */
    static void modelEnvironment(Map<String, String> env, Map<String, String> declared) {
        env.keySet().removeIf(name -> Redaction.isCredentialName(name) && !declared.containsKey(name));
        env.remove(
                HarnessConfig.VERSION_ENV); // the configuration file names the version; an inherited one must not win
        env.putAll(declared);
    }

    /** Waits until every worker has loaded the model; returns the base URL. Stops the process on failure. */
    public URI awaitReady() throws HarnessStartException {
        try {
            JsonNode announcement = ready.get(options.readyTimeout().toMillis(), TimeUnit.MILLISECONDS);
            return URI.create(announcement.get("url").asText());
        } catch (ExecutionException e) {
            int code = waitQuietly(process);
            deleteQuietly(configFile);
            throw new HarnessStartException(
                    "model " + version.id() + " failed to start (harness exit code " + code + ")" + lastLines(tail));
        } catch (TimeoutException e) {
            close();
            throw new HarnessStartException("model " + version.id() + " was not ready within "
                    + options.readyTimeout().toSeconds() + " s" + lastLines(tail));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new HarnessStartException("interrupted while starting " + version.id());
        }
    }

    public ModelVersion version() {
        return version;
    }

    /** Base URL, e.g. {@code http://127.0.0.1:41234}; only once ready. */
    public URI url() {
        return URI.create(announcement().get("url").asText());
    }

    /** Worker processes serving the model; only once ready. */
    public int workers() {
        return announcement().get("workers").asInt();
    }

    private JsonNode announcement() {
        JsonNode announcement = ready.getNow(null);
        if (announcement == null) {
            throw new IllegalStateException("harness for " + version.id() + " is not ready yet");
        }
        return announcement;
    }

    public long pid() {
        return process.pid();
    }

    /** Runs {@code action} once the process has exited, for whatever reason. */
    public void onExit(Runnable action) {
        process.onExit().thenRun(action);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The last lines the harness wrote, newest last. */
    public List<String> logTail() {
        synchronized (tail) {
            return List.copyOf(tail);
        }
    }

    /** Blocks until the harness exits on its own (or after {@link #close()}); returns its exit code. */
    public int waitFor() throws InterruptedException {
        int code = process.waitFor();
        deleteQuietly(configFile);
        return code;
    }

    /** SIGTERM, wait for the drain, then kill whatever is left. */
    @Override
    public void close() {
        stop(process, options.drainTimeout());
        deleteQuietly(configFile);
    }

    /** Sends SIGTERM without waiting: the harness drains and exits on its own. */
    public void signalStop() {
        terminate(process);
    }

    /**
     * SIGTERM through the process handle: {@link Process#destroy()} also closes our ends of the harness's stdout and
     * stderr, so every line it logs while draining would be lost and its writes would fail with EPIPE.
     */
    private static void terminate(Process process) {
        process.toHandle().destroy();
    }

    private static void stop(Process process, Duration drainTimeout) {
        if (!process.isAlive()) {
            return;
        }
        List<ProcessHandle> workers = process.descendants().toList();
        terminate(process);
        try {
            if (!process.waitFor(drainTimeout.toMillis() + 5_000, TimeUnit.MILLISECONDS)) {
                workers.forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    private static int waitQuietly(Process process) {
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String lastLines(Deque<String> tail) {
        synchronized (tail) {
            if (tail.isEmpty()) {
                return "; it wrote nothing";
            }
            return "; its last log lines:\n  " + String.join("\n  ", tail);
        }
    }

    private static void pump(InputStream stream, String name, Consumer<String> sink) {
        Thread thread = new Thread(
                () -> {
                    try (BufferedReader reader =
                            new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                            sink.accept(line);
                        }
                    } catch (IOException e) {
                        // the process closed its end: nothing more to forward
                    }
                },
                "harness " + name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a temporary file left in the temp directory is harmless
        }
    }
}
