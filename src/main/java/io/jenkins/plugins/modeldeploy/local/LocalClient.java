package io.jenkins.plugins.modeldeploy.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.image.BaseImage;
import io.jenkins.plugins.modeldeploy.image.BaseImageCache;
import io.jenkins.plugins.modeldeploy.image.BaseImages;
import io.jenkins.plugins.modeldeploy.image.ImageBuildException;
import io.jenkins.plugins.modeldeploy.image.ImagePlan;
import io.jenkins.plugins.modeldeploy.image.ImageTarget;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.target.Target;
import io.jenkins.plugins.modeldeploy.target.TargetException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** The CLI's way to the persistent local target that {@code model-deploy local start} runs in the background. */
public final class LocalClient {
    private static final Duration PING_TIMEOUT = Duration.ofSeconds(10);

    private LocalClient() {}

    /** The state directory when none is named: {@code $MODEL_DEPLOY_STATE}, else {@code ~/.model-deploy/local}. */
    public static Path defaultState() {
        String configured = System.getenv("MODEL_DEPLOY_STATE");
        return configured != null && !configured.isBlank()
                ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".model-deploy", "local");
    }

    /** A daemon that answers, and what it said about itself and its versions ({@code GET /v1/daemon}). */
    public record Running(DaemonRecord record, JsonNode info) {}

    /** Connects to the local target running on {@code state}, or says how to start one. */
    public static Target connect(Path state, Consumer<DeploymentEvent> events) throws TargetException {
        LocalState dir = new LocalState(state);
        Optional<DaemonRecord> record = DaemonRecord.read(dir);
        if (record.isEmpty()) {
            throw notRunning(dir, "");
        }
        if (!record.get().processAlive()) {
            throw notRunning(
                    dir,
                    " (the one started at " + record.get().started() + " as pid "
                            + record.get().pid() + " is gone)");
        }
        ControlClient control = new ControlClient(record.get().control(), token(dir), where(dir));
        try {
            control.get("/v1/daemon", Map.of(), PING_TIMEOUT, "connecting");
        } catch (ControlClient.ControlException e) {
            if (e.error().kind() == ControlError.Kind.UNREACHABLE) {
                throw notRunning(
                        dir,
                        " (pid " + record.get().pid() + " does not answer on "
                                + record.get().control() + ")");
            }
            throw new TargetException(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TargetException("interrupted while connecting to " + where(dir), e);
        }
        return new DaemonTarget(record.get(), control, events);
    }

    /** The daemon running on {@code state}, when one runs and answers. */
    public static Optional<Running> running(Path state) throws TargetException, InterruptedException {
        LocalState dir = new LocalState(state);
        Optional<DaemonRecord> record = DaemonRecord.read(dir).filter(DaemonRecord::processAlive);
        if (record.isEmpty()) {
            return Optional.empty();
        }
        try {
            JsonNode info = new ControlClient(record.get().control(), token(dir), where(dir))
                    .get("/v1/daemon", Map.of(), PING_TIMEOUT, "reading its status");
            return info.path("pid").asLong() == record.get().pid()
                    ? Optional.of(new Running(record.get(), info))
                    : Optional.empty();
        } catch (ControlClient.ControlException e) {
            if (e.error().kind() == ControlError.Kind.UNREACHABLE) {
                return Optional.empty();
            }
            throw new TargetException(e.getMessage());
        }
    }

    /**
     * What {@link #stop} did.
     *
     * @param versions the version processes or containers that ran
     * @param killed   whether something had to be killed after the timeout
     */
    public record Stopped(long pid, int versions, boolean killed) {}

    /**
     * Stops the daemon running on {@code state}: SIGTERM, which makes it stop every version process it started
     * (each drains its requests, then is killed after its bound) and keep its desired state for the next start;
     * waits until it and its version processes are gone, killing what is left after {@code timeout}.
     */
    public static Stopped stop(Path state, Duration timeout) throws TargetException, InterruptedException {
        LocalState dir = new LocalState(state);
        Optional<DaemonRecord> record = DaemonRecord.read(dir);
        if (record.isEmpty() || !record.get().processAlive()) {
            if (record.isPresent()) {
                try {
                    Files.deleteIfExists(dir.record());
                } catch (IOException e) {
                    // a stale record left behind is harmless: the next start replaces it
                }
            }
            throw new TargetException("no local target is running on " + dir.root()
                    + record.map(r -> " (removed" + " the record of pid " + r.pid() + ", which is gone)")
                            .orElse(""));
        }
        long pid = record.get().pid();
        List<ProcessHandle> versions = new ArrayList<>();
        Optional<Running> running = running(state);
        if (running.isEmpty()
                && !ProcessHandle.of(pid)
                        .flatMap(h -> h.info().commandLine())
                        .map(c -> c.contains(dir.root().toString()))
                        .orElse(false)) {
            throw new TargetException("the local target recorded on " + dir.root() + " (pid " + pid + ") does not"
                    + " answer, and pid " + pid + " does not look like it; nothing was stopped (remove "
                    + dir.record() + " if that process is not the daemon)");
        }
        int workloads = 0;
        for (JsonNode version : running.map(r -> r.info().path("versions")).orElse(Wire.JSON.createArrayNode())) {
            if (version.has("workload")) {
                workloads++;
            }
            if (version.path("pid").isNumber()) {
                ProcessHandle.of(version.path("pid").asLong()).ifPresent(versions::add);
            }
        }
        ProcessHandle daemon = ProcessHandle.of(pid).orElse(null);
        boolean killed = false;
        if (daemon != null) {
            daemon.destroy();
            try {
                daemon.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                daemon.destroyForcibly();
                killed = true;
            } catch (java.util.concurrent.ExecutionException e) {
                // gone
            }
        }
        for (ProcessHandle version : versions) {
            List<ProcessHandle> workers = version.descendants().toList();
            if (version.isAlive()) {
                killed = true;
                LocalDaemon.stopProcess(version, Duration.ofSeconds(5));
            }
            workers.forEach(ProcessHandle::destroyForcibly);
        }
        if (daemon != null) {
            try {
                daemon.onExit().get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                throw new TargetException("the local target on " + dir.root() + " (pid " + pid + ") did not stop");
            }
        }
        if (killed) {
            try {
                Files.deleteIfExists(dir.record()); // it had no time to remove it itself
            } catch (IOException e) {
                // the next start replaces it
            }
        }
        return new Stopped(pid, workloads, killed);
    }

    /**
     * The image the container runtime of {@code target} needs for {@code version}, when {@code target} is a local
     * daemon running containers: built with Jib on the cached base image ({@link BaseImageCache}) as an OCI tar in
     * the state directory, which the daemon loads into podman (and keeps, to start it again after a restart).
     */
    public static Optional<ImagePlan> imagePlan(Target target, ModelVersion version, Consumer<String> log)
            throws ImageBuildException, InterruptedException {
        if (!(target instanceof DaemonTarget daemon)
                || !daemon.daemon().runtime().equals(LocalDaemon.CONTAINER)) {
            return Optional.empty();
        }
        Path base = BaseImages.cachedFor(version.spec(), log); // with the model's environment.debian
        Path tar = new LocalState(daemon.daemon().state()).images().resolve(version.id() + ".tar");
        return Optional.of(new ImagePlan(
                version, new BaseImage.Tar(base), "localhost/models/" + version.name(), new ImageTarget.Tar(tar)));
    }

    private static String token(LocalState dir) throws TargetException {
        try {
            return Files.readString(dir.token(), StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException e) {
            throw new TargetException("the local target on " + dir.root() + " has no token file " + dir.token()
                    + "; restart it with `model-deploy local stop --state " + dir.root() + "` and `local start`");
        } catch (IOException e) {
            throw new TargetException("cannot read the local target's token " + dir.token() + " (" + e.getMessage()
                    + "): only the user who started it may drive it");
        }
    }

    private static String where(LocalState dir) {
        return "the local target on " + dir.root();
    }

    private static TargetException notRunning(LocalState dir, String detail) {
        return new TargetException("no local target is running on " + dir.root() + detail
                + (Files.isDirectory(dir.root()) ? "" : " (no such directory)") + ": start one with `model-deploy"
                + " local start --state " + dir.root() + "`");
    }
}
