package io.jenkins.plugins.modeldeploy.jenkins.steps;

import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.harness.HarnessOptions;
import io.jenkins.plugins.modeldeploy.jenkins.engine.DefaultEngineFactory;
import io.jenkins.plugins.modeldeploy.jenkins.engine.EngineFactory;
import io.jenkins.plugins.modeldeploy.kube.KubernetesSettings;
import io.jenkins.plugins.modeldeploy.local.LocalGateway;
import io.jenkins.plugins.modeldeploy.local.LocalTarget;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.pipeline.DeployOutcome;
import io.jenkins.plugins.modeldeploy.pipeline.DeployPlan;
import io.jenkins.plugins.modeldeploy.pipeline.DeploymentEngine;
import io.jenkins.plugins.modeldeploy.pipeline.Lifecycle;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import io.jenkins.plugins.modeldeploy.target.RetireMode;
import io.jenkins.plugins.modeldeploy.target.Target;
import io.jenkins.plugins.modeldeploy.target.TargetException;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import io.jenkins.plugins.modeldeploy.testing.ConnectionTo;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The stand-in for the cluster in the step tests, and the {@link EngineFactory} that hands the steps the REAL
 * {@link DeploymentEngine} — the one the plugin installs: Jib building and pushing (to the test's registry), A/B
 * decisions once a second — and a connection to the cluster. The cluster is an in-process {@link LocalTarget}: each version a harness process behind a {@link LocalGateway}
 * on 127.0.0.1, the release state in a directory. Like a cluster it outlives the connections: closing what
 * {@link #target} returned stops nothing (a Kubernetes target closes its client, not the pods), and the events of
 * what runs go to the session that is connected now.
 */
final class LocalCluster implements EngineFactory, AutoCloseable {
    final LocalGateway gateway;
    final LocalTarget target;
    /** The settings each connection was opened with, as the Resolver built them from the step and the configuration. */
    final List<KubernetesSettings> connections = new CopyOnWriteArrayList<>();
    /** Set when an engine or a connection was made outside an agent call (the controller ran the engine). */
    volatile boolean engineOffAgent;
    /** Set by tests of steps without a workspace, whose engine runs on the controller by design. */
    volatile boolean controllerSide;

    private final AtomicReference<Consumer<DeploymentEvent>> connected = new AtomicReference<>(event -> {});

    LocalCluster(Path stateDir) throws IOException {
        gateway = LocalGateway.start(0);
        target = new LocalTarget(
                gateway,
                HarnessOptions.loopback(),
                stateDir,
                event -> connected.get().accept(event),
                line -> {});
    }

    /** The engine the plugin installs ({@link DefaultEngineFactory}): Jib, A/B decisions once a second. */
    @Override
    public DeploymentEngine engine(Path workDir, Consumer<DeploymentEvent> events) {
        engineOffAgent |= !FakeServices.ON_AGENT.get() && !controllerSide;
        return new DefaultEngineFactory().engine(workDir, events);
    }

    @Override
    public Target target(KubernetesSettings settings, Consumer<DeploymentEvent> events) {
        engineOffAgent |= !FakeServices.ON_AGENT.get() && !controllerSide;
        connections.add(settings);
        connected.set(events);
        return new ConnectionTo(target, () -> connected.set(event -> {}));
    }

    /**
     * Makes {@code version} production as an earlier deployment would have (the lifecycle's first release, without an
     * image or a smoke test): the starting point of the cases that test a second version.
     */
    DeployOutcome production(Path modelDir, String version) throws Exception {
        ModelVersion v = ModelVersion.of(new ModelSpecLoader().load(modelDir), version, "version");
        DeployPlan plan = new DeployPlan(
                v,
                Optional.empty(),
                Optional.empty(),
                Map.of(),
                Duration.ofMinutes(1),
                Optional.empty(),
                DeployPlan.ExperimentSettings.defaults(),
                Duration.ofMinutes(1),
                Duration.ofHours(1),
                RetireMode.REMOVE,
                "test fixture");
        DeploymentEngine engine = new DefaultEngineFactory().engine(modelDir, event -> {});
        return new Lifecycle(engine, target, event -> {}).run(plan, (request, timeout) -> {
            throw new AssertionError("a first release needs no approval");
        });
    }

    ReleaseState state(String model) throws TargetException {
        return target.releases().load(model).orElseThrow(() -> new AssertionError("no release state of " + model));
    }

    /** The stored phase of the model's release (for waiting on it). */
    ReleaseState.Phase phase(String model) {
        try {
            return target.releases().load(model).map(ReleaseState::phase).orElse(ReleaseState.Phase.STABLE);
        } catch (TargetException e) {
            throw new IllegalStateException(e);
        }
    }

    /** True while the version's harness process serves (its own address, not through the gateway). */
    boolean runs(String model, String version) {
        return target.directUrl(new VersionRef(model, version)).isPresent();
    }

    @Override
    public void close() {
        target.close();
        gateway.close();
    }
}
