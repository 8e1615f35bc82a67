package io.jenkins.plugins.modeldeploy.jenkins.steps;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.event.EventDetails;
import io.jenkins.plugins.modeldeploy.jenkins.config.ModelDeployConfiguration;
import io.jenkins.plugins.modeldeploy.jenkins.config.RegistryConfig;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.ApprovalRegistry;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.Approver;
import io.jenkins.plugins.modeldeploy.target.Outcome;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import io.jenkins.plugins.modeldeploy.target.Stage;
import io.jenkins.plugins.modeldeploy.testing.LocalRegistry;
import io.jenkins.plugins.modeldeploy.testing.StableRouteProbe;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * What the step tests share: the workspace with the echo models, the cluster (a {@link LocalCluster} per test), the
 * registry the images are pushed to (one per test class), the configuration pointing at both, the options that make
 * a smoke test last a second and an A/B test a few, and the assertions on the end state of a release.
 */
final class StepFixture implements AutoCloseable {
    static final String MODEL = EchoModels.MODEL;
    static final Approver ALICE = new Approver("alice", List.of(), true);
    static final Approver BOB = new Approver("bob", List.of("ml-leads"), true);

    final Path workspace;
    final LocalCluster cluster;
    final ModelDeployConfiguration config;

    StepFixture(Path workspace, LocalRegistry registry) throws Exception {
        this.workspace = workspace;
        EchoModels.writeTo(workspace);
        cluster = new LocalCluster(workspace.resolve("cluster-state"));
        config = FakeServices.prodCluster();
        RegistryConfig push = new RegistryConfig(registry.host() + "/models");
        push.setInsecure(true);
        config.setRegistries(List.of(push));
        config.setBasePythonImage(
                "scratch"); // the image is built and pushed for real; the local cluster runs the files
    }

    /** The services of build {@code number}. */
    FakeServices build(int number) {
        return new FakeServices(workspace, cluster, config, Integer.toString(number));
    }

    /** Version {@code version} of the fast echo model serves production, as after an earlier deployment. */
    void production(String modelDir, String version) throws Exception {
        cluster.production(workspace.resolve(modelDir), version);
        assertThat(cluster.state(MODEL).production()).contains(version);
        // from now on a client calls the stable route, as production's clients do, for the whole of the test
        probe = new StableRouteProbe(
                io.jenkins.plugins.modeldeploy.route.Endpoints.under(cluster.gateway.stableEndpoint(MODEL), "predict"),
                "{\"instances\": [[1, 2]]}",
                20);
    }

    /** The stable route's client, while production serves (null before). */
    private StableRouteProbe probe;

    /** {@code deployModel} of {@code modelDir} as {@code version} on cluster prod, with short tests. */
    static DeployModelStep deployModel(String modelDir, String version) {
        DeployModelStep step = new DeployModelStep(modelDir);
        step.setVersion(version);
        step.setCluster("prod");
        step.setSmoke(smoke());
        step.setAbTest(abTest());
        // the echo models' images are built on scratch (no interpreter): the local cluster runs the files, and
        // verifying the image is DeployModelIT's own case and ImageVerifierIT's
        step.setVerify(false);
        return step;
    }

    /**
     * A second of load at the SLO rate, judged with a p99 limit of a second: on a busy machine one slow answer in
     * 40 would fail the fast model's SLO of 40 ms (the smoke failure case clears the limit to judge by the SLO).
     */
    static SmokeOptions smoke() {
        SmokeOptions smoke = new SmokeOptions();
        smoke.setRate(40.0);
        smoke.setP99Ms(1000.0);
        smoke.setDuration("1s");
        smoke.setWarmup("0s");
        return smoke;
    }

    /**
     * Half the traffic to the challenger, 80 req/s of synthetic traffic, decided after 1 s and 20 samples each, with
     * margins of 10 points: these tests are about what the drivers do with a verdict, so the gate must reach one
     * within the 15 s maximum (about 600 requests a variant; a margin of one point needs over 1,000).
     */
    static AbTestOptions abTest() {
        AbTestOptions ab = new AbTestOptions();
        ab.setChallengerWeight(50);
        ab.setMinDuration("1s");
        ab.setMaxDuration("15s");
        ab.setMinSamples(20);
        ab.setSyntheticRate(80.0);
        ab.setErrorRateMargin(0.1);
        ab.setSloViolationMargin(0.1);
        return ab;
    }

    static ApprovalOptions approval(String timeout) {
        ApprovalOptions approval = new ApprovalOptions();
        approval.setApprovers("alice,ml-leads");
        approval.setTimeout(timeout);
        return approval;
    }

    // --- the end state --------------------------------------------------------------------------------------------

