package io.jenkins.plugins.modeldeploy.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan;
import io.jenkins.plugins.modeldeploy.abtest.Verdict;
import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.event.EventDetails;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.target.Outcome;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import io.jenkins.plugins.modeldeploy.target.ReleaseState.Phase;
import io.jenkins.plugins.modeldeploy.target.RetireMode;
import io.jenkins.plugins.modeldeploy.target.Stage;
import io.jenkins.plugins.modeldeploy.target.TargetException;
import io.jenkins.plugins.modeldeploy.testing.TestModels;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lifecycle's table, run by the real engine against a cluster double ({@link FakeCluster}): what every result
 * leads to — what runs, routes and weights, stages, history and events afterwards.
 */
class LifecycleTest {
    @TempDir
    Path dir;

    final List<DeploymentEvent> events = new CopyOnWriteArrayList<>();
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T12:00:00Z"));
    FakeCluster cluster;
    Path modelDir;

    /** A clock the tests move. */
    static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @BeforeEach
    void cluster() throws Exception {
        cluster = new FakeCluster("echo", dir.resolve("cluster"));
        modelDir = TestModels.testModel("echo-python", dir);
    }

    @AfterEach
    void close() {
        cluster.close();
    }

    Lifecycle lifecycle() {
        return lifecycle(step -> {});
    }

    Lifecycle lifecycle(ReleaseActions.StepListener steps) {
        DeploymentEngine engine = new DeploymentEngine(
                events::add,
                plan -> {
                    throw new AssertionError("these plans build no image");
                },
                Duration.ofMillis(1));
        return new Lifecycle(engine, cluster, events::add, clock, steps);
    }

    static DeployPlan.ExperimentSettings experiment(Duration max, long minSamples) {
        return new DeployPlan.ExperimentSettings(
                50,
                Duration.ZERO,
                max,
                minSamples,
                0.05,
                ExperimentPlan.Method.SEQUENTIAL,
                OptionalDouble.empty(),
                0.01,
                ExperimentPlan.Gate.DEFAULT);
    }

    DeployPlan plan(String version, boolean smoke, Duration keep) throws Exception {
        return plan(version, smoke, keep, RetireMode.REMOVE, experiment(Duration.ofSeconds(20), 2000));
    }

    DeployPlan plan(
            String version,
            boolean smoke,
            Duration keep,
            RetireMode onFailure,
            DeployPlan.ExperimentSettings experiment)
            throws Exception {
        ModelVersion v = ModelVersion.of(new ModelSpecLoader().load(modelDir), version, "test");
        Optional<SmokeSettings> settings = smoke
                ? Optional.of(new SmokeSettings(
                        OptionalDouble.of(20),
                        Duration.ofMillis(500),
                        Duration.ZERO,
                        OptionalDouble.empty(),
                        OptionalDouble.empty()))
                : Optional.empty();
        return new DeployPlan(
                v,
                Optional.empty(),
                Optional.of("registry.test/echo@sha256:" + version.repeat(64).substring(0, 64)),
                Map.of("git-commit", "c0ffee" + version),
                Duration.ofMinutes(1),
                settings,
                experiment,
                Duration.ofSeconds(5),
                keep,
                onFailure,
                "test run " + version);
    }

    static ApprovalGate approve(String who) {
        return (request, timeout) -> new Approval(true, who, Instant.now(), "looks good");
    }

    ReleaseState state() throws Exception {
        return cluster.releases().load("echo").orElseThrow();
    }

    long finished(String version, Outcome outcome) {
        return events.stream()
                .filter(e -> e.version().equals(version)
                        && e.details() instanceof EventDetails.DeployFinished f
                        && f.outcome().equals(outcome.name()))
                .count();
    }

    DeployOutcome release(String version) throws Exception {
        return lifecycle().run(plan(version, false, Duration.ofHours(1)), approve("alice"));
    }

