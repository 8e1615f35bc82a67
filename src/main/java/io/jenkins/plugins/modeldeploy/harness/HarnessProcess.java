package io.jenkins.plugins.modeldeploy.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.modeldeploy.cleanup.ExitCleanup;
import io.jenkins.plugins.modeldeploy.cleanup.ProcessTree;
import io.jenkins.plugins.modeldeploy.environment.EnvironmentException;
import io.jenkins.plugins.modeldeploy.environment.EnvironmentResolver;
import io.jenkins.plugins.modeldeploy.environment.ResolvedEnvironment;
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
 * Kubernetes does: SIGTERM, drain, then a forced kill of the whole process tree (supervisor and workers) only if the
 * drain overruns.
 *
 * <p>Nothing is left behind: the configuration file is deleted as soon as the harness has read it (it is ready) or
 * failed; a harness still running when the JVM exits on a signal is stopped by {@link ExitCleanup}; and the harness's
 * standard input is a pipe this JVM holds open and never writes to, so that even a {@code kill -9} of the JVM shows
 * the harness an end-of-file (docs/harness-protocol.md, "Process model and lifecycle").
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
    /** The workers forked when the harness announced ready; null before. */
    private volatile List<ProcessHandle> readyWorkers;

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
            ExitCleanup.register(configFile);
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
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(version.spec().directory().toFile())
                // the parent-death channel: EOF on stdin means this JVM is gone, however it died
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        Map<String, String> env = builder.environment();
        modelEnvironment(env, version.spec().env(), version.spec().secretEnv().keySet());
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
        if (!version.spec().environment().isEmpty()) {
            // the declared environment, resolved as for the image: the model runs with what it declared
            ResolvedEnvironment resolved;
            try {
                resolved = EnvironmentResolver.resolveForLocalProcess(version.spec(), python, log);
            } catch (EnvironmentException e) {
                deleteQuietly(configFile);
                throw new HarnessStartException("cannot serve " + version.id() + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                deleteQuietly(configFile);
                throw new HarnessStartException(
                        "cannot serve " + version.id() + ": interrupted while resolving its" + " environment");
            }
            if (dependencies.isEmpty()) {
                env.remove("R_LIBS"); // the machine's libraries are no part of the declared environment
            }
            env.remove("R_LIBS_USER");
            if (resolved.pythonPackages().isPresent()) {
                pythonPath +=
                        java.io.File.pathSeparator + resolved.pythonPackages().get();
            }
            if (resolved.rLibrary().isPresent()) {
                env.merge(
                        "R_LIBS",
                        resolved.rLibrary().get().toString(),
                        (vendored, library) -> vendored + java.io.File.pathSeparator + library);
            }
            env.put("PYTHONNOUSERSITE", "1"); // nor the user's own site-packages, which the image does not have
        }
        env.put("PYTHONPATH", pythonPath);
        env.put("PYTHONDONTWRITEBYTECODE", "1"); // keep __pycache__ out of the model directory
        env.put("PYTHONUNBUFFERED", "1");

        Process process;
        if (ExitCleanup.exiting()) { // the JVM is exiting: a harness started now would be left running
            deleteQuietly(configFile);
            throw new HarnessStartException("cannot serve " + version.id() + ": model-deploy is exiting");
        }
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
        ExitCleanup.register(process.toHandle(), stopBound(options));
        // the harness reads its configuration once, before it announces ready: the file has served its purpose
        ready.thenRun(() -> deleteQuietly(configFile));
        process.onExit().thenRun(() -> ready.completeExceptionally(new IllegalStateException("exited")));
        HarnessProcess harness = new HarnessProcess(version, process, configFile, options, ready, tail);
        process.onExit().thenRun(harness::exited);
        return harness;
    }

    /**
     * The supervisor exited (stopped, crashed or killed): its workers must not outlive it holding the port and the
     * model's memory. Those it had when it announced ready are killed if still alive (the harness's own
     * parent-death check is the primary guard; this one needs no cooperation from it).
     */
    private void exited() {
        ExitCleanup.forget(process.toHandle());
        deleteQuietly(configFile);
        List<ProcessHandle> workers = readyWorkers;
        if (workers != null) {
            workers.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** SIGTERM to SIGKILL: the drain bound the harness is given plus 5 s for it to stop its workers and exit. */
    private static Duration stopBound(HarnessOptions options) {
        return options.drainTimeout().plusSeconds(5);
    }

    /**
     * What model code may see of the CLI's environment: everything but the credentials the CLI consumes
     * ({@code MODEL_DEPLOY_AMQP_PASSWORD}, {@code MODEL_DEPLOY_REGISTRY_PASSWORD}) and every other variable whose name
     * looks like one ({@link Redaction#isCredentialName}), as a pod gets only what model.yaml declares; then the
     * model's own {@code env}, which may name a credential on purpose. A variable model.yaml reads from a Kubernetes
     * Secret ({@code secretKeyRef}) keeps the value the shell gave it: locally that value stands in for the Secret
     * (docs/model-spec.md), so a model that works on the cluster also works under {@code serve}.
     */
    static void modelEnvironment(
            Map<String, String> env, Map<String, String> declared, java.util.Set<String> fromSecrets) {
        env.keySet()
                .removeIf(name ->
                        Redaction.isCredentialName(name) && !declared.containsKey(name) && !fromSecrets.contains(name));
        env.remove(
                HarnessConfig.VERSION_ENV); // the configuration file names the version; an inherited one must not win
        env.putAll(declared);
    }

    /** Waits until every worker has loaded the model; returns the base URL. Stops the process on failure. */
    public URI awaitReady() throws HarnessStartException {
        try {
            JsonNode announcement = ready.get(options.readyTimeout().toMillis(), TimeUnit.MILLISECONDS);
            readyWorkers = process.descendants().toList();
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
        exited();
        return code;
    }

    /** SIGTERM, wait for the drain, then kill whatever is left of the process tree. */
    @Override
    public void close() {
        if (process.isAlive()) {
            ProcessTree.stop(process.toHandle(), stopBound(options));
        }
        exited();
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
            ExitCleanup.forget(file);
        } catch (IOException e) {
            // left registered: the exit sweep tries again
        }
    }
}
