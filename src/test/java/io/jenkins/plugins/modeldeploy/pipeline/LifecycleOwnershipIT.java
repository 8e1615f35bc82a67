package io.jenkins.plugins.modeldeploy.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.kube.KubernetesSettings;
import io.jenkins.plugins.modeldeploy.kube.KubernetesTarget;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.target.Outcome;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import io.jenkins.plugins.modeldeploy.target.RetireMode;
import io.jenkins.plugins.modeldeploy.target.RolloutRequest;
import io.jenkins.plugins.modeldeploy.testing.ClusterSimulator;
import io.jenkins.plugins.modeldeploy.testing.ClusterSimulator.Scenario;
import io.jenkins.plugins.modeldeploy.testing.MockApiServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The lifecycle, with the real engine and the real Kubernetes target on the mock API server and the cluster
 * simulator: a failed rollout never destroys what the run did not create (issue #14 item 1, review finding #1).
 */
class LifecycleOwnershipIT {
    static final String OLD = "registry.local/models/iris@sha256:" + "a".repeat(64);
    static final String NEW = "registry.local/models/iris@sha256:" + "b".repeat(64);

    private MockApiServer server;
    private KubernetesClient client;
    private ClusterSimulator simulator;
    private KubernetesTarget target;
    private final List<DeploymentEvent> events = new CopyOnWriteArrayList<>();
    /** Set by a test: counted down by the first rollout progress event published after it is set. */
    private volatile java.util.concurrent.CountDownLatch progress;

    private void publish(DeploymentEvent event) {
        events.add(event);
        java.util.concurrent.CountDownLatch latch = progress;
        if (latch != null
                && event.details() instanceof io.jenkins.plugins.modeldeploy.event.EventDetails.RolloutProgress) {
            latch.countDown();
        }
    }

    @BeforeEach
    void start() {
        server = new MockApiServer();
        client = server.client();
        simulator = new ClusterSimulator(server, "models", Duration.ofMillis(100), Duration.ofMillis(1500));
        KubernetesSettings defaults = KubernetesSettings.defaults("models");
        target = new KubernetesTarget(
                client,
                new KubernetesSettings(
                        Optional.empty(),
                        Optional.empty(),
                        "models",
                        Optional.of("ml.example.com"),
                        KubernetesSettings.RouteMode.TRAEFIK,
                        Optional.empty(),
                        Optional.empty(),
                        RetireMode.REMOVE,
                        defaults.minReplicas(),
                        defaults.maxReplicas(),
                        List.of()),
                this::publish,
                Duration.ofSeconds(2));
    }

    @AfterEach
    void stop() {
        target.close();
        simulator.close();
        client.close();
        server.close();
    }

    private static ModelVersion version(String v) throws Exception {
        return ModelVersion.of(new ModelSpecLoader().load(Path.of("examples/iris-python")), v, "t");
    }

    private static DeployPlan plan(String v, String image) throws Exception {
        return new DeployPlan(
                version(v),
                Optional.empty(),
                Optional.of(image),
                Map.of("git-commit", "c0ffee"),
                Duration.ofSeconds(20),
                Optional.empty(),
                DeployPlan.ExperimentSettings.defaults(),
                Duration.ofSeconds(5),
                Duration.ZERO,
                RetireMode.REMOVE,
                "test");
    }

    private Lifecycle lifecycle() {
        DeploymentEngine engine = new DeploymentEngine(
                this::publish,
                plan -> {
                    throw new AssertionError("these plans build no image");
                },
                Duration.ofMillis(1));
        return new Lifecycle(engine, target, this::publish);
    }

    private Deployment deployment(String name) {
        return client.apps().deployments().inNamespace("models").withName(name).get();
    }

    @Test
    void aFailedRolloutOverObjectsThisRunDidNotCreateLeavesThemServingTheirOldImage() throws Exception {
        // iris-2 already runs, written by someone else (another tool, a GitOps sync, an older run of model-deploy).
        target.rollout(new RolloutRequest(version("2"), Optional.of(OLD), Map.of(), Duration.ofSeconds(20)));
        simulator.script("iris-2", Scenario.DEADLINE_EXCEEDED);

        DeployOutcome outcome = lifecycle().run(plan("2", NEW), (request, timeout) -> {
            throw new AssertionError("no approval is asked for a failed rollout");
        });

        assertThat(outcome.outcome()).contains(Outcome.FAILED);
        assertThat(outcome.reason()).contains("ProgressDeadlineExceeded", "put back");
        Deployment kept = deployment("iris-2");
        assertThat(kept).as("not deleted: this run did not create it").isNotNull();
        assertThat(kept.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo(OLD);
        assertThat(kept.getMetadata().getAnnotations())
                .as("no stage or outcome written on objects that are not the run's")
                .doesNotContainKeys("model-deploy.jenkins.io/stage", "model-deploy.jenkins.io/outcome");
        assertThat(client.services().inNamespace("models").withName("iris-2").get())
                .isNotNull();
        ReleaseState state = target.releases().load("iris").orElseThrow();
        assertThat(state.phase()).isEqualTo(ReleaseState.Phase.STABLE);
        assertThat(state.digests())
                .as("the digest its objects run again")
                .containsEntry("2", "sha256:" + "a".repeat(64));
        assertThat(state.history())
                .last()
                .satisfies(h -> assertThat(h.outcome()).contains(Outcome.FAILED));
    }

    @Test
    void aRunStoppedDuringItsRolloutOverAnotherRunsObjectsPutsThemBackAndRetiresNothing() throws Exception {
        target.rollout(new RolloutRequest(
                version("2"), Optional.of(OLD), Map.of("rollout", "gitops-sync"), Duration.ofSeconds(20)));
        simulator.script("iris-2", Scenario.DEADLINE_EXCEEDED);
        progress = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<Throwable> thrown =
                new java.util.concurrent.atomic.AtomicReference<>();
        Thread run = new Thread(() -> {
            try {
                lifecycle().run(plan("2", NEW), (request, timeout) -> {
                    throw new AssertionError("no approval is asked for");
                });
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        run.start();
        assertThat(progress.await(20, java.util.concurrent.TimeUnit.SECONDS))
                .as("the new template's rollout is under way")
                .isTrue();
        run.interrupt(); // what aborting the build does
        run.join(30_000);

        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
        Deployment kept = deployment("iris-2");
        assertThat(kept).as("not deleted: this run did not create it").isNotNull();
        assertThat(kept.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo(OLD);
        assertThat(kept.getMetadata().getAnnotations())
                .containsEntry("model-deploy.jenkins.io/rollout", "gitops-sync")
                .doesNotContainKeys("model-deploy.jenkins.io/stage", "model-deploy.jenkins.io/outcome");
        ReleaseState state = target.releases().load("iris").orElseThrow();
        assertThat(state.phase()).isEqualTo(ReleaseState.Phase.STABLE);
        assertThat(state.digests()).containsEntry("2", "sha256:" + "a".repeat(64));
    }

    @Test
    void aFailedRolloutOfAFreshVersionIsRemovedAsBefore() throws Exception {
        simulator.script("iris-3", Scenario.DEADLINE_EXCEEDED);

        DeployOutcome outcome = lifecycle().run(plan("3", NEW), (request, timeout) -> {
            throw new AssertionError("no approval is asked for a failed rollout");
        });

        assertThat(outcome.outcome()).contains(Outcome.FAILED);
        assertThat(deployment("iris-3")).isNull();
        assertThat(client.services().inNamespace("models").withName("iris-3").get())
                .isNull();
        ReleaseState state = target.releases().load("iris").orElseThrow();
        assertThat(state.phase()).isEqualTo(ReleaseState.Phase.STABLE);
        assertThat(state.digests()).doesNotContainKey("3");
    }
}
