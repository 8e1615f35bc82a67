package io.jenkins.plugins.modeldeploy.jenkins.steps;

import static io.jenkins.plugins.modeldeploy.jenkins.steps.StepFixture.MODEL;
import static org.assertj.core.api.Assertions.assertThat;

import hudson.AbortException;
import io.jenkins.plugins.modeldeploy.event.EventDetails;
import io.jenkins.plugins.modeldeploy.jenkins.engine.ImageOptions;
import io.jenkins.plugins.modeldeploy.jenkins.engine.TargetOptions;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionAction;
import io.jenkins.plugins.modeldeploy.target.Outcome;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import io.jenkins.plugins.modeldeploy.target.Stage;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The finer steps on the real engine and lifecycle (see {@link DeployModelIT}): each is one step of the lifecycle,
 * which acts on its result by itself, so the Jenkinsfile only reads {@code outcome}. buildModelImage → rolloutModel →
 * smokeTestModel → abTestModel → promoteModel (waiting for approval), then rollbackModel and undeployModel.
 */
class FinerStepsIT extends StepITBase {
    private static final TargetOptions PROD = new TargetOptions("prod", null, null, null, null);

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object result) {
        return (Map<String, Object>) result;
    }

    private static Map<String, Object> run(BackgroundExecution execution, FakeContext context) throws Exception {
        execution.start();
        return map(context.result());
    }

    private static Throwable failure(BackgroundExecution execution, FakeContext context) throws Exception {
        execution.start();
        return context.failure();
    }

    /** buildModelImage and rolloutModel of {@code modelDir} as {@code version}; rolloutModel's result. */
    private Map<String, Object> rolledOut(FakeServices build, String modelDir, String version, String keepPrevious)
            throws Exception {
        FakeContext built = new FakeContext();
        Map<String, Object> image = run(
                new BuildModelImageStep.Execution(
                        built, modelDir, version, new ImageOptions(null, null, null, false), PROD, false, build),
                built);
        assertThat((String) image.get("image")).startsWith(registry.host() + "/models/echo@sha256:");
        assertThat(registry.digest("models/echo", version)).isEqualTo(image.get("imageDigest"));
        RolloutModelStep step = new RolloutModelStep(modelDir, (String) image.get("image"));
        step.setVersion(version);
        step.setCluster("prod");
        step.setKeepPrevious(keepPrevious);
        FakeContext rolled = new FakeContext();
        Map<String, Object> rollout =
                run(new RolloutModelStep.Execution(rolled, step, step.targetOptions(), build), rolled);
        assertThat(rollout)
                .containsEntry("model", MODEL)
                .containsEntry("version", version)
                .containsEntry("readyReplicas", 1)
                .containsEntry(
                        "endpoint",
                        world.cluster.gateway.versionEndpoint(MODEL, version).toString());
        assertThat(world.cluster.state(MODEL).phase()).isEqualTo(ReleaseState.Phase.DEPLOYING);
        assertThat(world.cluster.gateway.routedVersions(MODEL)).contains(version); // its own route only
        return rollout;
    }

    private SmokeTestModelStep smokeTest(String modelDir, Map<String, Object> rollout) {
        SmokeTestModelStep step = new SmokeTestModelStep(
                MODEL, (String) rollout.get("version"), (String) rollout.get("endpoint"), modelDir);
        step.setCluster("prod");
        step.setSmoke(StepFixture.smoke());
        return step;
    }

    private AbTestModelStep abTest(String modelDir, String version) {
        AbTestModelStep step = new AbTestModelStep(MODEL, version);
        step.setModelDir(modelDir);
        step.setCluster("prod");
        step.setAbTest(StepFixture.abTest());
        return step;
    }

    private static PromoteModelStep promote(String version, String timeout) {
        PromoteModelStep step = new PromoteModelStep(MODEL, version);
        step.setCluster("prod");
        step.setApproval(StepFixture.approval(timeout));
        return step;
    }

    @Test
    void aFirstVersionIsPromotedByItsPassedSmokeTest() throws Exception {
        FakeServices build = world.build(1);
        Map<String, Object> rollout = rolledOut(build, EchoModels.FAST, "1", null);
        SmokeTestModelStep step = smokeTest(EchoModels.FAST, rollout);
        FakeContext context = new FakeContext();

        Map<String, Object> smoke =
                run(new SmokeTestModelStep.Execution(context, step, step.targetOptions(), build), context);

        assertThat(smoke)
                .containsEntry("passed", true)
                .containsEntry("outcome", "PROMOTED")
                .containsEntry("production", "1");
        world.assertEnded(build, "1", Outcome.PROMOTED, Stage.PRODUCTION, "1");
    }

    @Test
    void aFailedSmokeTestTakesTheVersionOutWhetherOrNotTheStepFails() throws Exception {
        world.production(EchoModels.FAST, "1");
        FakeServices build = world.build(2);
        Map<String, Object> rollout = rolledOut(build, EchoModels.SLOW, "2", null);
        SmokeTestModelStep step = smokeTest(EchoModels.SLOW, rollout);
        step.getSmoke().setP99Ms(null);
        step.setFailOnViolation(false);
        FakeContext context = new FakeContext();

        Map<String, Object> smoke =
                run(new SmokeTestModelStep.Execution(context, step, step.targetOptions(), build), context);

        assertThat(smoke)
                .containsEntry("passed", false)
                .containsEntry("outcome", "FAILED")
                .containsEntry("production", "1");
        assertThat(smoke.get("reasons"))
                .asList()
                .anySatisfy(r -> assertThat((String) r).startsWith("p99 latency"));
        world.assertEnded(build, "2", Outcome.FAILED, Stage.FAILED, "1");

        Map<String, Object> third = rolledOut(build, EchoModels.SLOW, "3", null); // failOnViolation by default
        SmokeTestModelStep failing = smokeTest(EchoModels.SLOW, third);
        failing.getSmoke().setP99Ms(null);
        FakeContext failed = new FakeContext();
        assertThat(failure(new SmokeTestModelStep.Execution(failed, failing, failing.targetOptions(), build), failed))
                .isInstanceOf(AbortException.class)
                .hasMessageStartingWith("echo version 3 ended FAILED: smoke test failed: p99 latency")
                .hasMessageEndingWith("production is 1");
        world.assertEnded(build, "3", Outcome.FAILED, Stage.FAILED, "1");
    }

    @Test
    void abTestModelTakesALosingChallengerOutAndLeavesNothingToPromote() throws Exception {
        world.production(EchoModels.FAST, "1");
        FakeServices build = world.build(2);
        Map<String, Object> rollout = rolledOut(build, EchoModels.SLOW, "2", null);
        SmokeTestModelStep smokeStep = smokeTest(EchoModels.SLOW, rollout);
        smokeStep.getSmoke().setRate(10.0);
        FakeContext smoked = new FakeContext();
        assertThat(run(new SmokeTestModelStep.Execution(smoked, smokeStep, smokeStep.targetOptions(), build), smoked))
                .containsEntry("passed", true)
                .containsEntry("outcome", null);

        AbTestModelStep step = abTest(EchoModels.SLOW, "2");
        FakeContext context = new FakeContext();
        Map<String, Object> ab =
                run(new AbTestModelStep.Execution(context, step, step.targetOptions(), build), context);

        assertThat(ab)
                .containsEntry("verdict", "ROLLBACK")
                .containsEntry("outcome", "ROLLED_BACK")
                .containsEntry("champion", "1")
                .containsEntry("challenger", "2")
                .containsEntry("production", "1");
        assertThat((long) ab.get("challengerRequests")).isGreaterThanOrEqualTo(20);
        world.assertEnded(build, "2", Outcome.ROLLED_BACK, Stage.ROLLED_BACK, "1");

        FakeContext promoted = new FakeContext();
        assertThat(failure(new PromoteModelStep.Execution(promoted, promote("2", "1h"), build), promoted))
                .isInstanceOf(AbortException.class)
                .hasMessage("echo version 2 is not waiting for approval: promoteModel decides on a version whose A/B"
                        + " test (abTestModel) found it fit");
    }

    @Test
    void promoteModelWaitsForApprovalThenRollbackAndUndeployFollowTheKeepWindow() throws Exception {
        world.production(EchoModels.SLOW, "1");
        FakeServices build = world.build(2);
        Map<String, Object> rollout = rolledOut(build, EchoModels.FAST, "2", "0s"); // no keep window for 1
        SmokeTestModelStep smokeStep = smokeTest(EchoModels.FAST, rollout);
        FakeContext smoked = new FakeContext();
        run(new SmokeTestModelStep.Execution(smoked, smokeStep, smokeStep.targetOptions(), build), smoked);
        AbTestModelStep abStep = abTest(EchoModels.FAST, "2");
        FakeContext tested = new FakeContext();
        assertThat(run(new AbTestModelStep.Execution(tested, abStep, abStep.targetOptions(), build), tested))
                .containsEntry("verdict", "PROMOTE")
                .containsEntry("outcome", null)
                .containsEntry("production", "1");
        assertThat(world.cluster.state(MODEL).phase()).isEqualTo(ReleaseState.Phase.AWAITING_APPROVAL);

        FakeContext context = new FakeContext();
        PromoteModelStep.Execution promoting = new PromoteModelStep.Execution(context, promote("2", "1h"), build);
        promoting.start();
        StepFixture.awaitWaiting(promoting, context, build);
        PromotionAction page = build.attached;
        assertThat(page.getEvidence().getChampion()).isEqualTo("1");
        // the A/B test ran in another step: the page shows the verdict and its figures as the lifecycle stored them
        assertThat(page.getEvidence().isExperimentRan()).isFalse();
        assertThat(page.getEvidence().getVerdict()).isEqualTo("PROMOTE");
        assertThat(page.getEvidence().getVerdictReasons())
                .anySatisfy(r -> assertThat(r).contains("SLO violations"));
        page.decide(StepFixture.ALICE, true, "", Instant.now());

        assertThat(map(context.result()))
                .containsEntry("promotedVersion", "2")
                .containsEntry("previous", "1")
                .containsEntry("approvedBy", "alice")
                .containsEntry("outcome", "PROMOTED")
                .containsEntry("production", "2");
        world.assertEnded(build, "2", Outcome.PROMOTED, Stage.PRODUCTION, "2");
        // keepPrevious 0s: the replaced version is scaled to zero at once, still restorable
        assertThat(world.cluster.runs(MODEL, "1")).isFalse();
        assertThat(world.cluster.target.releases().stages(MODEL)).containsEntry("1", Stage.RETIRED);

        FakeServices later = world.build(3);
        RollbackModelStep rollback = new RollbackModelStep(MODEL);
        rollback.setToVersion("1");
        rollback.setReason("wrong answers");
        FakeContext rolledBack = new FakeContext();
        assertThat(run(
                        new RollbackModelStep.Execution(
                                rolledBack, MODEL, rollback.getReason(), rollback.getToVersion(), PROD, later),
                        rolledBack))
                .containsEntry("production", "1")
                .containsEntry("phase", "STABLE");
        ReleaseState state = world.cluster.state(MODEL);
        assertThat(state.production()).contains("1");
        assertThat(world.cluster.gateway.currentWeights(MODEL)).isEqualTo(Map.of("1", 100));
        assertThat(world.cluster.runs(MODEL, "1")).isTrue(); // brought back
        assertThat(state.history().get(state.history().size() - 1).action()).isEqualTo(ReleaseState.Action.ROLLBACK);
        assertThat(later.events).anySatisfy(e -> assertThat(e.details()).isInstanceOf(EventDetails.RolledBack.class));

        FakeContext undeployed = new FakeContext();
        assertThat(run(new UndeployModelStep.Execution(undeployed, MODEL, "2", false, PROD, later), undeployed))
                .containsEntry("version", "2")
                .containsEntry("production", "1");
        assertThat(world.cluster.runs(MODEL, "2")).isFalse();
        assertThat(world.cluster.state(MODEL).history()).last().satisfies(e -> {
            assertThat(e.action()).isEqualTo(ReleaseState.Action.UNDEPLOY);
            assertThat(e.version()).isEqualTo("2");
        });

        FakeContext refused = new FakeContext();
        assertThat(failure(new UndeployModelStep.Execution(refused, MODEL, "1", false, PROD, later), refused))
                .hasMessageStartingWith("version 1 serves production of model echo");
        FakeContext all = new FakeContext();
        assertThat(run(new UndeployModelStep.Execution(all, MODEL, null, false, PROD, later), all))
                .containsEntry("version", null)
                .containsEntry("production", null);
        assertThat(world.cluster.target.releases().load(MODEL)).isEmpty();
        assertThat(world.cluster.runs(MODEL, "1")).isFalse();
        assertThat(world.cluster.gateway.routedVersions(MODEL)).isEmpty();
        assertThat(later.logText()).contains("Undeployed echo version 2; production is 1", "Undeployed echo: every");
    }

    @Test
    void promoteModelRejectedOrTimedOutTakesTheChallengerOut() throws Exception {
        world.production(EchoModels.SLOW, "1");
        FakeServices build = world.build(2);
        for (String version : new String[] {"2", "3"}) {
            Map<String, Object> rollout = rolledOut(build, EchoModels.FAST, version, null);
            SmokeTestModelStep smokeStep = smokeTest(EchoModels.FAST, rollout);
            FakeContext smoked = new FakeContext();
            run(new SmokeTestModelStep.Execution(smoked, smokeStep, smokeStep.targetOptions(), build), smoked);
            AbTestModelStep abStep = abTest(EchoModels.FAST, version);
            FakeContext tested = new FakeContext();
            assertThat(run(new AbTestModelStep.Execution(tested, abStep, abStep.targetOptions(), build), tested))
                    .containsEntry("verdict", "PROMOTE");
            FakeContext context = new FakeContext();
            if (version.equals("2")) {
                PromoteModelStep.Execution promoting =
                        new PromoteModelStep.Execution(context, promote("2", "1h"), build);
                promoting.start();
                StepFixture.awaitWaiting(promoting, context, build);
                build.attached.decide(StepFixture.BOB, false, "", Instant.now());
                assertThat(context.failure())
                        .hasMessage("echo version 2 ended REJECTED: rejected by bob;" + " production is 1");
            } else {
                assertThat(failure(new PromoteModelStep.Execution(context, promote("3", "1s"), build), context))
                        .hasMessageStartingWith("No decision on promoting echo version 3 by");
                assertThat(build.attached.getStatus()).isEqualTo(PromotionAction.Status.TIMED_OUT);
            }
            world.assertEnded(build, version, Outcome.REJECTED, Stage.REJECTED, "1");
        }
    }

    @Test
    void rollbackModelDuringADeploymentEndsItAndKeepsProduction() throws Exception {
        world.production(EchoModels.FAST, "1");
        FakeServices build = world.build(2);
        rolledOut(build, EchoModels.FAST, "2", null);
        RollbackModelStep step = new RollbackModelStep(MODEL);
        FakeContext context = new FakeContext();

        assertThat(run(new RollbackModelStep.Execution(context, MODEL, step.getReason(), null, PROD, build), context))
                .containsEntry("production", "1")
                .containsEntry("phase", "STABLE");

        world.assertEnded(build, "2", Outcome.ROLLED_BACK, Stage.ROLLED_BACK, "1");
        assertThat(StepFixture.lastFinished(build, "2").details().reason()).isEqualTo("rolled back: rollbackModel");
    }
}
