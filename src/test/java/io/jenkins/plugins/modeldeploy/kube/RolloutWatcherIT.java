package io.jenkins.plugins.modeldeploy.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStateRunningBuilder;
import io.fabric8.kubernetes.api.model.ContainerStateWaitingBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.event.EventDetails;
import io.jenkins.plugins.modeldeploy.testing.ClusterSimulator;
import io.jenkins.plugins.modeldeploy.testing.ClusterSimulator.Scenario;
import io.jenkins.plugins.modeldeploy.testing.MockApiServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every simulator scenario through the real watcher: the reported cause, and detection within 10 s. */
class RolloutWatcherIT {
    static final Duration STEP = Duration.ofMillis(150);
    static final RolloutWatcher.Options OPTIONS =
            new RolloutWatcher.Options(Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ofSeconds(10));

    /** The pod is started but unready while the watches are down: give reconnecting (about 1 s, then a list) room. */
    static final RolloutWatcher.Options RECONNECTING =
            new RolloutWatcher.Options(Duration.ofSeconds(30), Duration.ofSeconds(8), Duration.ofSeconds(10));

    private MockApiServer server;
    private KubernetesClient client;
    private ClusterSimulator simulator;
    private final List<DeploymentEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        server = new MockApiServer();
        client = server.client();
        simulator = new ClusterSimulator(server, "models", STEP, Duration.ofMillis(1500));
    }

    @AfterEach
    void stop() {
        simulator.close();
        client.close();
        server.close();
    }

    private RolloutOutcome roll(Scenario scenario) throws Exception {
        return roll(scenario, OPTIONS);
    }

    private RolloutOutcome roll(Scenario scenario, RolloutWatcher.Options options) throws Exception {
        simulator.script("iris-2", scenario);
        RolloutWatcher watcher = new RolloutWatcher(client, "models", events::add);
        try (RolloutWatcher.Session session = watcher.start("iris", "2", options)) {
            new ResourceApplier(client).apply(ResourceApplierTest.objects(ResourceApplierTest.IMAGE));
            return session.await();
        }
    }

    private List<String> progress() {
        return events.stream()
                .filter(e -> e.details() instanceof EventDetails.RolloutProgress)
                .map(e -> ((EventDetails.RolloutProgress) e.details()))
                .map(p -> p.state() + " " + p.ready() + "/" + p.desired())
                .toList();
    }

    @Test
    void aHealthyRolloutReportsEachStateOnceThenAvailable() throws Exception {
        RolloutOutcome outcome = roll(Scenario.READY);

        assertThat(outcome).isInstanceOf(RolloutOutcome.Available.class);
        assertThat(progress()).containsExactly("scheduled 0/1", "image pulling 0/1", "started 0/1", "ready 1/1");
        assertThat(events.get(events.size() - 1).details()).isInstanceOf(EventDetails.RolloutSucceeded.class);
        assertThat(events).allSatisfy(e -> assertThat(e.object()).isPresent());
    }

    @Test
    void aSlowRolloutIsStillAvailableAndNeverPolls() throws Exception {
        RolloutOutcome outcome = roll(Scenario.SLOW);
        assertThat(outcome).isInstanceOf(RolloutOutcome.Available.class);
        assertThat(((RolloutOutcome.Available) outcome).took()).isGreaterThan(STEP.multipliedBy(15));
        // Initial lists (4 informers) and the applier's GETs; nothing that grows with the rollout's duration.
        assertThat(progress()).containsExactly("scheduled 0/1", "image pulling 0/1", "started 0/1", "ready 1/1");
        assertThat(server.paths())
                .filteredOn(p -> p.startsWith("GET")
                        && !p.contains("watch=true")
                        && (p.contains("/pods") || p.contains("/replicasets") || p.contains("/events"))
                        && !p.contains("/log"))
                .as("reads by the watcher (lists), not by the simulator")
                .hasSizeLessThan(40);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "CRASH_LOOP, CrashLoopBackOff, Pod",
        "IMAGE_PULL_FAILURE, ErrImagePull, Pod",
        "UNSCHEDULABLE, Unschedulable, Pod",
        "DEADLINE_EXCEEDED, ProgressDeadlineExceeded, Deployment",
        "OOM_KILLED, OOMKilled, Pod",
        "READINESS_NEVER_TRUE, ReadinessNeverTrue, Pod"
    })
    void eachFailureIsRecognisedWithItsCauseWithinTenSeconds(Scenario scenario, String cause, String kind)
            throws Exception {
        RolloutOutcome outcome = roll(scenario);

        assertThat(outcome).isInstanceOfSatisfying(RolloutOutcome.Failed.class, failed -> {
            assertThat(failed.cause()).isEqualTo(cause);
            assertThat(failed.object().kind()).isEqualTo(kind);
            assertThat(failed.object().namespace()).isEqualTo("models");
            assertThat(failed.object().name()).startsWith("iris-2");
            assertThat(failed.took()).isLessThan(Duration.ofSeconds(10));
        });
        DeploymentEvent last = events.get(events.size() - 1);
        assertThat(last.details())
                .isInstanceOfSatisfying(
                        EventDetails.RolloutFailed.class,
                        f -> assertThat(f.cause()).isEqualTo(cause));
        assertThat(events)
                .filteredOn(e -> e.details() instanceof EventDetails.RolloutFailed)
                .hasSize(1);
    }

    @Test
    void aCrashLoopCarriesTheLastTwentyLinesOfThePreviousContainer() throws Exception {
        RolloutOutcome.Failed failed = (RolloutOutcome.Failed) roll(Scenario.CRASH_LOOP);

        assertThat(failed.logTail()).hasSize(20).endsWith("Traceback: ModuleNotFoundError: No module named 'sklearn'");
        assertThat(failed.details()).contains("exit code 1", "restarts 1");
        assertThat(server.paths())
                .anyMatch(p -> p.contains("/log?")
                        && p.contains("previous=true")
                        && p.contains("tailLines=20")
                        && p.contains("container=model"));
    }

    @Test
    void anOomKillIsNamedAsSuchRatherThanAsACrashLoop() throws Exception {
        RolloutOutcome.Failed failed = (RolloutOutcome.Failed) roll(Scenario.OOM_KILLED);
        assertThat(failed.details()).contains("exit code 137");
        assertThat(failed.logTail()).last().asString().contains("allocating 3.2 GiB");
    }

    @Test
    void aDroppedWatchResumesAndTheStateReachedMeanwhileIsReported() throws Exception {
        RolloutOutcome outcome = roll(Scenario.WATCH_DROPPED, RECONNECTING);

        assertThat(outcome)
                .isInstanceOfSatisfying(
                        RolloutOutcome.Available.class,
                        a -> assertThat(a.took())
                                .as("drop at ~0.6 s, resumed within 5 s")
                                .isLessThan(Duration.ofMillis(5600)));
        assertThat(progress()).endsWith("ready 1/1");
        for (String kind : List.of("/deployments?", "/pods?")) {
            assertThat(server.paths())
                    .as("the watcher's %s watch reconnected", kind)
                    .filteredOn(p -> p.contains(kind) && p.contains("watch=true") && p.contains("labelSelector"))
                    .hasSizeGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void a410GoneRelistsAndTheStateReachedMeanwhileIsReported() throws Exception {
        RolloutOutcome outcome = roll(Scenario.GONE_410, RECONNECTING);

        assertThat(outcome)
                .isInstanceOfSatisfying(
                        RolloutOutcome.Available.class,
                        a -> assertThat(a.took())
                                .as("drop at ~0.6 s, resumed within 5 s")
                                .isLessThan(Duration.ofMillis(5600)));
        assertThat(progress()).endsWith("ready 1/1");
        assertThat(server.goneSent()).isPositive();
        // After 410 an informer lists again: more lists of the watched collections than the 4 initial ones.
        assertThat(server.paths())
                .filteredOn(p -> p.startsWith("GET")
                        && !p.contains("watch=true")
                        && (p.contains("?labelSelector=") || p.contains("/events?")))
                .hasSizeGreaterThan(4);
    }

    @Test
    void theOverallTimeoutEndsAWatchThatNeverSettles() throws Exception {
        simulator.script("iris-2", Scenario.UNSCHEDULABLE);
        RolloutWatcher watcher = new RolloutWatcher(client, "models", events::add);
        // Nothing is applied: the Deployment never appears.
        try (RolloutWatcher.Session session = watcher.start(
                "iris",
                "2",
                new RolloutWatcher.Options(Duration.ofMillis(800), Duration.ofSeconds(2), Duration.ofSeconds(10)))) {
            RolloutOutcome outcome = session.await();
            assertThat(outcome).isInstanceOfSatisfying(RolloutOutcome.Failed.class, f -> {
                assertThat(f.cause()).isEqualTo("Timeout");
                assertThat(f.details()).contains("nothing observed");
            });
        }
    }

    @Test
    void podsOfAnOlderTemplateDoNotFailTheCurrentOne() throws Exception {
        // Namespace "other" has no simulator: the objects are written here as the controllers would leave them
        // mid-update: revision 1's pod crash-looping, revision 2's pod ready, the Deployment complete at revision 2.
        var labels = ModelLabels.of("iris", "2");
        Deployment deployment = new DeploymentBuilder()
                .withNewMetadata()
                .withName("iris-2")
                .withNamespace("other")
                .withLabels(labels)
                .endMetadata()
                .withNewSpec()
                .withReplicas(1)
                .withNewSelector()
                .withMatchLabels(ModelLabels.selector("iris", "2"))
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(labels)
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("model")
                .withImage("x")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
        deployment = client.resource(deployment).create();
        for (String[] rs : new String[][] {{"1", "aaa"}, {"2", "bbb"}}) {
            var rsLabels = new java.util.LinkedHashMap<>(labels);
            rsLabels.put("pod-template-hash", rs[1]);
            client.resource(new ReplicaSetBuilder()
                            .withNewMetadata()
                            .withName("iris-2-" + rs[1])
                            .withNamespace("other")
                            .withLabels(rsLabels)
                            .withAnnotations(Map.of("deployment.kubernetes.io/revision", rs[0]))
                            .endMetadata()
                            .withNewSpec()
                            .withNewSelector()
                            .withMatchLabels(rsLabels)
                            .endSelector()
                            .endSpec()
                            .build())
                    .create();
            boolean old = rs[0].equals("1");
            // Created first, then given its status: like the API server, the mock ignores status on create.
            var pod = client.resource(new PodBuilder()
                            .withNewMetadata()
                            .withName("iris-2-" + rs[1] + "-x")
                            .withNamespace("other")
                            .withLabels(rsLabels)
                            .endMetadata()
                            .build())
                    .create();
            pod.setStatus(new PodStatusBuilder()
                    .addNewContainerStatus()
                    .withName("model")
                    .withReady(!old)
                    .withRestartCount(old ? 5 : 0)
                    .withNewState()
                    .withWaiting(
                            old
                                    ? new ContainerStateWaitingBuilder()
                                            .withReason("CrashLoopBackOff")
                                            .build()
                                    : null)
                    .withRunning(
                            old
                                    ? null
                                    : new ContainerStateRunningBuilder()
                                            .withStartedAt("2026-11-25T22:00:00Z")
                                            .build())
                    .endState()
                    .endContainerStatus()
                    .build());
            client.resource(pod).update();
        }
        deployment.getMetadata().setAnnotations(Map.of("deployment.kubernetes.io/revision", "2"));
        deployment.setStatus(new DeploymentStatusBuilder()
                .withObservedGeneration(deployment.getMetadata().getGeneration())
                .withReplicas(1)
                .withUpdatedReplicas(1)
                .withReadyReplicas(1)
                .withAvailableReplicas(1)
                .build());
        client.resource(deployment).update();

        RolloutWatcher watcher = new RolloutWatcher(client, "other", events::add);
        try (RolloutWatcher.Session session = watcher.start("iris", "2", OPTIONS)) {
            assertThat(session.await()).isInstanceOf(RolloutOutcome.Available.class);
        }

        // Without the revision (controller not caught up), every pod of the version counts.
        Deployment unknown = client.apps()
                .deployments()
                .inNamespace("other")
                .withName("iris-2")
                .get();
        unknown.getMetadata().setAnnotations(Map.of());
        client.resource(unknown).update();
        assertThat(client.apps()
                        .deployments()
                        .inNamespace("other")
                        .withName("iris-2")
                        .get()
                        .getMetadata()
                        .getAnnotations())
                .doesNotContainKey("deployment.kubernetes.io/revision");
        try (RolloutWatcher.Session session = watcher.start("iris", "2", OPTIONS)) {
            assertThat(session.await())
                    .isInstanceOfSatisfying(
                            RolloutOutcome.Failed.class,
                            f -> assertThat(f.cause()).isEqualTo("CrashLoopBackOff"));
        }
    }
}