    /**
     * What every case checks when its run has ended: {@code production} serves all of the stable route and runs;
     * the run's {@code version} has {@code stage} and runs only when it is production (a version taken out is gone:
     * no process, no route, no backend in the gateway); the release is STABLE with the run as its last history entry, ending as {@code outcome}; and the run's
     * last events are the removal (when taken out) and DeployFinished.
     */
    void assertEnded(FakeServices build, String version, Outcome outcome, Stage stage, String production)
            throws Exception {
        ReleaseState state = cluster.state(MODEL);
        assertThat(state.phase()).isEqualTo(ReleaseState.Phase.STABLE);
        assertThat(state.production()).contains(production);
        assertThat(cluster.gateway.currentWeights(MODEL)).isEqualTo(Map.of(production, 100));
        assertThat(cluster.runs(MODEL, production))
                .as("production " + production + " runs")
                .isTrue();
        Map<String, Stage> stages = cluster.target.releases().stages(MODEL);
        assertThat(stages).containsEntry(production, Stage.PRODUCTION);
        ReleaseState.HistoryEntry last = state.history().get(state.history().size() - 1);
        assertThat(last.version()).isEqualTo(version);
        assertThat(last.action()).isEqualTo(ReleaseState.Action.DEPLOY);
        assertThat(last.outcome()).contains(outcome);
        assertThat(last.production()).contains(production);
        DeployFinishedSeen finished = lastFinished(build, version);
        assertThat(finished.details().outcome()).isEqualTo(outcome.name());
        assertThat(finished.details().production()).isEqualTo(production);
        if (outcome == Outcome.PROMOTED) {
            assertThat(stages).containsEntry(version, Stage.PRODUCTION);
            assertThat(cluster.runs(MODEL, version)).isTrue();
            return;
        }
        // taken out: gone from the cluster, its route and the state (the bug this branch fixes left it running)
        assertThat(cluster.runs(MODEL, version))
                .as("the taken-out version " + version + " runs")
                .isFalse();
        assertThat(cluster.gateway.routedVersions(MODEL)).doesNotContain(version);
        assertThat(cluster.gateway.isReady(new io.jenkins.plugins.modeldeploy.target.VersionRef(MODEL, version)))
                .isFalse();
        assertThat(stages).doesNotContainKey(version); // its stage went with its objects, as on Kubernetes
        assertThat(state.challenger()).isEmpty();
        assertThat(build.events).anySatisfy(e -> {
            assertThat(e.version()).isEqualTo(version);
            assertThat(e.details()).isInstanceOfSatisfying(EventDetails.VersionRemoved.class, removed -> {
                assertThat(removed.stage()).isEqualTo(stage.value());
                assertThat(removed.mode()).isEqualTo("REMOVE");
            });
        });
    }

    record DeployFinishedSeen(DeploymentEvent event, EventDetails.DeployFinished details) {}

    static DeployFinishedSeen lastFinished(FakeServices build, String version) {
        List<DeploymentEvent> events = build.events;
        for (int i = events.size() - 1; i >= 0; i--) {
            if (events.get(i).version().equals(version)
                    && events.get(i).details() instanceof EventDetails.DeployFinished finished) {
                return new DeployFinishedSeen(events.get(i), finished);
            }
        }
        throw new AssertionError("no DeployFinished event of version " + version + " in "
                + events.stream().map(DeploymentEvent::type).toList());
    }

    /** Waits until the execution waits for approval (registered, page attached); returns its key. */
    static String awaitWaiting(ApprovingExecution execution, FakeContext context, FakeServices build) throws Exception {
        // waiting: registered, and the first half is over (page attached, event out, recorded decision re-read)
        await(
                () -> execution.approvalKey() != null
                                && ApprovalRegistry.isWaiting(execution.approvalKey())
                                && !execution.working()
                        || context.outcome.isDone(),
                60,
                "the execution to wait for approval");
        if (context.outcome.isDone()) {
            throw new AssertionError(
                    "the step ended instead of waiting for approval; its log:\n" + build.logText(), context.failure());
        }
        return execution.approvalKey();
    }

    static void await(BooleanSupplier condition, int seconds, String what) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    static Optional<DeploymentEvent> firstOf(FakeServices build, Class<? extends EventDetails> type) {
        return build.events.stream().filter(e -> type.isInstance(e.details())).findFirst();
    }

    @Override
    public void close() {
        try {
            if (probe != null) {
                probe.close();
                assertThat(probe.sent())
                        .as("requests the stable route's client sent")
                        .isPositive();
                assertThat(probe.failures())
                        .as(
                                "transport errors and 502/503/504 on the stable route, of %s" + " requests: %s",
                                probe.sent(), probe.outcomes())
                        .isZero();
            }
            // every engine and cluster connection was made inside a call through the workspace's channel
            assertThat(cluster.engineOffAgent)
                    .as("the engine ran outside FilePath.act (on the controller)")
                    .isFalse();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            cluster.close();
        }
    }
}
