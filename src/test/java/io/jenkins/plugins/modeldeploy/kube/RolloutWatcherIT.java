package io.jenkins.plugins.modeldeploy.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

/**
 * Every simulator scenario through the real watcher: the reported cause, and detection within 10 s; the states it
 * waits through (as kubectl rollout status and Flagger do) and what it waits for (the HPA's minimum).
 */
class RolloutWatcherIT {
    static final Duration STEP = Duration.ofMillis(150);
    /** The simulated Deployment's progressDeadlineSeconds (SLOW's first pod is ready after 20 steps, 3 s). */
    static final Duration DEADLINE = Duration.ofSeconds(4);
    /** Crash loops fail at 3 restarts, image pulls at 3 failed pulls, creation failures after 1 s. */
    static final RolloutWatcher.Options OPTIONS = new RolloutWatcher.Options(
                    Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ofSeconds(10))
            .withThresholds(3, 3, Duration.ofSeconds(1));

    /** The pod is started but unready while the watches are down: give reconnecting (about 1 s, then a list) room. */
    static final RolloutWatcher.Options RECONNECTING = new RolloutWatcher.Options(
                    Duration.ofSeconds(30), Duration.ofSeconds(8), Duration.ofSeconds(10))
            .withThresholds(3, 3, Duration.ofSeconds(1));

    private MockApiServer server;
    private KubernetesClient client;
    private ClusterSimulator simulator;
    private final List<DeploymentEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        server = new MockApiServer();
        client = server.client("watcher");
        simulator = new ClusterSimulator(server, "models", STEP, DEADLINE);
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

    private List<String> warnings() {
        return events.stream()
                .filter(e -> e.details() instanceof EventDetails.RolloutWarning)
                .map(e -> ((EventDetails.RolloutWarning) e.details()))
                .map(w -> w.reason() + " " + w.message())
                .toList();
    }

    @Test
    void aHealthyRolloutReportsEachStateOnceThenAvailable() throws Exception {
        RolloutOutcome outcome = roll(Scenario.READY);

        // The rendered HPA has minReplicas 2: the simulated HPA raises spec.replicas from 1 to 2 one resync later.
        assertThat(outcome)
                .isInstanceOfSatisfying(
                        RolloutOutcome.Available.class,
                        a -> assertThat(a.readyReplicas()).isEqualTo(2));
        assertThat(progress())
                .containsExactly("scheduled 0/2", "image pulling 0/2", "started 0/2", "ready 1/2", "ready 2/2");
        assertThat(events.get(events.size() - 1).details()).isInstanceOf(EventDetails.RolloutSucceeded.class);
        assertThat(events).noneMatch(e -> e.details() instanceof EventDetails.RolloutWarning);
        assertThat(events).allSatisfy(e -> assertThat(e.object()).isPresent());
    }

