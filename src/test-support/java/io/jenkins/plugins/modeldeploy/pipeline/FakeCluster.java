package io.jenkins.plugins.modeldeploy.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.modeldeploy.abtest.MetricsSource;
import io.jenkins.plugins.modeldeploy.abtest.VariantStats;
import io.jenkins.plugins.modeldeploy.route.RoutingException;
import io.jenkins.plugins.modeldeploy.route.TrafficRouter;
import io.jenkins.plugins.modeldeploy.route.Weights;
import io.jenkins.plugins.modeldeploy.target.DeployedVersion;
import io.jenkins.plugins.modeldeploy.target.FileReleaseStore;
import io.jenkins.plugins.modeldeploy.target.ModelStatus;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import io.jenkins.plugins.modeldeploy.target.ReleaseStore;
import io.jenkins.plugins.modeldeploy.target.RetireMode;
import io.jenkins.plugins.modeldeploy.target.RolloutException;
import io.jenkins.plugins.modeldeploy.target.RolloutRequest;
import io.jenkins.plugins.modeldeploy.target.Stage;
import io.jenkins.plugins.modeldeploy.target.Target;
import io.jenkins.plugins.modeldeploy.target.TargetException;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import io.jenkins.plugins.modeldeploy.testing.ScriptedHttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A cluster for the lifecycle's tests, standing in for Kubernetes and Traefik (never for the engine): versions are
 * objects that run, are scaled to zero or removed, and carry their stage and annotations (as Deployments do); routes
 * and weights behave like Traefik's (a weighted version's route cannot be dropped); the metrics behave like Prometheus
 * over Traefik (each reading adds requests in proportion to the weights, with each version's error and SLO-violation
 * rates); an HTTP server answers {@code /models/m/v/predict} for smoke tests, slow or failing as a version is told to.
 * With a state file, everything but the release state (which lives in a {@link FileReleaseStore}) survives the JVM,
 * so a test can kill an engine and start another on the same cluster. In src/test-support: the JenkinsRule tests use it
 * as the cluster that outlives a Jenkins restart.
 */
public final class FakeCluster implements Target {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How a version behaves when it runs. */
    public record Behaviour(
            double errorRate, double sloViolationRate, int status, long delayMillis, boolean rolloutFails) {
        public static final Behaviour HEALTHY = new Behaviour(0.001, 0.001, 200, 0, false);

        Behaviour failing() {
            return new Behaviour(errorRate, sloViolationRate, 500, delayMillis, rolloutFails);
        }
    }

    /** What survives the engine: the objects, their annotations, routes and weights, the metric counters. */
    static final class Objects {
        public Map<String, Boolean> running = new TreeMap<>(); // version -> scaled up (false: scaled to zero)
        public Map<String, Map<String, String>> annotations = new TreeMap<>();
        public List<String> routes = new ArrayList<>();
        public Map<String, Integer> weights = new TreeMap<>();
        public Map<String, long[]> counters = new TreeMap<>(); // requests, errors, slo violations
        public List<String> restores = new ArrayList<>();
        public List<String> removals = new ArrayList<>();
    }

    final String model;
    final Map<String, Behaviour> behaviours = new LinkedHashMap<>();
    /** Requests per metric reading on the stable route (split by weight). */
    long requestsPerReading = 200;
    /** Set: every metric reading fails with this (Prometheus down). */
    volatile String metricsDown;
    /** True: this cluster has no metrics source (no Prometheus configured). */
    volatile boolean noMetricsSource;
    /** Set: the metrics source's preflight fails with this (Prometheus unreachable before the A/B test starts). */
    volatile String metricsPreflightFails;

    private final ReleaseStore store;
    private final Path objectsFile;
    private Objects objects = new Objects();
    private final ScriptedHttpServer server;

    public FakeCluster(String model, Path dir) throws IOException {
        this.model = model;
        this.store = new Store(new FileReleaseStore(dir.resolve("releases")));
        this.objectsFile = dir.resolve("cluster.json");
        if (Files.exists(objectsFile)) {
            objects = JSON.readValue(objectsFile.toFile(), Objects.class);
        }
        this.server = new ScriptedHttpServer(this::answer);
    }

    /** {@code /models/m/v/...}: as version v behaves; anything else (health checks): 200. */
    private ScriptedHttpServer.Answer answer(long arrival, String path, String body) {
        String[] segments = path.split("/");
        if (segments.length < 4
                || !segments[1].equals("models")
                || !objects().running.containsKey(segments[3])) {
            return ScriptedHttpServer.Answer.ok("{}");
        }
        Behaviour behaviour = behaviour(segments[3]);
        return new ScriptedHttpServer.Answer(
                behaviour.status(), "{\"predictions\":[1]}", arrival + behaviour.delayMillis() * 1_000_000);
    }

