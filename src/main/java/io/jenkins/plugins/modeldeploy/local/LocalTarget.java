package io.jenkins.plugins.modeldeploy.local;

import io.jenkins.plugins.modeldeploy.abtest.MetricsSource;
import io.jenkins.plugins.modeldeploy.container.Podman;
import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.event.EventDetails;
import io.jenkins.plugins.modeldeploy.harness.HarnessOptions;
import io.jenkins.plugins.modeldeploy.harness.HarnessProcess;
import io.jenkins.plugins.modeldeploy.harness.HarnessStartException;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.route.RoutingException;
import io.jenkins.plugins.modeldeploy.route.TrafficRouter;
import io.jenkins.plugins.modeldeploy.target.DeployedVersion;
import io.jenkins.plugins.modeldeploy.target.FileReleaseStore;
import io.jenkins.plugins.modeldeploy.target.ModelStatus;
import io.jenkins.plugins.modeldeploy.target.ReleaseStore;
import io.jenkins.plugins.modeldeploy.target.RetireMode;
import io.jenkins.plugins.modeldeploy.target.RolloutException;
import io.jenkins.plugins.modeldeploy.target.RolloutRequest;
import io.jenkins.plugins.modeldeploy.target.Stage;
import io.jenkins.plugins.modeldeploy.target.Target;
import io.jenkins.plugins.modeldeploy.target.TargetException;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The embedded default target: each version is a harness process on a free loopback port (the same harness and
 * model files that go into its image) — or, with the container runtime, its image run by podman — behind a
 * {@link LocalGateway}. Release state lives in a state directory, so promotion and rollback resume after a crash
 * like on Kubernetes.
 */
public final class LocalTarget implements Target {
    private static final Duration DRAIN = Duration.ofSeconds(10);

    private final LocalGateway gateway;
    private final HarnessOptions options;
    private final FileReleaseStore releases;
    private final Consumer<DeploymentEvent> events;
    private final Consumer<String> log;
    private final Map<VersionRef, Running> running = new ConcurrentHashMap<>();
    /** Versions stopped with SCALE_TO_ZERO: what {@link #restore} starts again. */
    private final Map<VersionRef, RolloutRequest> parked = new ConcurrentHashMap<>();

    private final Map<VersionRef, Double> injectedErrorRates = new ConcurrentHashMap<>();
    private final Optional<Podman> containers;
    private volatile Consumer<VersionRef> crashes = ref -> {};

    private record Running(RolloutRequest request, Workload workload, DeployedVersion deployed) {}

    /**
     * @param stateDir where the release state files go (e.g. {@code .model-deploy/state})
     * @param log      receives every line the harness processes write
     */
    public LocalTarget(
            LocalGateway gateway,
            HarnessOptions options,
            Path stateDir,
            Consumer<DeploymentEvent> events,
            Consumer<String> log) {
        this(gateway, options, stateDir, events, log, Optional.empty());
    }

    private LocalTarget(
            LocalGateway gateway,
            HarnessOptions options,
            Path stateDir,
            Consumer<DeploymentEvent> events,
            Consumer<String> log,
            Optional<Podman> containers) {
        this.containers = containers;
        this.gateway = gateway;
        this.options = options;
        this.releases = new FileReleaseStore(stateDir);
        this.events = events;
        this.log = log;
    }

    /** The container runtime: each version runs its image with {@code podman} (same gateway, same state). */
    public static LocalTarget withContainers(
            LocalGateway gateway, Podman podman, Path stateDir, Consumer<DeploymentEvent> events) {
        return new LocalTarget(gateway, HarnessOptions.loopback(), stateDir, events, line -> {}, Optional.of(podman));
    }

    /** Makes {@code version} fail this share of predictions on purpose (the demo's worse version). */
    public void injectErrors(VersionRef version, double rate) {
        injectedErrorRates.put(version, rate);
    }

    @Override
    public String describe() {
        return "local gateway " + gateway.baseUri();
    }