    @Test
    void theFirstVersionServesProductionAfterItsSmokeTest() throws Exception {
        DeployOutcome first = lifecycle().run(plan("1", true, Duration.ofHours(1)), approve("alice"));

        assertThat(first.outcome()).contains(Outcome.PROMOTED);
        assertThat(first.verdict()).isEmpty();
        assertThat(first.smoke()).hasValueSatisfying(s -> assertThat(s.passed()).isTrue());
        assertThat(first.production()).contains("1");
        assertThat(cluster.objects().weights).containsExactlyEntriesOf(Map.of("1", 100));
        assertThat(cluster.releases().stages("echo")).containsExactlyEntriesOf(Map.of("1", Stage.PRODUCTION));
        assertThat(cluster.releases().annotations(new io.jenkins.plugins.modeldeploy.target.VersionRef("echo", "1")))
                .containsEntry("git-commit", "c0ffee1")
                .containsEntry("outcome", "PROMOTED")
                .containsKey("smoke");
        ReleaseState state = state();
        assertThat(state.phase()).isEqualTo(Phase.STABLE);
        assertThat(state.history()).singleElement().satisfies(entry -> {
            assertThat(entry.action()).isEqualTo(ReleaseState.Action.DEPLOY);
            assertThat(entry.outcome()).contains(Outcome.PROMOTED);
            assertThat(entry.reason()).isEqualTo("first release");
        });
        assertThat(finished("1", Outcome.PROMOTED)).isEqualTo(1);
    }

    @Test
    void aFailedSmokeTestTakesTheVersionOutAndNeverRoutesItOnTheStableRoute() throws Exception {
        release("1");
        cluster.behaviours.put("2", FakeCluster.Behaviour.HEALTHY.failing());

        DeployOutcome second = lifecycle().run(plan("2", true, Duration.ofHours(1)), approve("alice"));

        assertThat(second.outcome()).contains(Outcome.FAILED);
        assertThat(second.reason()).startsWith("smoke test failed:");
        assertThat(second.production()).contains("1");
        assertThat(cluster.serving()).containsExactly("1");
        assertThat(cluster.objects().routes).containsExactly("1");
        assertThat(cluster.objects().weights).containsExactlyEntriesOf(Map.of("1", 100));
        assertThat(state().history())
                .last()
                .satisfies(e -> assertThat(e.outcome()).contains(Outcome.FAILED));
        assertThat(state().digests()).doesNotContainKey("2");
        assertThat(finished("2", Outcome.FAILED)).isEqualTo(1);
        assertThat(events)
                .anySatisfy(e -> assertThat(e.details())
                        .isEqualTo(new EventDetails.VersionRemoved("failed", "REMOVE", second.reason())));
    }

    @Test
    void aFailedVersionIsKeptAtZeroReplicasWhenOnFailureSaysSo() throws Exception {
        release("1");
        cluster.behaviours.put("2", FakeCluster.Behaviour.HEALTHY.failing());

        DeployOutcome second = lifecycle()
                .run(
                        plan(
                                "2",
                                true,
                                Duration.ofHours(1),
                                RetireMode.SCALE_TO_ZERO,
                                experiment(Duration.ofSeconds(5), 100)),
                        approve("alice"));

        assertThat(second.outcome()).contains(Outcome.FAILED);
        assertThat(cluster.objects().running).containsEntry("2", false);
        assertThat(cluster.releases().stages("echo")).containsEntry("2", Stage.FAILED);
        assertThat(cluster.objects().routes).containsExactly("1");
    }

    @Test
    void aFailedRolloutEndsTheRunAsFailedWithNothingLeft() throws Exception {
        release("1");
        cluster.behaviours.put("2", new FakeCluster.Behaviour(0, 0, 200, 0, true));

        DeployOutcome second = lifecycle().run(plan("2", true, Duration.ofHours(1)), approve("alice"));

        assertThat(second.outcome()).contains(Outcome.FAILED);
        assertThat(second.reason()).contains("CrashLoopBackOff");
        assertThat(cluster.serving()).containsExactly("1");
        assertThat(state().phase()).isEqualTo(Phase.STABLE);
    }