    /** Makes {@code version} behave so (for tests outside this package, e.g. the JenkinsRule tests). */
    public FakeCluster behave(String version, Behaviour behaviour) {
        behaviours.put(version, behaviour);
        return this;
    }

    Behaviour behaviour(String version) {
        return behaviours.getOrDefault(version, Behaviour.HEALTHY);
    }

    synchronized Objects objects() {
        return objects;
    }

    private synchronized void persist() {
        try {
            Path temporary = objectsFile.resolveSibling("cluster.json.tmp");
            JSON.writeValue(temporary.toFile(), objects);
            Files.move(temporary, objectsFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The versions that run with at least one replica. */
    synchronized List<String> serving() {
        return objects.running.entrySet().stream()
                .filter(Map.Entry::getValue)
                .map(Map.Entry::getKey)
                .toList();
    }

    @Override
    public String describe() {
        return "fake cluster";
    }

    @Override
    public synchronized DeployedVersion rollout(RolloutRequest request) throws RolloutException {
        String version = request.version().version();
        if (behaviour(version).rolloutFails()) {
            objects.running.remove(version); // what the target does with a failed rollout (on-failure REMOVE)
            objects.annotations.remove(version);
            persist();
            throw new RolloutException(
                    "fake/Deployment/" + request.ref().id(),
                    "CrashLoopBackOff",
                    "container exited with code 1",
                    List.of("Traceback", "ValueError: boom"));
        }
        objects.running.put(version, true);
        Map<String, String> annotations = objects.annotations.computeIfAbsent(version, v -> new TreeMap<>());
        annotations.putAll(request.annotations());
        request.image().ifPresent(i -> annotations.put("image", i));
        persist();
        return new DeployedVersion(request.ref(), versionEndpoint(version), request.image(), 1, Duration.ZERO);
    }

    @Override
    public synchronized void retire(VersionRef version, RetireMode mode) {
        if (objects.weights.getOrDefault(version.version(), 0) > 0) {
            throw new AssertionError("retired " + version + " while it carries " + objects.weights);
        }
        if (mode == RetireMode.REMOVE) {
            objects.running.remove(version.version());
            objects.annotations.remove(version.version()); // stages and evidence live on the objects
            objects.removals.add(version.version());
        } else if (objects.running.containsKey(version.version())) {
            objects.running.put(version.version(), false);
        }
        persist();
    }

    @Override
    public synchronized DeployedVersion restore(VersionRef version, Duration timeout) throws RolloutException {
        if (!objects.running.containsKey(version.version())) {
            throw new RolloutException("fake/Deployment/" + version.id(), "NotFound", "nothing to restore", List.of());
        }
        objects.running.put(version.version(), true);
        objects.restores.add(version.version());
        persist();
        return new DeployedVersion(version, versionEndpoint(version.version()), Optional.empty(), 1, Duration.ZERO);
    }

    URI versionEndpoint(String version) {
        return server.url("/models/" + model + "/" + version);
    }

    private final TrafficRouter router = new TrafficRouter() {
        @Override
        public void reconcile(String m, Collection<String> versions) throws RoutingException {
            synchronized (FakeCluster.this) {
                for (Map.Entry<String, Integer> entry : objects.weights.entrySet()) {
                    if (entry.getValue() > 0 && !versions.contains(entry.getKey())) {
                        throw new RoutingException(
                                "version " + entry.getKey() + " still carries " + entry.getValue() + "%");
                    }
                }
                if (objects.routes.isEmpty() && objects.weights.isEmpty() && !versions.isEmpty()) {
                    objects.weights.put(versions.iterator().next(), 100); // Traefik: a new stable route
                }
                objects.routes = new ArrayList<>(versions);
                persist();
            }
        }

        @Override
        public void setWeights(String m, Map<String, Integer> weights) throws RoutingException {
            synchronized (FakeCluster.this) {
                Map<String, Integer> checked = Weights.checked(m, weights);
                for (Map.Entry<String, Integer> entry : checked.entrySet()) {
                    if (entry.getValue() > 0 && !objects.routes.contains(entry.getKey())) {
                        throw new RoutingException("version " + entry.getKey() + " has no route " + objects.routes);
                    }
                }
                objects.weights = new TreeMap<>(checked);
                persist();
            }
        }

        @Override
        public Map<String, Integer> currentWeights(String m) {
            synchronized (FakeCluster.this) {
                return Map.copyOf(objects.weights);
            }
        }

        @Override
        public URI stableEndpoint(String m) {
            return server.url("/models/" + m);
        }

        @Override
        public URI versionEndpoint(String m, String version) {
            return FakeCluster.this.versionEndpoint(version);
        }

        @Override
        public void remove(String m) {
            synchronized (FakeCluster.this) {
                objects.routes = new ArrayList<>();
                objects.weights = new TreeMap<>();
                persist();
            }
        }
    };

    @Override
    public TrafficRouter router() {
        return router;
    }

    @Override
    public ReleaseStore releases() {
        return store;
    }

    /** Each reading adds {@link #requestsPerReading} split by weight, with each version's rates (deterministic). */
    @Override
    public Optional<MetricsSource> metrics(double sloP99Ms) {
        if (noMetricsSource) {
            return Optional.empty();
        }
        return Optional.of(new MetricsSource() {
            @Override
            public VariantStats sample(String m, String version)
                    throws io.jenkins.plugins.modeldeploy.abtest.MetricsException {
                if (metricsDown != null) {
                    throw new io.jenkins.plugins.modeldeploy.abtest.MetricsException(metricsDown);
                }
                synchronized (FakeCluster.this) {
                    long[] counts = objects.counters.computeIfAbsent(version, v -> new long[3]);
                    long added = requestsPerReading * objects.weights.getOrDefault(version, 0) / 100;
                    Behaviour behaviour = behaviour(version);
                    counts[0] += added;
                    counts[1] = Math.round(counts[0] * behaviour.errorRate());
                    counts[2] = Math.round(counts[0] * behaviour.sloViolationRate());
                    return new VariantStats(version, counts[0], counts[1], counts[2], 1, 2);
                }
            }

            @Override
            public void preflight(String m, String champion)
                    throws io.jenkins.plugins.modeldeploy.abtest.MetricsException {
                if (metricsPreflightFails != null) {
                    throw new io.jenkins.plugins.modeldeploy.abtest.MetricsException(metricsPreflightFails);
                }
            }
        });
    }

    @Override
    public synchronized List<ModelStatus> status(Duration timeout) throws TargetException {
        List<ModelStatus.VersionStatus> versions = new ArrayList<>();
        Map<String, Stage> stages = store.stages(model);
        objects.running.forEach((version, up) -> versions.add(new ModelStatus.VersionStatus(
                version,
                Optional.ofNullable(stages.get(version)),
                up ? 1 : 0,
                up ? 1 : 0,
                objects.weights.getOrDefault(version, 0),
                Optional.empty(),
                objects.annotations.getOrDefault(version, Map.of()))));
        Optional<ReleaseState> release = store.load(model);
        return versions.isEmpty() && release.isEmpty()
                ? List.of()
                : List.of(new ModelStatus(model, release, Map.copyOf(objects.weights), versions));
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Release state in a file; stages and evidence on the version's objects, gone when they are removed. */
    private final class Store implements ReleaseStore {
        private final FileReleaseStore releases;

        Store(FileReleaseStore releases) {
            this.releases = releases;
        }

        @Override
        public Optional<ReleaseState> load(String m) throws TargetException {
            return releases.load(m);
        }

        @Override
        public void save(Optional<ReleaseState> expected, ReleaseState next) throws TargetException {
            releases.save(expected, next);
        }

        @Override
        public void delete(String m) throws TargetException {
            releases.delete(m);
        }

        @Override
        public Map<String, Stage> stages(String m) {
            synchronized (FakeCluster.this) {
                Map<String, Stage> stages = new TreeMap<>();
                objects.annotations.forEach((version, values) -> {
                    if (values.containsKey("stage")) {
                        stages.put(version, Stage.parse(values.get("stage")));
                    }
                });
                return stages;
            }
        }

        @Override
        public void setStage(VersionRef version, Stage stage) throws TargetException {
            annotate(version, Map.of("stage", stage.value()));
        }

        @Override
        public void annotate(VersionRef version, Map<String, String> evidence) throws TargetException {
            synchronized (FakeCluster.this) {
                if (!objects.running.containsKey(version.version())) {
                    throw new TargetException("fake/Deployment/" + version.id() + " does not exist");
                }
                objects.annotations
                        .computeIfAbsent(version.version(), v -> new TreeMap<>())
                        .putAll(evidence);
                persist();
            }
        }

        @Override
        public Map<String, String> annotations(VersionRef version) {
            synchronized (FakeCluster.this) {
                return Map.copyOf(objects.annotations.getOrDefault(version.version(), Map.of()));
            }
        }
    }
}