    @Test
    void aSlowRolloutIsStillAvailableAndNeverPolls() throws Exception {
        RolloutOutcome outcome = roll(Scenario.SLOW);
        assertThat(outcome).isInstanceOf(RolloutOutcome.Available.class);
        assertThat(((RolloutOutcome.Available) outcome).took()).isGreaterThan(STEP.multipliedBy(15));
        assertThat(progress())
                .containsExactly("scheduled 0/2", "image pulling 0/2", "started 0/2", "ready 1/2", "ready 2/2");
        // The watcher's client: 5 lists, 5 watches, the applier's GETs and writes for 4 objects; nothing that grows
        // with the rollout's duration.
        assertThat(server.requestsFrom("watcher"))
                .as("requests by the watcher and the applier")
                .isLessThan(25);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "CRASH_LOOP, CrashLoopBackOff, Pod", // at 3 restarts
        "IMAGE_PULL_FAILURE, ErrImagePull, Pod", // at 3 failed pulls
        "UNSCHEDULABLE, Unschedulable, Pod", // at the progress deadline, named after the pod's state
        "DEADLINE_EXCEEDED, ProgressDeadlineExceeded, Deployment",
        "OOM_KILLED, OOMKilled, Pod",
        "READINESS_NEVER_TRUE, ReadinessNeverTrue, Pod",
        "FAILED_CREATE, FailedCreate, ReplicaSet", // after the 1 s grace
        "CREATE_CONTAINER_CONFIG_ERROR, CreateContainerConfigError, Pod" // after the 1 s grace
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
        assertThat(failed.details()).contains("exit code 1", "restarts 3");
        // The first two restarts were warnings, each reported once.
        assertThat(warnings())
                .filteredOn(w -> w.startsWith("CrashLoopBackOff"))
                .containsExactly(
                        "CrashLoopBackOff exit code 1, restarts 1: back-off 10s restarting failed container=model pod="
                                + failed.object().name(),
                        "CrashLoopBackOff exit code 1, restarts 2: back-off 20s restarting failed container=model pod="
                                + failed.object().name());
        assertThat(server.paths())
                .anyMatch(p -> p.contains("/log?")
                        && p.contains("previous=true")
                        && p.contains("tailLines=20")
                        && p.contains("container=model"));
    }

    @Test
    void anUnschedulablePodIsAWarningUntilTheAutoscalerAddsANode() throws Exception {
        RolloutOutcome outcome = roll(Scenario.UNSCHEDULABLE_THEN_SCHEDULED);

        assertThat(outcome).isInstanceOf(RolloutOutcome.Available.class);
        assertThat(warnings())
                .isNotEmpty()
                .allMatch(w -> w.startsWith("Unschedulable 0/3 nodes are available: 3 Insufficient memory."));
        DeploymentEvent warning = events.stream()
                .filter(e -> e.details() instanceof EventDetails.RolloutWarning)
                .findFirst()
                .orElseThrow();
        assertThat(warning.object())
                .hasValueSatisfying(o -> assertThat(o.kind()).isEqualTo("Pod"));
        assertThat(warning.message()).contains("Unschedulable", "Insufficient memory");
    }

    @Test
    void aPodThatStaysUnschedulableFailsAtTheProgressDeadlineWithTheSchedulersMessage() throws Exception {
        RolloutOutcome.Failed failed = (RolloutOutcome.Failed) roll(Scenario.UNSCHEDULABLE);

        assertThat(failed.cause()).isEqualTo("Unschedulable");
        assertThat(failed.details()).contains("3 Insufficient memory", "still at the progress deadline");
        assertThat(failed.took()).as("waited for the Deployment's deadline").isGreaterThanOrEqualTo(DEADLINE);
        assertThat(warnings()).isNotEmpty().allMatch(w -> w.startsWith("Unschedulable"));
    }

    @Test
    void aPermanentPullErrorFailsAtTheRepeatThresholdWithTheRegistrysMessage() throws Exception {
        RolloutOutcome.Failed failed = (RolloutOutcome.Failed) roll(Scenario.IMAGE_PULL_FAILURE);

        assertThat(failed.cause()).isEqualTo("ErrImagePull");
        assertThat(failed.details()).contains("code = NotFound", "not found (3 failed pulls)");
        assertThat(warnings())
                .as("one warning per pod while the kubelet alternates ErrImagePull and ImagePullBackOff")
                .hasSizeBetween(1, 2)
                .allMatch(w -> w.startsWith("ErrImagePull rpc error: code = NotFound"));
    }

    @Test
    void aRegistryErrorThatPassesIsAWarningAndTheRolloutCompletes() throws Exception {
        RolloutOutcome outcome = roll(Scenario.IMAGE_PULL_TRANSIENT);

        assertThat(outcome).isInstanceOf(RolloutOutcome.Available.class);
        assertThat(warnings()).anyMatch(w -> w.startsWith("ErrImagePull") && w.contains("429 Too Many Requests"));
    }