    @Test
    void anEquallyGoodVersionIsPromotedByTheNonInferiorityGate() throws Exception {
        release("1");

        DeployOutcome second = lifecycle().run(plan("2", false, Duration.ofHours(1)), approve("alice"));

        assertThat(second.verdict()).contains(Verdict.PROMOTE);
        assertThat(second.outcome()).contains(Outcome.PROMOTED);
        assertThat(second.approval())
                .hasValueSatisfying(a -> assertThat(a.approver()).isEqualTo("alice"));
        assertThat(cluster.objects().weights).containsExactlyEntriesOf(Map.of("2", 100));
        assertThat(cluster.releases().stages("echo"))
                .containsEntry("2", Stage.PRODUCTION)
                .containsEntry("1", Stage.RETIRED);
        assertThat(cluster.serving()).containsExactly("1", "2"); // 1 is kept for its window
        assertThat(state().keepUntil()).containsEntry("1", clock.instant().plus(Duration.ofHours(1)));
        assertThat(cluster.releases().annotations(new io.jenkins.plugins.modeldeploy.target.VersionRef("echo", "2")))
                .containsKeys("verdict", "approved-by", "decided-at");
    }

    @Test
    void aWorseVersionIsRolledBackAndRemoved() throws Exception {
        release("1");
        cluster.behaviours.put("2", new FakeCluster.Behaviour(0.2, 0.001, 200, 0, false));

        DeployOutcome second = lifecycle().run(plan("2", false, Duration.ofHours(1)), approve("alice"));

        assertThat(second.verdict()).contains(Verdict.ROLLBACK);
        assertThat(second.outcome()).contains(Outcome.ROLLED_BACK);
        assertThat(second.approval()).as("no one is asked about a loser").isEmpty();
        assertThat(cluster.serving()).containsExactly("1");
        assertThat(cluster.objects().weights).containsExactlyEntriesOf(Map.of("1", 100));
        assertThat(cluster.objects().routes).containsExactly("1");
        assertThat(finished("2", Outcome.ROLLED_BACK)).isEqualTo(1);
    }

    @Test
    void anInconclusiveTestRejectsTheVersionAndLeavesProductionAlone() throws Exception {
        release("1");

        DeployOutcome second = lifecycle()
                .run(
                        plan(
                                "2",
                                false,
                                Duration.ofHours(1),
                                RetireMode.REMOVE,
                                experiment(Duration.ofMillis(20), 1_000_000)),
                        approve("alice"));

        assertThat(second.verdict()).contains(Verdict.INCONCLUSIVE);
        assertThat(second.outcome()).contains(Outcome.REJECTED);
        assertThat(cluster.serving()).containsExactly("1");
        assertThat(state().production()).contains("1");
    }

    @Test
    void aRejectionOrAnApprovalTimeoutTakesTheVersionOut() throws Exception {
        release("1");
        DeployOutcome rejected = lifecycle()
                .run(
                        plan("2", false, Duration.ofHours(1)),
                        (request, timeout) -> new Approval(false, "bob", Instant.now(), "p99 too close"));
        assertThat(rejected.outcome()).contains(Outcome.REJECTED);
        assertThat(rejected.reason()).isEqualTo("rejected by bob: p99 too close");
        assertThat(cluster.serving()).containsExactly("1");

        DeployOutcome timedOut = lifecycle().run(plan("3", false, Duration.ofHours(1)), (request, timeout) -> {
            throw new TimeoutException();
        });
        assertThat(timedOut.outcome()).contains(Outcome.REJECTED);
        assertThat(timedOut.reason()).isEqualTo("no decision within 5s");
        assertThat(cluster.serving()).containsExactly("1");
        assertThat(state().history())
                .extracting(e -> e.version() + " " + e.outcome().orElseThrow())
                .containsExactly("1 PROMOTED", "2 REJECTED", "3 REJECTED");
    }

