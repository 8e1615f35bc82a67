package io.jenkins.plugins.modeldeploy.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.modeldeploy.abtest.GatedMetric;
import io.jenkins.plugins.modeldeploy.container.Podman;
import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.harness.HarnessOptions;
import io.jenkins.plugins.modeldeploy.image.LayerPlan;
import io.jenkins.plugins.modeldeploy.model.ModelSpec;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.target.DeployedVersion;
import io.jenkins.plugins.modeldeploy.target.ModelStatus;
import io.jenkins.plugins.modeldeploy.target.RetireMode;
import io.jenkins.plugins.modeldeploy.target.RolloutException;
import io.jenkins.plugins.modeldeploy.target.RolloutRequest;
import io.jenkins.plugins.modeldeploy.target.TargetException;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The persistent local target ({@code model-deploy local start}): one process per state directory that owns the
 * {@link LocalGateway} and a {@link LocalTarget} (harness processes, or podman containers), keeps what it runs in
 * {@link DesiredState} so that a restarted daemon brings every version, route and weight back, restarts a version
 * whose process died (with backoff; the gateway skips it meanwhile), and lets CLI invocations drive it through
 * {@link ControlServer}. Stopping it stops every version process it started and keeps the desired state.
 */
public final class LocalDaemon implements AutoCloseable {
    public static final String PROCESS = "process";
    public static final String CONTAINER = "container";
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(60);
    /** A restarted version that lives this long starts its backoff from the beginning at its next crash. */
    private static final Duration STABLE_AFTER = Duration.ofSeconds(60);

    private static final Duration ORPHAN_DRAIN = Duration.ofSeconds(15);

    /**
     * @param port    the gateway's port; empty: the one the state directory used last (when free), else any free one
     * @param runtime {@link #PROCESS} or {@link #CONTAINER}; empty: what the state directory used last, else process
     * @param predictionLog where the gateway logs answered predictions; empty: not logged (the default)
     */
    public record Options(
            Path state,
            OptionalInt port,
            Optional<String> runtime,
            Optional<PredictionLogWriter.Settings> predictionLog) {
        public Options(Path state, OptionalInt port, Optional<String> runtime) {
            this(state, port, runtime, Optional.empty());
        }
    }

    /** Another daemon holds the state directory's lock. */
    public static final class AlreadyRunningException extends Exception {
        private final Optional<DaemonRecord> running;

        AlreadyRunningException(LocalState state, Optional<DaemonRecord> running) {
            super("a local target is already running on " + state.root()
                    + running.map(r -> " (pid " + r.pid() + ", gateway " + r.gateway() + ")")
                            .orElse(" (it holds " + state.lock() + ")"));
            this.running = running;
        }

        public Optional<DaemonRecord> running() {
            return running;
        }
    }

    private record Backoff(int attempt, long startedNanos) {
        Duration delay() {
            long seconds = 1L << Math.min(attempt - 1, 6);
            return Duration.ofSeconds(Math.min(seconds, MAX_BACKOFF.toSeconds()));
        }
    }

