package io.jenkins.plugins.modeldeploy.jenkins;

import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan;
import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.jenkins.engine.DefaultEngineFactory;
import io.jenkins.plugins.modeldeploy.jenkins.engine.EngineFactory;
import io.jenkins.plugins.modeldeploy.kube.KubernetesSettings;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.pipeline.DeployOutcome;
import io.jenkins.plugins.modeldeploy.pipeline.DeployPlan;
import io.jenkins.plugins.modeldeploy.pipeline.DeploymentEngine;
import io.jenkins.plugins.modeldeploy.pipeline.FakeCluster;
import io.jenkins.plugins.modeldeploy.pipeline.Lifecycle;
import io.jenkins.plugins.modeldeploy.target.RetireMode;
import io.jenkins.plugins.modeldeploy.target.Target;
import io.jenkins.plugins.modeldeploy.testing.ConnectionTo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Consumer;

/**
 * The engine the plugin installs ({@link DefaultEngineFactory}: the real {@link DeploymentEngine}) over a mock
 * cluster instead of Kubernetes, for the JenkinsRule tests of the Jenkins side (restart while waiting); selected with
 * the {@link EngineFactory#PROPERTY} system property. The cluster is the lifecycle tests' {@link FakeCluster}
 * (src/test-support: versions, routes and weights as Kubernetes and Traefik keep them, metrics as Prometheus reads
 * them, the release state in files) — not the CLI's local target, which the plugin build does not compile — kept for
 * the whole JVM, so it outlives a Jenkins restart of {@code JenkinsSessionRule} as a cluster outlives its controller;
 * closing a connection stops nothing.
 */
public final class MockClusterEngineFactory implements EngineFactory {
    /** One cluster per model (a FakeCluster serves one model), by model name. */
    private static final Map<String, FakeCluster> CLUSTERS = new HashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(MockClusterEngineFactory::reset));
    }

    /** The cluster of {@code model}, started on first use and kept until {@link #reset()}. */
    public static synchronized FakeCluster cluster(String model) {
        return CLUSTERS.computeIfAbsent(model, m -> {
            try {
                return new FakeCluster(m, Files.createTempDirectory("model-deploy-jenkins-test-"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The cluster of the model {@code iris}, the one most tests deploy. */
    public static FakeCluster cluster() {
        return cluster("iris");
    }

    /** Stops and forgets every cluster: a test starts from empty ones (tests of one JVM share this class). */
    public static synchronized void reset() {
        CLUSTERS.values().forEach(FakeCluster::close);
        CLUSTERS.clear();
    }

    @Override
    public DeploymentEngine engine(Path workDir, Consumer<DeploymentEvent> events) {
        return new DeploymentEngine(events, TarImageEngineFactory.tarImages(workDir), Duration.ofSeconds(1));
    }

    @Override
    public Target target(KubernetesSettings settings, Consumer<DeploymentEvent> events) {
        // a step's namespace names the model's cluster when there is one (parallel branches deploying two models)
        FakeCluster cluster;
        synchronized (MockClusterEngineFactory.class) {
            cluster = CLUSTERS.containsKey(settings.namespace()) ? CLUSTERS.get(settings.namespace()) : cluster();
        }
        return new ConnectionTo(cluster, () -> {}); // the cluster outlives its connections
    }

    /**
     * Makes {@code production} of {@code name} serve on the cluster, failing half its requests on purpose, so that a
     * challenger a Pipeline's {@code deployModel} then deploys is found fit on any gate and waits for approval.
     */
    public static void production(Path dir, String name, String production) throws Exception {
        Path model = Files.createDirectories(dir.resolve(name));
        Files.writeString(model.resolve("model.yaml"), MODEL_YAML.replace("NAME", name));
        Files.writeString(model.resolve("model.py"), MODEL_PY);
        Files.createDirectories(model.resolve("samples"));
        Files.writeString(model.resolve("samples/one.json"), "{\"instances\": [[1, 2]]}");
        FakeCluster target = cluster(name);
        target.behave(production, new FakeCluster.Behaviour(0.5, 0.001, 200, 0, false));
        new Lifecycle(new DefaultEngineFactory().engine(dir, event -> {}), target, event -> {})
                .run(plan(model, production, EXPERIMENT), (request, timeout) -> {
                    throw new AssertionError("a first release needs no approval");
                });
    }

    /** The echo model's files (answers {@code [a, b]} with {@code a + b}); a Pipeline writes the same ones. */
    public static final String MODEL_YAML = "name: NAME\nruntime: python\n"
            + "entrypoint: model:predict\nslo:\n  rps: 40\n  p99Ms: 500\n  maxErrorRate: 0.01\n"
            + "serving:\n  workers: 2\n";

    public static final String MODEL_PY = "def predict(instances):\n    return [sum(i) for i in instances]\n";

    private static final DeployPlan.ExperimentSettings EXPERIMENT = new DeployPlan.ExperimentSettings(
            50,
            Duration.ofSeconds(1),
            Duration.ofSeconds(30),
            20,
            0.05,
            ExperimentPlan.Method.SEQUENTIAL,
            OptionalDouble.empty(),
            ExperimentPlan.DEFAULT_MINIMUM_DETECTABLE_EFFECT,
            ExperimentPlan.Gate.DEFAULT);

    /**
     * Writes the echo model {@code name} (answers {@code [a, b]} with {@code a + b}) under {@code dir}, makes
     * {@code production} serve it and runs {@code challenger} through the lifecycle until it waits for approval:
     * production fails half its requests on purpose, so the A/B test finds the challenger fit on any gate. The
     * versions are prebuilt image references (the mock cluster pulls nothing).
     */
    public static DeployOutcome awaitingApproval(Path dir, String name, String production, String challenger)
            throws Exception {
        production(dir, name, production);
        Lifecycle lifecycle =
                new Lifecycle(new DefaultEngineFactory().engine(dir, event -> {}), cluster(name), event -> {});
        Lifecycle.Progress progress = lifecycle.start(plan(dir.resolve(name), challenger, EXPERIMENT));
        if (!(progress instanceof Lifecycle.AwaitingApproval)) {
            throw new AssertionError("version " + challenger + " does not wait for approval: " + progress.outcome());
        }
        return progress.outcome();
    }

    private static DeployPlan plan(Path model, String version, DeployPlan.ExperimentSettings experiment)
            throws Exception {
        ModelVersion v = ModelVersion.of(new ModelSpecLoader().load(model), version, "version");
        String image =
                "registry.test/" + v.name() + "@sha256:" + version.repeat(64).substring(0, 64);
        return new DeployPlan(
                v,
                Optional.empty(),
                Optional.of(image),
                Map.of(),
                Duration.ofMinutes(1),
                Optional.empty(),
                experiment,
                Duration.ofHours(1),
                Duration.ofHours(1),
                RetireMode.REMOVE,
                "jenkins test fixture");
    }
}