    @Test
    void aDriverThatSuspendsAtTheApprovalResumesFromTheStoredStateAndDecidesOnce() throws Exception {
        release("1");
        Lifecycle.Progress progress = lifecycle().start(plan("2", false, Duration.ofHours(1)));

        assertThat(progress).isInstanceOf(Lifecycle.AwaitingApproval.class);
        assertThat(state().phase()).isEqualTo(Phase.AWAITING_APPROVAL);
        assertThat(cluster.objects().weights)
                .as("production serves alone while a person decides")
                .containsExactlyEntriesOf(Map.of("1", 100));
        // after a restart: a new lifecycle finds the run waiting, with its stored verdict
        assertThat(lifecycle().awaiting("echo", "2"))
                .hasValueSatisfying(r -> assertThat(r.verdict()).isEqualTo(Verdict.PROMOTE));
        Approval approval = new Approval(true, "carol", Instant.now(), "");
        DeployOutcome decided = lifecycle().decide("echo", "2", approval);
        DeployOutcome again = lifecycle().decide("echo", "2", approval);

        assertThat(decided.outcome()).contains(Outcome.PROMOTED);
        assertThat(again.outcome()).contains(Outcome.PROMOTED);
        assertThat(finished("2", Outcome.PROMOTED)).isEqualTo(1);
        assertThat(lifecycle().expire("echo", "2", Duration.ofMinutes(1)).outcome())
                .contains(Outcome.PROMOTED);
    }

    @Test
    void theReplacedVersionIsScaledToZeroByWhicheverCommandRunsAfterItsWindowWhateverThePhase() throws Exception {
        release("1");
        lifecycle().run(plan("2", false, Duration.ofMinutes(10)), approve("alice"));
        assertThat(cluster.serving()).containsExactly("1", "2");
        // the next deployment is waiting for approval when the window ends
        lifecycle().start(plan("3", false, Duration.ofMinutes(10)));
        clock.now = clock.now.plus(Duration.ofMinutes(11));

        assertThat(lifecycle().releases().retireExpired("echo")).containsExactly("1");
        assertThat(cluster.objects().running).containsEntry("1", false);
        assertThat(state().phase()).isEqualTo(Phase.AWAITING_APPROVAL);
        assertThat(state().keepUntil()).doesNotContainKey("1");
        assertThat(cluster.releases().stages("echo")).containsEntry("1", Stage.RETIRED);
    }

    @Test
    void keepPreviousZeroScalesTheReplacedVersionDownAtOnce() throws Exception {
        release("1");
        lifecycle().run(plan("2", false, Duration.ZERO), approve("alice"));
        assertThat(cluster.objects().running).containsEntry("1", false).containsEntry("2", true);
    }

    @Test
    void rollbackBringsAnyKeptVersionBackScaledUpFirst() throws Exception {
        release("1");
        lifecycle().run(plan("2", false, Duration.ZERO), approve("alice"));
        lifecycle().run(plan("3", false, Duration.ZERO), approve("alice"));
        assertThat(cluster.serving()).containsExactly("3");

        ReleaseState back = lifecycle()
                .releases()
                .rollBack("echo", Optional.of("1"), "regression in 3", "dave", Duration.ofHours(1));

        assertThat(back.production()).contains("1");
        assertThat(cluster.objects().restores).containsExactly("1");
        assertThat(cluster.objects().weights).containsExactlyEntriesOf(Map.of("1", 100));
        assertThat(cluster.serving()).containsExactly("1", "3");
        assertThat(cluster.releases().stages("echo"))
                .containsEntry("1", Stage.PRODUCTION)
                .containsEntry("3", Stage.RETIRED)
                .containsEntry("2", Stage.RETIRED);
        assertThat(back.history()).last().satisfies(e -> {
            assertThat(e.action()).isEqualTo(ReleaseState.Action.ROLLBACK);
            assertThat(e.production()).contains("1");
            assertThat(e.by()).isEqualTo("dave");
        });
        // without --to: back to the production before the current one
        assertThat(lifecycle()
                        .releases()
                        .rollBack("echo", Optional.empty(), "undo", "dave", Duration.ZERO)
                        .production())
                .contains("3");
    }