    private final LocalState state;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Consumer<String> log;
    private final DesiredState desired;
    private final String runtime;
    private final Optional<Podman> podman;
    private final String token;
    private final ThreadLocal<Consumer<DeploymentEvent>> requestEvents = new ThreadLocal<>();
    private final Map<VersionRef, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final Map<VersionRef, Backoff> restarts = new ConcurrentHashMap<>();
    private final ScheduledExecutorService supervisor = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "model-deploy-supervisor");
        thread.setDaemon(true);
        return thread;
    });
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;
    private LocalGateway gateway;
    private LocalTarget target;
    private ControlServer control;
    private DaemonRecord record;
    private PredictionLogWriter predictionLog;
    private Optional<PredictionLogWriter.Settings> predictionLogSettings = Optional.empty();

    private LocalDaemon(
            LocalState state,
            FileChannel lockChannel,
            FileLock lock,
            DesiredState desired,
            String runtime,
            Optional<Podman> podman,
            Consumer<String> log) {
        this.state = state;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.desired = desired;
        this.runtime = runtime;
        this.podman = podman;
        this.log = log;
        this.token = HexFormat.of().formatHex(randomBytes());
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private static byte[] randomBytes() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    /**
     * Takes the state directory, stops what a daemon that died there left running, starts the gateway, brings back
     * every version and route the directory holds, opens the control API and writes {@code daemon.json}; returns
     * once all of that is done (versions that failed to come back are being restarted with backoff).
     *
     * @param log the daemon's log lines
     */
    public static LocalDaemon start(Options options, Consumer<String> log)
            throws IOException, AlreadyRunningException, InterruptedException {
        LocalState state = new LocalState(options.state());
        state.create();
        FileChannel channel = FileChannel.open(state.lock(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // this JVM runs it
        }
        if (lock == null) {
            channel.close();
            throw new AlreadyRunningException(state, DaemonRecord.read(state));
        }
        LocalDaemon daemon = null;
        try {
            DesiredState desired = DesiredState.load(state.desired());
            String runtime = runtime(options, desired, state);
            Optional<Podman> podman = runtime.equals(CONTAINER) ? Optional.of(Podman.projectLocal()) : Optional.empty();
            daemon = new LocalDaemon(state, channel, lock, desired, runtime, podman, log);
            daemon.predictionLogSettings = options.predictionLog();
            daemon.begin(options.port());
            return daemon;
        } catch (IOException | RuntimeException | InterruptedException e) {
            if (daemon != null) {
                daemon.close();
            } else {
                lock.release();
                channel.close();
            }
            throw e;
        }
    }

    private static String runtime(Options options, DesiredState desired, LocalState state) throws IOException {
        Optional<String> last = desired.runtime();
        String runtime = options.runtime().or(() -> last).orElse(PROCESS);
        if (!runtime.equals(PROCESS) && !runtime.equals(CONTAINER)) {
            throw new IOException("unknown runtime \"" + runtime + "\" (process or container)");
        }
        if (last.isPresent()
                && !last.get().equals(runtime)
                && !desired.versions().isEmpty()) {
            throw new IOException("the versions kept in " + state.root() + " run as "
                    + (last.get().equals(PROCESS) ? "harness processes" : "podman containers")
                    + "; start with --runtime " + last.get()
                    + ", or use another --state directory");
        }
        return runtime;
    }

    private void begin(OptionalInt port) throws IOException, InterruptedException {
        log.accept("starting the local target on " + state.root() + " (" + runtime + " runtime, pid "
                + ProcessHandle.current().pid() + ")");
        stopOrphans();
        LocalState.write(state.token(), token.getBytes(StandardCharsets.UTF_8), true);
        gateway = startGateway(port);
        if (predictionLogSettings.isPresent()) {
            predictionLog = PredictionLogWriter.open(predictionLogSettings.get(), log);
            gateway.predictionSink(predictionLog);
        }
        target = podman.isPresent()
                ? LocalTarget.withContainers(gateway, podman.get(), state.releases(), this::publish)
                : new LocalTarget(
                        gateway, HarnessOptions.loopback(), state.releases(), this::publish, line -> log.accept(line));
        target.onCrash(this::crashed);
        restoreVersions();
        desired.port(gateway.baseUri().getPort());
        desired.runtime(runtime);
        desired.save();
        control = ControlServer.start(token, handlers(), () -> stopping);
        record = new DaemonRecord(
                ProcessHandle.current().pid(), gateway.baseUri(), control.uri(), state.root(), runtime, Instant.now());
        record.write(state);
        log.accept("local target ready: gateway " + gateway.baseUri() + ", control " + control.uri());
    }

    private LocalGateway startGateway(OptionalInt port) throws IOException {
        if (port.isPresent()) {
            try {
                return LocalGateway.start(port.getAsInt());
            } catch (IOException e) {
                throw new IOException(
                        "the gateway cannot listen on 127.0.0.1:" + port.getAsInt() + ": " + e.getMessage(), e);
            }
        }
        if (desired.port().isPresent()) {
            try {
                return LocalGateway.start(desired.port().getAsInt());
            } catch (IOException e) {
                log.accept("port " + desired.port().getAsInt() + " of the last run is taken (" + e.getMessage()
                        + "); the gateway takes a free one");
            }
        }
        return LocalGateway.start(0);
    }

    /** Stops the harness processes (or containers) a daemon that died on this directory left behind. */
    private void stopOrphans() {
        for (DesiredState.Version version : desired.versions()) {
            version.pid()
                    .ifPresent(pid -> ProcessHandle.of(pid)
                            .filter(ProcessHandle::isAlive)
                            .filter(handle -> handle.info()
                                    .commandLine()
                                    .map(c -> c.contains("mdharness")
                                            && c.contains("model-deploy-"
                                                    + version.asked().ref().id()))
                                    .orElse(false))
                            .ifPresent(handle -> {
                                log.accept("stopping " + version.asked().ref().id() + " (pid " + pid + "), left"
                                        + " running by a daemon that died");
                                stopProcess(handle, ORPHAN_DRAIN);
                            }));
            if (version.container().isPresent() && podman.isPresent()) {
                try {
                    podman.get()
                            .run(
                                    60,
                                    "stop",
                                    "--ignore",
                                    "--time",
                                    "15",
                                    version.container().get());
                } catch (IOException e) {
                    log.accept("cannot stop container " + version.container().get() + ": " + e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            desired.put(version.withWorkload(Optional.empty()));
        }
    }

    /** SIGTERM (the harness drains), then SIGKILL for it and its workers after {@code drain}. */
    static void stopProcess(ProcessHandle handle, Duration drain) {
        List<ProcessHandle> workers = handle.descendants().toList();
        handle.destroy();
        try {
            handle.onExit().get(drain.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            handle.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            handle.destroyForcibly();
        }
        workers.forEach(ProcessHandle::destroyForcibly);
    }

    /** Every version back as it was: running ones started (in parallel), scaled-down ones known; then the routes. */
    private void restoreVersions() throws InterruptedException {
        List<DesiredState.Version> versions = desired.versions();
        ExecutorService starters = Executors.newFixedThreadPool(2);
        try {
            Map<VersionRef, Future<?>> started = new LinkedHashMap<>();
            for (DesiredState.Version version : versions) {
                VersionRef ref = version.asked().ref();
                if (version.want() == DesiredState.Want.SCALED_TO_ZERO) {
                    target.park(version.runs());
                    continue;
                }
                started.put(ref, starters.submit(() -> {
                    try {
                        target.rollout(version.runs());
                        desired.put(version.withWorkload(target.workload(ref)));
                        log.accept(
                                ref.id() + " is back (" + target.workload(ref).orElse("?") + ")");
                    } catch (RolloutException e) {
                        log.accept(ref.id() + " did not come back: " + e.getMessage());
                        scheduleRestart(ref);
                    }
                    return null;
                }));
            }
            for (Future<?> future : started.values()) {
                try {
                    future.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    log.accept("restoring a version failed: " + e.getCause());
                }
            }
        } finally {
            starters.shutdownNow();
        }
        desired.routes().forEach((model, routes) -> gateway.restoreRoutes(model, routes.versions(), routes.weights()));
    }

    // --- the operations ------------------------------------------------------------------------------------------

    /** Runs exactly the caller's request: on a copy of its model files (process runtime) or its image. */
    DeployedVersion rollout(RolloutRequest asked) throws RolloutException, InterruptedException {
        VersionRef ref = asked.ref();
        ReentrantLock versionLock = lockOf(ref);
        versionLock.lockInterruptibly();
        try {
            Optional<DesiredState.Version> current = desired.version(ref);
            if (current.isPresent() && current.get().asked().equals(asked) && target.isRunning(ref)) {
                Optional<DeployedVersion> deployed = target.deployed(ref);
                if (deployed.isPresent()) {
                    return deployed.get(); // the same request again: nothing to do
                }
            }
            Optional<Path> snapshot = runtime.equals(PROCESS) ? Optional.of(snapshot(asked)) : Optional.empty();
            DeployedVersion deployed;
            try {
                deployed = target.rollout(
                        snapshot.map(dir -> onDirectory(asked, dir)).orElse(asked));
            } catch (RolloutException e) {
                if (snapshot.isPresent()
                        && !current.flatMap(DesiredState.Version::snapshot).equals(snapshot)) {
                    deleteQuietly(snapshot.get());
                }
                throw e;
            }
            restarts.remove(ref);
            desired.put(new DesiredState.Version(
                            asked,
                            snapshot,
                            DesiredState.Want.RUNNING,
                            java.util.OptionalLong.empty(),
                            Optional.empty())
                    .withWorkload(target.workload(ref)));
            save();
            deleteOtherSnapshots(ref, snapshot);
            return deployed;
        } finally {
            versionLock.unlock();
        }
    }

    void retire(VersionRef ref, RetireMode mode) throws TargetException, InterruptedException {
        ReentrantLock versionLock = lockOf(ref);
        versionLock.lockInterruptibly();
        try {
            restarts.remove(ref);
            target.retire(ref, mode);
            Optional<DesiredState.Version> known = desired.version(ref);
            if (mode == RetireMode.REMOVE) {
                desired.remove(ref);
                deleteQuietly(state.versions().resolve(ref.model()).resolve(ref.version()));
                known.flatMap(v -> v.asked().imageArchive())
                        .filter(a -> a.toAbsolutePath().startsWith(state.images()))
                        .ifPresent(LocalDaemon::deleteQuietly);
            } else {
                known.ifPresent(v ->
                        desired.put(v.wanting(DesiredState.Want.SCALED_TO_ZERO).withWorkload(Optional.empty())));
            }
            desired.routesFrom(gateway);
            save();
        } finally {
            versionLock.unlock();
        }
    }

    DeployedVersion restore(VersionRef ref, Duration timeout) throws RolloutException, InterruptedException {
        ReentrantLock versionLock = lockOf(ref);
        versionLock.lockInterruptibly();
        try {
            DeployedVersion deployed = target.restore(ref, timeout);
            restarts.remove(ref);
            desired.version(ref)
                    .ifPresent(v ->
                            desired.put(v.wanting(DesiredState.Want.RUNNING).withWorkload(target.workload(ref))));
            save();
            return deployed;
        } finally {
            versionLock.unlock();
        }
    }

    private ReentrantLock lockOf(VersionRef ref) {
        return locks.computeIfAbsent(ref, r -> new ReentrantLock());
    }

    private void save() {
        try {
            desired.save();
        } catch (IOException e) {
            log.accept("cannot save the desired state to " + state.desired() + ": " + e.getMessage()
                    + " (a restart would not bring the last change back)");
        }
    }

    // --- supervision ---------------------------------------------------------------------------------------------

    private void crashed(VersionRef ref) {
        if (stopping
                || desired.version(ref)
                        .map(v -> v.want() != DesiredState.Want.RUNNING)
                        .orElse(true)) {
            return;
        }
        scheduleRestart(ref);
    }

    private void scheduleRestart(VersionRef ref) {
        if (stopping) {
            return;
        }
        long now = System.nanoTime();
        Backoff next = restarts.compute(
                ref,
                (r, last) -> last != null && now - last.startedNanos() < STABLE_AFTER.toNanos()
                        ? new Backoff(last.attempt() + 1, now)
                        : new Backoff(1, now));
        log.accept("restarting " + ref.id() + " in " + next.delay().toSeconds() + " s (attempt " + next.attempt()
                + "); the gateway skips it meanwhile");
        try {
            supervisor.schedule(() -> restart(ref, next), next.delay().toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // stopping
        }
    }

    private void restart(VersionRef ref, Backoff scheduled) {
        ReentrantLock versionLock = lockOf(ref);
        versionLock.lock();
        try {
            Optional<DesiredState.Version> version = desired.version(ref);
            if (stopping
                    || restarts.get(ref) != scheduled
                    || version.isEmpty()
                    || version.get().want() != DesiredState.Want.RUNNING
                    || target.isRunning(ref)) {
                return; // stopping, or a rollout, retire or restore came first
            }
            restarts.put(ref, new Backoff(scheduled.attempt(), System.nanoTime()));
            try {
                target.rollout(version.get().runs());
                desired.put(version.get().withWorkload(target.workload(ref)));
                save();
                log.accept(ref.id() + " restarted (" + target.workload(ref).orElse("?") + ")");
            } catch (RolloutException e) {
                log.accept(ref.id() + " did not restart: " + e.getMessage());
                scheduleRestart(ref);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } finally {
            versionLock.unlock();
        }
    }

    private void publish(DeploymentEvent event) {
        log.accept(event.deployment() + " " + event.type() + ": " + event.message());
        Consumer<DeploymentEvent> sink = requestEvents.get();
        if (sink != null) {
            sink.accept(event);
        }
    }

    // --- model files ---------------------------------------------------------------------------------------------

    /**
     * Copies the files the version's image would hold ({@link LayerPlan}) to {@code versions/m/v/<hash of the
     * request>}: the version runs that copy, so later edits of the model directory (a retrain for the next
     * version) never reach it, and a restarted daemon runs it even when the directory is gone.
     */
    private Path snapshot(RolloutRequest asked) throws RolloutException {
        VersionRef ref = asked.ref();
        ModelSpec spec = asked.version().spec();
        Path dir = state.versions()
                .resolve(ref.model())
                .resolve(ref.version())
                .resolve(hash(Wire.request(asked).toString()));
        Path partial = dir.resolveSibling(dir.getFileName() + ".partial");
        try {
            deleteRecursively(partial);
            LayerPlan plan = LayerPlan.of(spec);
            // the environment's inputs (requirements, wheelhouse, R lock and repository) are in no layer but the
            // copy resolves its environment from them, as the image build did from the directory
            List<Path> environment = environmentFiles(spec);
            for (List<Path> files : List.of(plan.dependencies(), plan.data(), plan.code(), environment)) {
                for (Path file : files) {
                    Path copy = partial.resolve(file.toString());
                    Files.createDirectories(
                            Objects.requireNonNull(copy.getParent(), "a copied file lies in the snapshot"));
                    Files.copy(spec.directory().resolve(file), copy, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
            Files.createDirectories(partial);
            deleteRecursively(dir);
            Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
            return dir;
        } catch (IOException e) {
            deleteQuietly(partial);
            throw new RolloutException(
                    "local process " + ref.id(),
                    "model files not copied",
                    "cannot copy the"
                            + " model directory " + spec.directory() + " of version " + ref.version() + " to " + dir
                            + ": "
                            + e.getMessage(),
                    List.of());
        }
    }

    private void deleteOtherSnapshots(VersionRef ref, Optional<Path> keep) {
        Path parent = state.versions().resolve(ref.model()).resolve(ref.version());
        if (!Files.isDirectory(parent)) {
            return;
        }
        try (Stream<Path> children = Files.list(parent)) {
            children.filter(child -> !keep.equals(Optional.of(child))).forEach(LocalDaemon::deleteQuietly);
        } catch (IOException e) {
            log.accept("cannot clean " + parent + ": " + e.getMessage());
        }
    }

    /**
     * The regular files of the model's {@code environment} inputs, relative to its directory; each resolves inside it
     * ({@link LayerPlan#source}), as the loader checked.
     */
    private static List<Path> environmentFiles(ModelSpec spec) throws IOException {
        Path root = spec.directory().toRealPath();
        List<Path> files = new java.util.ArrayList<>();
        for (Path input : spec.environment().inputs()) {
            Path absolute = spec.directory().resolve(input);
            if (Files.isDirectory(absolute)) {
                try (var walk = Files.walk(absolute)) {
                    for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
                        files.add(spec.directory().relativize(file));
                    }
                }
            } else {
                files.add(input);
            }
        }
        for (Path file : files) {
            LayerPlan.source(root, file);
        }
        return files;
    }

    /** {@code request} with its model directory replaced by {@code directory}. */
    static RolloutRequest onDirectory(RolloutRequest request, Path directory) {
        ModelSpec s = request.version().spec();
        ModelSpec moved = new ModelSpec(
                directory,
                s.name(),
                s.description(),
                s.runtime(),
                s.entrypoint(),
                s.include(),
                s.exclude(),
                s.data(),
                s.samples(),
                s.dependencies(),
                s.resources(),
                s.slo(),
                s.env(),
                s.signature(),
                s.serving(),
                Map.of(), // as Wire carries it: secrets and routes are no part of a local rollout
                io.jenkins.plugins.modeldeploy.model.RouteSettings.NONE,
                s.environment());
        return new RolloutRequest(
                new ModelVersion(moved, request.version().version()),
                request.image(),
                request.annotations(),
                request.timeout(),
                request.imageArchive());
    }

    private static String hash(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)))
                    .substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private static void deleteQuietly(Path root) {
        try {
            deleteRecursively(root);
        } catch (IOException e) {
            // left behind in the state directory: harmless
        }
    }

    // --- the control API -----------------------------------------------------------------------------------------

    private Map<String, ControlServer.Handler> handlers() {
        Map<String, ControlServer.Handler> handlers = new LinkedHashMap<>();
        handlers.put("GET /v1/daemon", (request, events) -> info());
        handlers.put("POST /v1/rollout", (request, events) -> {
            RolloutRequest asked;
            try {
                asked = Wire.request(request.body());
            } catch (IOException | IllegalArgumentException e) {
                throw new ControlServer.BadRequest("not a rollout request: " + e.getMessage());
            }
            return withEvents(events, () -> Wire.deployed(rollout(asked)));
        });
        handlers.put("POST /v1/restore", (request, events) -> {
            VersionRef ref = ref(request.body());
            long millis = request.body().path("timeoutMillis").asLong(0);
            if (millis <= 0) {
                throw new ControlServer.BadRequest("\"timeoutMillis\" must be a positive number");
            }
            return withEvents(events, () -> Wire.deployed(restore(ref, Duration.ofMillis(millis))));
        });
        handlers.put("POST /v1/retire", (request, events) -> {
            VersionRef ref = ref(request.body());
            RetireMode mode;
            try {
                mode = RetireMode.valueOf(request.body().path("mode").asText());
            } catch (IllegalArgumentException e) {
                throw new ControlServer.BadRequest("\"mode\" must be REMOVE or SCALE_TO_ZERO");
            }
            return withEvents(events, () -> {
                retire(ref, mode);
                return Wire.JSON.createObjectNode();
            });
        });
        handlers.put("POST /v1/router/reconcile", (request, events) -> {
            String model = text(request.body(), "model");
            List<String> versions = Wire.strings(request.body(), "versions");
            gateway.reconcile(model, versions);
            routesChanged();
            return Wire.JSON.createObjectNode();
        });
        handlers.put("POST /v1/router/weights", (request, events) -> {
            String model = text(request.body(), "model");
            Map<String, Integer> weights;
            try {
                weights = Wire.weights(request.body().path("weights"));
            } catch (IOException e) {
                throw new ControlServer.BadRequest(e.getMessage());
            }
            gateway.setWeights(model, weights);
            routesChanged();
            return Wire.JSON.createObjectNode();
        });
        handlers.put(
                "GET /v1/router/weights",
                (request, events) -> Wire.JSON
                        .createObjectNode()
                        .set("weights", Wire.weights(gateway.currentWeights(request.query("model")))));
        handlers.put("POST /v1/router/remove", (request, events) -> {
            gateway.remove(text(request.body(), "model"));
            routesChanged();
            return Wire.JSON.createObjectNode();
        });
        handlers.put("GET /v1/status", (request, events) -> {
            ArrayNode models = Wire.JSON.createArrayNode();
            for (ModelStatus status : target.status(Duration.ofSeconds(30))) {
                models.add(Wire.status(status));
            }
            return Wire.JSON.createObjectNode().set("models", models);
        });
        handlers.put("POST /v1/inject-errors", (request, events) -> {
            VersionRef ref = ref(request.body());
            double rate = request.body().path("rate").asDouble(-1);
            if (!(rate >= 0 && rate <= 1)) {
                throw new ControlServer.BadRequest("\"rate\" must be between 0 and 1");
            }
            target.injectErrors(ref, rate);
            return Wire.JSON.createObjectNode();
        });
        gatewayHandlers(handlers);
        return handlers;
    }

    /**
     * The gateway's counters, shadow comparison, mirror and stickiness: {@code GET /v1/metrics?model&version
     * [&quality=accuracy,mae]} (cumulative counters, with the named built-in metrics from the version's feedback
     * counters), {@code GET /v1/shadow?model&version}, {@code POST /v1/router/mirror} {@code {model, shadow,
     * percent}}, {@code POST /v1/router/mirror/clear} {@code {model}}, {@code POST /v1/router/sticky}
     * {@code {model[, header]}} (no header: not sticky). Mirror and stickiness last until the daemon stops: an
     * experiment sets them again when it resumes.
     */
    private void gatewayHandlers(Map<String, ControlServer.Handler> handlers) {
        handlers.put("GET /v1/metrics", (request, events) -> {
            String model = request.query("model");
            String version = request.query("version");
            String quality = request.query().getOrDefault("quality", "");
            List<String> names = quality.isEmpty() ? List.of() : List.of(quality.split(","));
            for (String name : names) {
                if (!GatedMetric.isBuiltIn(name)) {
                    throw new ControlServer.BadRequest("quality: unknown built-in metric '" + name
                            + "' (the local target reads accuracy, mae, rmse and reward)");
                }
            }
            return Wire.stats(gateway.cumulative(model, version, names));
        });
        handlers.put(
                "GET /v1/shadow",
                (request, events) -> Wire.shadow(gateway.shadow(request.query("model"), request.query("version"))));
        handlers.put("POST /v1/router/mirror", (request, events) -> {
            JsonNode percent = request.body().path("percent");
            if (!percent.isInt()) {
                throw new ControlServer.BadRequest("\"percent\" must be an integer from 1 to 100");
            }
            gateway.setMirror(text(request.body(), "model"), text(request.body(), "shadow"), percent.asInt());
            return Wire.JSON.createObjectNode();
        });
        handlers.put("POST /v1/router/mirror/clear", (request, events) -> {
            gateway.clearMirror(text(request.body(), "model"));
            return Wire.JSON.createObjectNode();
        });
        handlers.put("POST /v1/router/sticky", (request, events) -> {
            gateway.setSticky(text(request.body(), "model"), Wire.optional(request.body(), "header"));
            return Wire.JSON.createObjectNode();
        });
    }

    private interface Operation {
        JsonNode run() throws Exception;
    }

    /** Runs {@code operation} with the events the target publishes on this thread going to the caller. */
    private JsonNode withEvents(Consumer<DeploymentEvent> events, Operation operation) throws Exception {
        requestEvents.set(events);
        try {
            return operation.run();
        } finally {
            requestEvents.remove();
        }
    }

    private void routesChanged() {
        desired.routesFrom(gateway);
        save();
    }

    private static VersionRef ref(JsonNode body) throws ControlServer.BadRequest {
        return new VersionRef(text(body, "model"), text(body, "version"));
    }

    private static String text(JsonNode body, String field) throws ControlServer.BadRequest {
        try {
            return Wire.text(body, field);
        } catch (IOException e) {
            throw new ControlServer.BadRequest(e.getMessage());
        }
    }

    /** Who the daemon is and what runs: {@code local status}. */
    private JsonNode info() {
        ObjectNode node = record.json();
        node.remove("schema");
        ArrayNode versions = node.putArray("versions");
        target.workloads().forEach((ref, workload) -> {
            ObjectNode row = versions.addObject()
                    .put("model", ref.model())
                    .put("version", ref.version())
                    .put("running", target.isRunning(ref))
                    .put("ready", gateway.isReady(ref));
            workload.ifPresent(w -> row.put("workload", w));
            workload.filter(w -> w.startsWith("pid ")).ifPresent(w -> row.put("pid", Long.parseLong(w.substring(4))));
        });
        return node;
    }

    // --- life ----------------------------------------------------------------------------------------------------

    public DaemonRecord record() {
        return record;
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    /**
     * Stops the control API (interrupting operations in progress), every version process or container (each
     * drains, then is killed after its bound) and the gateway; keeps the desired state for the next start.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (stopping) {
                return;
            }
            stopping = true;
        }
        log.accept("stopping the local target on " + state.root());
        supervisor.shutdownNow();
        if (control != null) {
            control.close();
        }
        if (target != null) {
            target.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (predictionLog != null) {
            predictionLog.close();
        }
        List<DesiredState.Version> versions = new ArrayList<>(desired.versions());
        versions.forEach(v -> desired.put(v.withWorkload(Optional.empty())));
        save();
        try {
            if (record != null
                    && DaemonRecord.read(state)
                            .map(r -> r.pid() == record.pid())
                            .orElse(false)) {
                Files.deleteIfExists(state.record());
            }
            Files.deleteIfExists(state.token());
        } catch (IOException e) {
            log.accept("cannot clean up " + state.root() + ": " + e.getMessage());
        }
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            // the lock goes with the process anyway
        }
        log.accept("local target stopped");
        stopped.countDown();
    }
}