    @Test
    void anEarlyCrashIsAWarningAndTheRolloutCompletes() throws Exception {
        RolloutOutcome outcome = roll(Scenario.CRASH_THEN_READY);

        assertThat(outcome).isInstanceOf(RolloutOutcome.Available.class);
        assertThat(warnings()).anyMatch(w -> w.startsWith("CrashLoopBackOff exit code 1, restarts 1"));
    }

    @Test
    void aRejectedPodCreationFailsFastWithTheAdmissionMessage() throws Exception {
        RolloutOutcome.Failed failed = (RolloutOutcome.Failed) roll(Scenario.FAILED_CREATE);

        assertThat(failed.cause()).isEqualTo("FailedCreate");
        assertThat(failed.object().kind()).isEqualTo("ReplicaSet");
        assertThat(failed.details()).contains("is forbidden: " + ClusterSimulator.QUOTA_MESSAGE);
        assertThat(failed.took()).as("after the 1 s grace, not at the deadline").isLessThan(DEADLINE);
    }

    @Test
    void aMissingSecretFailsAfterTheGraceWithTheKubeletsMessage() throws Exception {
        RolloutOutcome.Failed failed = (RolloutOutcome.Failed) roll(Scenario.CREATE_CONTAINER_CONFIG_ERROR);

        assertThat(failed.cause()).isEqualTo("CreateContainerConfigError");
        assertThat(failed.details()).contains("secret \"iris-credentials\" not found");
        assertThat(failed.took()).isBetween(Duration.ofSeconds(1), DEADLINE);
        assertThat(warnings()).anyMatch(w -> w.startsWith("CreateContainerConfigError"));
    }

    @Test
    void theRolloutWaitsForTheHpaMinimumNotSpecReplicas() throws Exception {
        // The HPA's first reconcile comes one sync period after it is created (15 s upstream).
        simulator.hpaResync(Duration.ofMillis(2000));

        RolloutOutcome outcome = roll(Scenario.READY);

        assertThat(outcome).isInstanceOfSatisfying(RolloutOutcome.Available.class, a -> {
            assertThat(a.readyReplicas()).isEqualTo(2);
            assertThat(a.took()).isGreaterThan(Duration.ofMillis(2000));
        });
        assertThat(client.apps()
                        .deployments()
                        .inNamespace("models")
                        .withName("iris-2")
                        .get()
                        .getStatus()
                        .getReadyReplicas())
                .isEqualTo(2);
    }

    @Test
    void aNewTemplateOfARunningVersionIsJudgedNotTheCompleteOldOne() throws Exception {
        assertThat(roll(Scenario.READY)).isInstanceOf(RolloutOutcome.Available.class);
        simulator.script("iris-2", Scenario.CRASH_LOOP);

        RolloutWatcher watcher = new RolloutWatcher(client, "models", events::add);
        RolloutOutcome outcome;
        try (RolloutWatcher.Session session = watcher.start("iris", "2", OPTIONS)) {
            // The caches hold the old template, complete; the new one crash-loops (its old pods keep serving).
            new ResourceApplier(client).apply(ResourceApplierTest.objects(ResourceApplierTest.OTHER_IMAGE));
            outcome = session.await();
        }

        assertThat(outcome)
                .isInstanceOfSatisfying(
                        RolloutOutcome.Failed.class, f -> assertThat(f.cause()).isEqualTo("CrashLoopBackOff"));
    }

    @Test
    void aForbiddenListIsNamedNotReportedAsASlowList() {
        server.forbid("list", "pods");
        RolloutWatcher watcher = new RolloutWatcher(client, "models", events::add);

        assertThatThrownBy(() -> watcher.start("iris", "2", OPTIONS))
                .isInstanceOf(KubernetesWatchException.class)
                .hasMessageContaining("forbidden: list pods")
                .hasMessageContaining("cannot list resource \"pods\" in API group \"\" in the namespace \"models\"");
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
        assertThat(progress()).endsWith("ready 2/2");
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
        assertThat(progress()).endsWith("ready 2/2");
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
