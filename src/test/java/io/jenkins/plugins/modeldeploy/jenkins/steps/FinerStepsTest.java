package io.jenkins.plugins.modeldeploy.jenkins.steps;

import static org.assertj.core.api.Assertions.assertThat;

import hudson.AbortException;
import io.jenkins.plugins.modeldeploy.abtest.Verdict;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.AfterDecision;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.Approver;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionAction;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The finer steps and the freestyle flow through the same doubles as deployModel. */
class FinerStepsTest {
    @TempDir
    Path workspace;

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object result) {
        return (Map<String, Object>) result;
    }

    @Test
    void buildModelImageReturnsThePinnedImage() throws Exception {
        FakeEngine engine = new FakeEngine();
        FakeContext context = new FakeContext();
        BuildModelImageStep step = new BuildModelImageStep("models/iris");
        step.setVersion("3");
        step.setImageRepository("registry.example.com/team/iris");
        new BuildModelImageStep.Execution(context, "models/iris", "3", new io.jenkins.plugins.modeldeploy.jenkins
                .engine.ImageOptions(step.getImageRepository(), null, null, false), new io.jenkins.plugins
                .modeldeploy.jenkins.engine.TargetOptions(null, null, null, null, null),
                new FakeServices(workspace, engine)).start();

        assertThat(map(context.result())).containsEntry("image", "registry.example.com/team/iris@sha256:"
                + "ab".repeat(32)).containsEntry("version", "3").containsEntry("layersPushed", 3);
        assertThat(engine.imagePlan.target()).isInstanceOfSatisfying(
                io.jenkins.plugins.modeldeploy.image.ImageTarget.Registry.class,
                r -> assertThat(r.credentials()).isEmpty()); // not the configured registry: anonymous
    }

    @Test
    void abTestModelComparesWithProductionAndLeavesTheDecisionToTheJenkinsfile() throws Exception {
        FakeEngine engine = new FakeEngine();
        engine.verdict = Verdict.ROLLBACK;
        FakeContext context = new FakeContext();
        AbTestModelStep step = new AbTestModelStep("iris", "8");
        new AbTestModelStep.Execution(context, step, step.targetOptions(), new FakeServices(workspace, engine))
                .start();
        assertThat(map(context.result())).containsEntry("verdict", "ROLLBACK").containsEntry("champion", "1")
                .containsEntry("challenger", "8");
        assertThat(engine.experimentPlan.sloP99Ms()).isEqualTo(50); // the global default SLO

        engine.production = null;
        FakeContext none = new FakeContext();
        new AbTestModelStep.Execution(none, step, step.targetOptions(), new FakeServices(workspace, engine)).start();
        assertThat(none.failure()).hasMessageStartingWith("champion: no version of iris serves production yet");
    }

    @Test
    void smokeTestModelFailsOnAViolationUnlessToldNotTo() throws Exception {
        FakeEngine engine = new FakeEngine();
        engine.smokePasses = false;
        SmokeTestModelStep step = new SmokeTestModelStep("iris", "8", "http://iris-8.ml:8080");
        FakeContext withoutModel = new FakeContext();
        new SmokeTestModelStep.Execution(withoutModel, step, step.targetOptions(), new FakeServices(workspace,
                engine)).start();
        assertThat(withoutModel.failure()).isInstanceOf(AbortException.class).hasMessageContaining("needs modelDir");

        step.setModelDir("models/iris");
        FakeContext failing = new FakeContext();
        new SmokeTestModelStep.Execution(failing, step, step.targetOptions(), new FakeServices(workspace, engine))
                .start();
        assertThat(failing.failure()).isInstanceOf(AbortException.class).hasMessageContaining("p99 latency");

        step.setFailOnViolation(false);
        FakeContext lenient = new FakeContext();
        new SmokeTestModelStep.Execution(lenient, step, step.targetOptions(), new FakeServices(workspace, engine))
                .start();
        assertThat(map(lenient.result())).containsEntry("passed", false);
    }

    @Test
    void promoteModelWithApprovalWaitsAndRollsBackOnRejection() throws Exception {
        FakeEngine engine = new FakeEngine();
        FakeServices services = new FakeServices(workspace, engine);
        PromoteModelStep step = new PromoteModelStep("iris", "8");
        step.setApproval(new ApprovalOptions());
        FakeContext context = new FakeContext();
        PromoteModelStep.Execution execution = new PromoteModelStep.Execution(context, step, services);
        execution.start();
        DeployModelExecutionTest.awaitWaiting(execution);
        assertThat(services.attached.getEvidence().getChampion()).isEqualTo("1");
        assertThat(services.attached.getEvidence().isExperimentRan()).isFalse();

        services.attached.decide(new Approver("bob", List.of(), true), false, "", Instant.now());
        assertThat(context.failure()).hasMessageContaining("promotion rejected by bob");
        assertThat(engine.calls).contains("rollback iris: promotion rejected by bob").noneMatch(c ->
                c.startsWith("promote"));
    }

    @Test
    void promoteAndRollbackWithoutApproval() throws Exception {
        FakeEngine engine = new FakeEngine();
        FakeContext promoted = new FakeContext();
        new PromoteModelStep.Execution(promoted, new PromoteModelStep("iris", "8"), new FakeServices(workspace,
                engine)).start();
        assertThat(map(promoted.result())).containsEntry("promotedVersion", "8").containsEntry("previous", "1");

        FakeContext rolledBack = new FakeContext();
        RollbackModelStep rollback = new RollbackModelStep("iris");
        rollback.setReason("bad predictions");
        new RollbackModelStep.Execution(rolledBack, "iris", rollback.getReason(), rollback.targetOptions(),
                new FakeServices(workspace, engine)).start();
        assertThat(map(rolledBack.result())).containsEntry("production", "1").containsEntry("phase", "ROLLED_BACK");
        assertThat(engine.calls).contains("rollback iris: bad predictions");
    }

    @Test
    void stopInterruptsTheWorkAndCompletesTheStepOnce() throws Exception {
        java.util.concurrent.CountDownLatch building = new java.util.concurrent.CountDownLatch(1);
        FakeEngine engine = new FakeEngine() {
            @Override
            public io.jenkins.plugins.modeldeploy.image.BuiltImage buildImage(
                    io.jenkins.plugins.modeldeploy.image.ImagePlan plan) {
                building.countDown();
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    calls.add("build interrupted");
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
                throw new AssertionError("not interrupted");
            }
        };
        FakeContext context = new FakeContext();
        DeployModelExecution execution = new DeployModelExecution(context, new DeployModelStep("models/iris")
                .request(), new FakeServices(workspace, engine));
        execution.start();
        assertThat(building.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

        execution.stop(new InterruptedException("aborted by dave"));

        assertThat(context.failure()).hasMessage("aborted by dave");
        for (int i = 0; i < 200 && !engine.calls.contains("build interrupted"); i++) {
            Thread.sleep(10);
        }
        assertThat(engine.calls).contains("build interrupted");
        Thread.sleep(100); // let the interrupted work finish
        assertThat(context.completions).hasValue(1);
    }

    @Test
    void freestyleEndsAfterTheVerdictAndLeavesTheDecisionToThePage() throws Exception {
        FakeEngine engine = new FakeEngine();
        FakeServices services = new FakeServices(workspace, engine);
        DeployModelStep options = new DeployModelStep("models/iris");
        options.setApproval(new ApprovalOptions());

        FreestyleDeployment.run(services, options.request());

        PromotionAction page = services.attached;
        assertThat(page).isNotNull();
        assertThat(page.isOpen()).isTrue();
        assertThat(engine.calls).noneMatch(c -> c.startsWith("promote") || c.startsWith("rollback"));
        Field follow = PromotionAction.class.getDeclaredField("afterDecision");
        follow.setAccessible(true);
        assertThat(follow.get(page)).isInstanceOf(AfterDecision.class);
        assertThat(services.logText()).contains("Waiting for approval to promote iris version 7");
    }

    @Test
    void freestyleWithoutApprovalPromotesWithinTheBuild() throws Exception {
        FakeEngine engine = new FakeEngine();
        FakeServices services = new FakeServices(workspace, engine);
        FreestyleDeployment.run(services, new DeployModelStep("models/iris").request());
        assertThat(engine.calls).contains("promote iris 7 by model-deploy (automatic)");
        assertThat(services.attached).isNull();
    }
}