    @Test
    void rollbackToAVersionThatIsNotKeptSaysWhichAreAndChangesNothing() throws Exception {
        release("1");
        cluster.behaviours.put("2", new FakeCluster.Behaviour(0.2, 0, 200, 0, false));
        lifecycle().run(plan("2", false, Duration.ofHours(1)), approve("alice")); // rolled back: removed
        ReleaseState before = state();

        assertThatThrownBy(() -> lifecycle().releases().rollBack("echo", Optional.of("2"), "x", "dave", Duration.ZERO))
                .hasMessage("cannot roll model echo back to version 2: it is not kept on fake cluster"
                        + " (versions that can be restored: 1)");
        assertThatThrownBy(() -> lifecycle().releases().rollBack("echo", Optional.of("9"), "x", "dave", Duration.ZERO))
                .hasMessageContaining("to version 9: it is not kept");
        assertThatThrownBy(() -> lifecycle().releases().rollBack("other", Optional.empty(), "x", "dave", Duration.ZERO))
                .hasMessage("model other has no release on fake cluster: nothing to roll back");
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void rollbackWhileADeploymentWaitsEndsThatDeployment() throws Exception {
        release("1");
        lifecycle().start(plan("2", false, Duration.ofHours(1)));

        ReleaseState end =
                lifecycle().releases().rollBack("echo", Optional.empty(), "not today", "erin", Duration.ZERO);

        assertThat(end.phase()).isEqualTo(Phase.STABLE);
        assertThat(end.production()).contains("1");
        assertThat(cluster.serving()).containsExactly("1");
        assertThat(end.history()).last().satisfies(e -> assertThat(e.outcome()).contains(Outcome.ROLLED_BACK));
    }

    @Test
    void aSecondDeploymentWhileOneIsInProgressIsRefusedAndChangesNothing() throws Exception {
        release("1");
        lifecycle().start(plan("2", false, Duration.ofHours(1)));
        ReleaseState before = state();

        assertThatThrownBy(() -> lifecycle().start(plan("3", false, Duration.ofHours(1))))
                .hasMessageStartingWith(
                        "cannot deploy version 3 of model echo: version 2 is in phase" + " AWAITING_APPROVAL")
                .hasMessageEndingWith("end it with `model-deploy rollback echo`");
        assertThat(state()).isEqualTo(before);
        assertThat(cluster.objects().running).doesNotContainKey("3");
    }

    @Test
    void deployingTheProductionVersionAgainIsANoOpAndAnotherImageUnderItsNameIsRefused() throws Exception {
        release("1");
        int eventsBefore = events.size();
        DeployOutcome again = release("1");
        assertThat(again.outcome()).contains(Outcome.PROMOTED);
        assertThat(again.reason()).isEqualTo("version 1 already serves production");
        assertThat(events).hasSize(eventsBefore);

        DeployPlan other = plan("1", false, Duration.ZERO);
        DeployPlan otherImage = new DeployPlan(
                other.version(),
                Optional.empty(),
                Optional.of("registry.test/echo" + "@sha256:" + "f".repeat(64)),
                Map.of(),
                Duration.ofMinutes(1),
                Optional.empty(),
                other.experiment(),
                Duration.ofSeconds(1),
                Duration.ZERO,
                RetireMode.REMOVE,
                "test");
        assertThatThrownBy(() -> lifecycle().run(otherImage, approve("alice")))
                .hasMessageContaining("already serves production with image sha256:" + "1".repeat(64))
                .hasMessageContaining("deploy it under a new version");
    }

    @Test
    void theSingleRolloutStepRefusesAnotherImageUnderTheProductionVersionBeforeRollingOut() throws Exception {
        release("1");
        ReleaseState before = state();
        Map<String, String> objects = Map.copyOf(cluster.objects().annotations.get("1"));
        DeployPlan other = plan("1", false, Duration.ZERO);
        DeployPlan otherImage = new DeployPlan(
                other.version(),
                Optional.empty(),
                Optional.of("registry.test/echo" + "@sha256:" + "f".repeat(64)),
                Map.of(),
                Duration.ofMinutes(1),
                Optional.empty(),
                other.experiment(),
                Duration.ofSeconds(1),
                Duration.ZERO,
                RetireMode.REMOVE,
                "test");

        // Jenkins' finer steps call rollout() alone: the check must not live only in start().
        assertThatThrownBy(() -> lifecycle().rollout(otherImage))
                .hasMessage("version 1 of model echo already serves production with image sha256:" + "1".repeat(64)
                        + "; this image is sha256:" + "f".repeat(64) + ": deploy it under a new version");

        assertThat(cluster.objects().annotations.get("1"))
                .as("nothing rolled out")
                .isEqualTo(objects);
        assertThat(cluster.objects().running).containsEntry("1", true);
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void undeployRemovesOneVersionRefusesProductionWithoutForceAndRemovesTheWholeModel() throws Exception {
        release("1");
        lifecycle().run(plan("2", false, Duration.ofHours(1)), approve("alice"));
        ReleaseActions releases = lifecycle().releases();

        assertThatThrownBy(() -> releases.undeploy("echo", Optional.of("2"), false, "frank"))
                .hasMessageStartingWith("version 2 serves production of model echo; undeploy the whole model");
        assertThatThrownBy(() -> releases.undeploy("echo", Optional.of("7"), false, "frank"))
                .hasMessage("version 7 of model echo is not deployed on fake cluster (deployed: 1, 2)");
        releases.undeploy("echo", Optional.of("1"), false, "frank");
        assertThat(cluster.serving()).containsExactly("2");
        assertThat(cluster.objects().routes).containsExactly("2");
        assertThat(state().history())
                .last()
                .satisfies(e -> assertThat(e.action()).isEqualTo(ReleaseState.Action.UNDEPLOY));

        releases.undeploy("echo", Optional.empty(), false, "frank");
        assertThat(cluster.objects().running).isEmpty();
        assertThat(cluster.objects().routes).isEmpty();
        assertThat(cluster.releases().load("echo")).isEmpty();
        assertThatThrownBy(() -> releases.undeploy("echo", Optional.empty(), false, "frank"))
                .hasMessage("model echo is not deployed on fake cluster: nothing to undeploy");
    }

    /** Every driver runs this lifecycle: a second version with no metrics source is refused before its rollout. */
    @Test
    void aSecondVersionWithoutAMetricsSourceIsRefusedBeforeAnythingIsRolledOut() throws Exception {
        release("1");
        cluster.noMetricsSource = true;
        events.clear();

        assertThatThrownBy(() -> lifecycle().run(plan("2", true, Duration.ofHours(1)), approve("alice")))
                .isInstanceOf(TargetException.class)
                .hasMessage("cannot A/B test version 2 of model echo against production 1 on fake cluster (checked"
                        + " before rolling anything out): A/B tests on fake cluster read Traefik's metrics from"
                        + " Prometheus: configure a Prometheus URL for the cluster");

        assertThat(cluster.objects().running).containsOnlyKeys("1");
        assertThat(cluster.objects().routes).doesNotContain("2");
        assertThat(state().phase()).isEqualTo(ReleaseState.Phase.STABLE);
        assertThat(state().production()).contains("1");
        assertThat(events)
                .noneMatch(e -> e.version().equals("2")
                        && (e.details() instanceof EventDetails.RolloutProgress
                                || e.details() instanceof EventDetails.SmokeStarted));
    }

    @Test
    void aMetricsSourceThatFailsItsPreflightIsReportedBeforeAnythingIsRolledOut() throws Exception {
        release("1");
        cluster.metricsPreflightFails = "Prometheus at http://127.0.0.1:9/ is unreachable (Connection refused)";

        assertThatThrownBy(() -> lifecycle().run(plan("2", true, Duration.ofHours(1)), approve("alice")))
                .isInstanceOf(TargetException.class)
                .hasMessageStartingWith("cannot A/B test version 2 of model echo against production 1")
                .hasMessageEndingWith(": Prometheus at http://127.0.0.1:9/ is unreachable (Connection refused)");
        assertThat(cluster.objects().running).containsOnlyKeys("1");
        assertThat(state().production()).contains("1");
    }

    @Test
    void anAbTestThatCannotReadItsMetricsEndsAsFailedWithTheVersionTakenOut() throws Exception {
        release("1");
        cluster.metricsDown = "Prometheus at http://prometheus:9090 is unreachable";

        DeployOutcome second = lifecycle().run(plan("2", false, Duration.ofHours(1)), approve("alice"));

        assertThat(second.outcome()).contains(Outcome.FAILED);
        assertThat(second.reason()).contains("Prometheus at http://prometheus:9090 is unreachable");
        assertThat(cluster.serving()).containsExactly("1");
        assertThat(cluster.objects().weights).containsExactlyEntriesOf(Map.of("1", 100));
    }

    @Test
    void aDriverStoppedDuringTheAbTestEndsItsRunAndPassesTheInterruptionOn() throws Exception {
        release("1");
        java.util.concurrent.atomic.AtomicReference<Throwable> thrown =
                new java.util.concurrent.atomic.AtomicReference<>();
        Thread driver = new Thread(() -> {
            try {
                lifecycle()
                        .run(
                                plan(
                                        "2",
                                        false,
                                        Duration.ofHours(1),
                                        RetireMode.REMOVE,
                                        experiment(Duration.ofHours(1), Long.MAX_VALUE / 4)),
                                approve("alice"));
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        driver.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (cluster.objects().weights.getOrDefault("2", 0) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(cluster.objects().weights).as("the A/B split is on").containsEntry("2", 50);
        driver.interrupt();
        driver.join(20_000);

        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
        assertThat(state().phase()).isEqualTo(Phase.STABLE);
        assertThat(cluster.serving()).containsExactly("1");
        assertThat(cluster.objects().weights).containsExactlyEntriesOf(Map.of("1", 100));
        assertThat(state().history()).last().satisfies(e -> {
            assertThat(e.outcome()).contains(Outcome.ROLLED_BACK);
            assertThat(e.reason()).isEqualTo("A/B test interrupted: the run was stopped");
        });
    }

    @Test
    void anApprovalNobodyGaveInTimeIsTakenOutByTheNextCommandWhicheverDriverWaited() throws Exception {
        release("1");
        lifecycle().start(plan("2", false, Duration.ofHours(1))); // the plan gives a person 5 s
        assertThat(state().run().orElseThrow().decideBy())
                .contains(clock.instant().plusSeconds(5));
        clock.now = clock.now.plusSeconds(6);

        // whoever comes next — here a deployment of 3 — first ends the overdue run, then goes on
        Lifecycle.Progress third = lifecycle().start(plan("3", false, Duration.ofHours(1)));

        assertThat(third).isInstanceOf(Lifecycle.AwaitingApproval.class);
        assertThat(cluster.objects().running).doesNotContainKey("2");
        assertThat(state().history())
                .filteredOn(e -> e.version().equals("2"))
                .singleElement()
                .satisfies(e -> {
                    assertThat(e.outcome()).contains(Outcome.REJECTED);
                    assertThat(e.reason()).startsWith("no decision by ");
                });
        // and a decision that comes too late is not carried out
        clock.now = clock.now.plusSeconds(6);
        DeployOutcome late = lifecycle().decide("echo", "3", new Approval(true, "alice", Instant.now(), ""));
        assertThat(late.outcome()).contains(Outcome.REJECTED);
        assertThat(state().production()).contains("1");
    }

    @Test
    void theTableIsWhatTheDocsShow() throws Exception {
        String docs = java.nio.file.Files.readString(Path.of("docs/lifecycle.md"));
        assertThat(docs).contains(VerdictTable.markdown());
        assertThat(VerdictTable.rules()).hasSize(VerdictTable.Result.values().length);
    }
}