    @Override
    public DeployedVersion rollout(RolloutRequest request) throws RolloutException, InterruptedException {
        VersionRef ref = request.ref();
        Running current = running.get(ref);
        if (current != null && current.workload().isAlive() && current.request().equals(request)) {
            return current.deployed(); // the same request again: nothing to do
        }
        long started = System.nanoTime();
        ModelVersion version = request.version();
        Workload workload = containers.isPresent() ? startContainer(request) : startProcess(request);
        URI url = workload.url();
        gateway.register(ref, url, version.spec().slo().p99Ms());
        workload.onExit(() -> {
            Running now = running.get(ref);
            if (now != null && now.workload() == workload) {
                gateway.markDown(ref);
                publish(
                        ref,
                        ref.id() + " (" + workload.id() + ") exited unexpectedly",
                        new EventDetails.RolloutFailed("process exited", workload.logTail()));
                crashes.accept(ref);
            }
        });
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        DeployedVersion deployed = new DeployedVersion(ref, gateway.versionEndpoint(ref), request.image(), 1, took);
        Running previous = running.put(ref, new Running(request, workload, deployed));
        if (previous != null) {
            previous.workload().close(); // replaced by the new process, which the gateway already uses
        }
        parked.remove(ref);
        publish(
                ref,
                ref.id() + " ready at " + url + " (" + workload.id() + ")",
                new EventDetails.RolloutProgress("ready", 1, 1));
        publish(
                ref,
                ref.id() + " available after " + String.format("%.1f s", took.toMillis() / 1000.0),
                new EventDetails.RolloutSucceeded(1, took.toMillis() / 1000.0));
        return deployed;
    }

    private Workload startProcess(RolloutRequest request) throws RolloutException {
        VersionRef ref = request.ref();
        publish(ref, "starting local process for " + ref.id(), new EventDetails.RolloutProgress("started", 0, 1));
        HarnessOptions versionOptions = options.withPort(0)
                .withReadyTimeout(request.timeout())
                .withInjectedErrorRate(injectedErrorRates.getOrDefault(ref, 0.0));
        HarnessProcess process;
        try {
            process = HarnessProcess.launch(
                    request.version(), versionOptions, line -> log.accept("[" + ref.id() + "] " + line));
        } catch (HarnessStartException e) {
            throw failed(ref, "process did not start", e.getMessage(), List.of());
        }
        try {
            return ProcessWorkload.ready(process, process.awaitReady());
        } catch (HarnessStartException e) {
            throw failed(
                    ref,
                    e.getMessage().contains("not ready within") ? "readiness never true" : "process exited",
                    e.getMessage(),
                    process.logTail());
        }
    }

    private Workload startContainer(RolloutRequest request) throws RolloutException, InterruptedException {
        VersionRef ref = request.ref();
        publish(
                ref,
                "starting a container of " + request.image().orElse("(no image)") + " for " + ref.id(),
                new EventDetails.RolloutProgress("started", 0, 1));
        try {
            return ContainerWorkload.start(
                    containers.orElseThrow(), request, injectedErrorRates.getOrDefault(ref, 0.0));
        } catch (RolloutException e) {
            publish(ref, ref.id() + " failed: " + e.reason(), new EventDetails.RolloutFailed(e.reason(), e.logTail()));
            throw e;
        }
    }

    private RolloutException failed(VersionRef ref, String reason, String details, List<String> logTail) {
        publish(ref, ref.id() + " failed: " + reason, new EventDetails.RolloutFailed(reason, logTail));
        return new RolloutException("local process " + ref.id(), reason, details, logTail);
    }

    @Override
    public void retire(VersionRef version, RetireMode mode) throws TargetException {
        Running current = running.remove(version);
        try {
            if (mode == RetireMode.REMOVE) {
                gateway.unregister(version, DRAIN);
            } else {
                gateway.park(version, DRAIN);
            }
        } catch (RoutingException e) {
            if (current != null) {
                running.put(version, current);
            }
            throw new TargetException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TargetException("interrupted while draining " + version.id(), e);
        }
        if (current != null) {
            current.workload().close();
            if (mode == RetireMode.SCALE_TO_ZERO) {
                parked.put(version, current.request());
            }
        }
        if (mode == RetireMode.REMOVE) {
            parked.remove(version);
            releases.forget(version); // its stage and evidence go with it, as with a deleted Deployment
        }
    }

    @Override
    public DeployedVersion restore(VersionRef version, Duration timeout) throws RolloutException, InterruptedException {
        Running current = running.get(version);
        if (current != null && current.workload().isAlive()) {
            return current.deployed();
        }
        RolloutRequest request = parked.get(version);
        if (request == null) {
            throw new RolloutException(
                    "local process " + version.id(),
                    "not restorable",
                    "version " + version.version() + " of model " + version.model() + " was removed, or never ran on"
                            + " this target",
                    List.of());
        }
        return rollout(new RolloutRequest(request.version(), request.image(), request.annotations(), timeout));
    }

    /**
     * Called with the version whose workload exited without being retired (after it was marked down in the
     * gateway): what a supervisor restarts.
     */
    void onCrash(Consumer<VersionRef> listener) {
        this.crashes = listener;
    }

    /** Knows {@code request}'s version as scaled to zero, without running it: {@link #restore} starts it. */
    void park(RolloutRequest request) {
        if (!running.containsKey(request.ref())) {
            parked.put(request.ref(), request);
        }
    }

    /** What the version's running workload answered its rollout with. */
    Optional<DeployedVersion> deployed(VersionRef version) {
        return Optional.ofNullable(running.get(version)).map(Running::deployed);
    }

    /** The workload of the running version ({@code pid 123}, {@code container …}). */
    Optional<String> workload(VersionRef version) {
        return Optional.ofNullable(running.get(version)).map(r -> r.workload().id());
    }

    /** Whether the version's workload runs (it may still be starting or marked down). */
    boolean isRunning(VersionRef version) {
        Running current = running.get(version);
        return current != null && current.workload().isAlive();
    }

    /** The versions this target runs or keeps scaled to zero, with their workload ({@code pid 123}, container …). */
    Map<VersionRef, Optional<String>> workloads() {
        Map<VersionRef, Optional<String>> all = new java.util.TreeMap<>(java.util.Comparator.comparing(VersionRef::id));
        parked.keySet().forEach(ref -> all.put(ref, Optional.empty()));
        running.forEach((ref, r) -> all.put(ref, Optional.of(r.workload().id())));
        return all;
    }

    /** The version's own address (its harness process or container), not through the gateway. */
    public Optional<URI> directUrl(VersionRef version) {
        return Optional.ofNullable(running.get(version)).map(r -> r.workload().url());
    }

    /** The process id of the version's harness, while it runs as a process. */
    public java.util.OptionalLong processId(VersionRef version) {
        Running current = running.get(version);
        return current != null && current.workload() instanceof ProcessWorkload p
                ? java.util.OptionalLong.of(p.process().pid())
                : java.util.OptionalLong.empty();
    }

    @Override
    public TrafficRouter router() {
        return gateway;
    }

    public LocalGateway gateway() {
        return gateway;
    }

    @Override
    public ReleaseStore releases() {
        return releases;
    }

    /** The gateway counts what each version served on the stable route. */
    @Override
    public Optional<MetricsSource> metrics(double sloP99Ms) {
        return Optional.of(gateway);
    }

    /**
     * Every model with a release state or a version here: running versions have one ready replica, versions scaled
     * to zero none; removed versions are absent.
     */
    @Override
    public List<ModelStatus> status(Duration timeout) throws TargetException {
        Set<String> models = new TreeSet<>(releases.models());
        running.keySet().forEach(ref -> models.add(ref.model()));
        parked.keySet().forEach(ref -> models.add(ref.model()));
        List<ModelStatus> all = new ArrayList<>();
        for (String model : models) {
            Map<String, Integer> weights = gateway.currentWeights(model);
            Map<String, Stage> stages = releases.stages(model);
            Set<String> versions = new TreeSet<>();
            running.keySet().stream().filter(r -> r.model().equals(model)).forEach(r -> versions.add(r.version()));
            parked.keySet().stream().filter(r -> r.model().equals(model)).forEach(r -> versions.add(r.version()));
            List<ModelStatus.VersionStatus> rows = new ArrayList<>();
            for (String version : versions) {
                VersionRef ref = new VersionRef(model, version);
                Running current = running.get(ref);
                boolean ready = current != null && current.workload().isAlive() && gateway.isReady(ref);
                RolloutRequest request = current != null ? current.request() : parked.get(ref);
                rows.add(new ModelStatus.VersionStatus(
                        version,
                        Optional.ofNullable(stages.get(version)),
                        ready ? 1 : 0,
                        current != null ? 1 : 0,
                        weights.getOrDefault(version, 0),
                        request == null ? Optional.empty() : request.image(),
                        releases.annotations(ref)));
            }
            all.add(new ModelStatus(model, releases.load(model), weights, rows));
        }
        return all;
    }

    private void publish(VersionRef ref, String message, EventDetails details) {
        events.accept(DeploymentEvent.of(ref.model(), ref.version(), message, details));
    }

    /**
     * Stops every process this target started, all at once (each drains, then is killed after its bound); the
     * gateway belongs to the caller.
     */
    @Override
    public void close() {
        List<Running> stopping = List.copyOf(running.values());
        running.clear(); // first, so their exits are not reported as crashes
        List<Thread> stoppers = new ArrayList<>();
        for (Running r : stopping) {
            Thread stopper =
                    new Thread(r.workload()::close, "stop " + r.workload().id());
            stopper.start();
            stoppers.add(stopper);
        }
        for (Thread stopper : stoppers) {
            try {
                stopper.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
