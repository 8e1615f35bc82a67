package io.jenkins.plugins.modeldeploy.jenkins.steps;

import static io.jenkins.plugins.modeldeploy.jenkins.steps.StepFixture.MODEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import hudson.AbortException;
import io.jenkins.plugins.modeldeploy.event.EventDetails;
import io.jenkins.plugins.modeldeploy.jenkins.freestyle.ModelDeployBuilder;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionAction;
import io.jenkins.plugins.modeldeploy.target.Outcome;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import io.jenkins.plugins.modeldeploy.target.Stage;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The freestyle build step on the real engine and lifecycle (see {@link DeployModelIT}): the build runs the
 * lifecycle up to the decision and ends; the promotion page's follow-up carries out a decision — or the expiry when
 * nobody decides — after the build, its lines on the page. The same end state per case as {@code deployModel}.
 */
class FreestyleIT extends StepITBase {
    /** The build step with the options of {@link StepFixture#deployModel}, bound as the form binds them. */
    private static ModelDeployBuilder builder(String modelDir, String version) {
        ModelDeployBuilder builder = new ModelDeployBuilder(modelDir);
        builder.setVersion(version);
        builder.setCluster("prod");
        builder.setSmoke(StepFixture.smoke());
        builder.setAbTest(StepFixture.abTest());
        builder.setVerify(false); // as StepFixture#deployModel: the echo images are built on scratch
        return builder;
    }

    /** Waits for the page's follow-up to settle the release, and returns the page's lines. */
    private String settled(PromotionAction page) throws InterruptedException {
        StepFixture.await(
                () -> world.cluster.phase(MODEL) == ReleaseState.Phase.STABLE
                        && !page.getOutcomeLines().isEmpty(),
                30,
                "the page's follow-up");
        return String.join("\n", page.getOutcomeLines());
    }

    @Test
    void aFirstReleaseIsPromotedWithinTheBuild() throws Exception {
        FakeServices build = world.build(1);
        FreestyleDeployment.run(build, builder(EchoModels.FAST, "1").request());

        world.assertEnded(build, "1", Outcome.PROMOTED, Stage.PRODUCTION, "1");
        assertThat(build.attached).isNull();
        assertThat(registry.digest("models/" + MODEL, "1"))
                .isEqualTo(world.cluster.state(MODEL).digests().get("1"));
        assertThat(build.logText()).contains("Promoted echo version 1");
    }

    @Test
    void aFailedSmokeTestFailsTheBuildAndTakesTheVersionOut() throws Exception {
        world.production(EchoModels.FAST, "1");
        FakeServices build = world.build(2);
        ModelDeployBuilder builder = builder(EchoModels.SLOW, "2");
        builder.getSmoke().setP99Ms(null);

        assertThatThrownBy(() -> FreestyleDeployment.run(build, builder.request()))
                .isInstanceOf(AbortException.class)
                .hasMessageStartingWith("echo version 2 ended FAILED: smoke test failed: p99 latency");
        world.assertEnded(build, "2", Outcome.FAILED, Stage.FAILED, "1");
        assertThat(StepFixture.firstOf(build, EventDetails.AbTestStarted.class)).isEmpty();
    }

    @Test
    void promoteWithoutAnApprovalBlockPromotesWithinTheBuild() throws Exception {
        world.production(EchoModels.SLOW, "1");
        FakeServices build = world.build(2);
        FreestyleDeployment.run(build, builder(EchoModels.FAST, "2").request());

        world.assertEnded(build, "2", Outcome.PROMOTED, Stage.PRODUCTION, "2");
        assertThat(build.attached).isNull();
        assertThat(StepFixture.lastFinished(build, "2").details().reason())
                .isEqualTo("approved by model-deploy" + " (automatic): freestyle step without an approval block");
    }

    @Test
    void promoteApprovedOnThePageOfTheFinishedBuild() throws Exception {
        world.production(EchoModels.SLOW, "1");
        FakeServices build = world.build(2);
        ModelDeployBuilder builder = builder(EchoModels.FAST, "2");
        builder.setApproval(StepFixture.approval("1h"));
        FreestyleDeployment.run(build, builder.request());

        PromotionAction page = build.attached; // the build is over; the release waits
        assertThat(page.isOpen()).isTrue();
        assertThat(world.cluster.state(MODEL).phase()).isEqualTo(ReleaseState.Phase.AWAITING_APPROVAL);
        assertThat(build.logText()).contains("Waiting for approval to promote echo version 2");

        assertThat(page.decide(StepFixture.ALICE, true, "ship it", Instant.now()))
                .isEqualTo(PromotionAction.Outcome.RECORDED);

        assertThat(settled(page)).contains("approved by alice: ship it", "Promoted echo version 2");
        world.assertEnded(build, "2", Outcome.PROMOTED, Stage.PRODUCTION, "2");
        assertThat(world.cluster.target.releases().stages(MODEL)).containsEntry("1", Stage.RETIRED);
    }

    @Test
    void promoteRejectedOnThePageTakesTheChallengerOut() throws Exception {
        world.production(EchoModels.SLOW, "1");
        FakeServices build = world.build(2);
        ModelDeployBuilder builder = builder(EchoModels.FAST, "2");
        builder.setApproval(StepFixture.approval("1h"));
        FreestyleDeployment.run(build, builder.request());

        build.attached.decide(StepFixture.BOB, false, "not this week", Instant.now());

        assertThat(settled(build.attached))
                .contains("echo version 2 ended REJECTED: rejected by bob: not this week;" + " production is 1");
        world.assertEnded(build, "2", Outcome.REJECTED, Stage.REJECTED, "1");
    }

    @Test
    void nobodyDecidingBeforeTheDeadlineTakesTheChallengerOut() throws Exception {
        world.production(EchoModels.SLOW, "1");
        FakeServices build = world.build(2);
        ModelDeployBuilder builder = builder(EchoModels.FAST, "2");
        builder.setApproval(StepFixture.approval("1s"));
        FreestyleDeployment.run(build, builder.request());

        String lines = settled(build.attached);

        assertThat(build.attached.getStatus()).isEqualTo(PromotionAction.Status.TIMED_OUT);
        assertThat(lines)
                .contains(
                        "No decision on promoting echo version 2 by",
                        "echo version 2 ended REJECTED: no" + " decision within 1s; production is 1");
        world.assertEnded(build, "2", Outcome.REJECTED, Stage.REJECTED, "1");
        assertThat(build.attached.decide(StepFixture.ALICE, true, "", Instant.now()))
                .isEqualTo(PromotionAction.Outcome.ALREADY_DECIDED);
    }

    @Test
    void aChallengerSlowerThanItsSloFailsTheBuildAndIsRolledBack() throws Exception {
        world.production(EchoModels.FAST, "1");
        FakeServices build = world.build(2);
        ModelDeployBuilder builder = builder(EchoModels.SLOW, "2");
        builder.getSmoke().setRate(10.0);
        builder.setApproval(StepFixture.approval("1h"));

        assertThatThrownBy(() -> FreestyleDeployment.run(build, builder.request()))
                .isInstanceOf(AbortException.class)
                .hasMessageStartingWith("echo version 2 ended ROLLED_BACK: A/B verdict ROLLBACK");
        world.assertEnded(build, "2", Outcome.ROLLED_BACK, Stage.ROLLED_BACK, "1");
        assertThat(build.attached).isNull();
    }

    @Test
    void anInconclusiveAbTestFailsTheBuildAndTakesTheChallengerOut() throws Exception {
        world.production(EchoModels.FAST, "1");
        FakeServices build = world.build(2);
        ModelDeployBuilder builder = builder(EchoModels.FAST, "2");
        builder.getAbTest().setMinSamples(1_000_000);
        builder.getAbTest().setMaxDuration("2s");

        assertThatThrownBy(() -> FreestyleDeployment.run(build, builder.request()))
                .isInstanceOf(AbortException.class)
                .hasMessageStartingWith("echo version 2 ended REJECTED: A/B verdict INCONCLUSIVE");
        world.assertEnded(build, "2", Outcome.REJECTED, Stage.REJECTED, "1");
    }

    @Test
    void abortingTheBuildDuringTheAbTestEndsTheRun() throws Exception {
        world.production(EchoModels.FAST, "1");
        FakeServices build = world.build(2);
        ModelDeployBuilder builder = builder(EchoModels.FAST, "2");
        builder.getAbTest().setMinSamples(1_000_000);
        builder.getAbTest().setMaxDuration("5m");
        java.util.concurrent.CompletableFuture<Throwable> ended = new java.util.concurrent.CompletableFuture<>();
        Thread executor = new Thread(
                () -> { // Jenkins aborts a freestyle build by interrupting its executor
                    try {
                        FreestyleDeployment.run(build, builder.request());
                        ended.complete(null);
                    } catch (Throwable t) {
                        ended.complete(t);
                    }
                });
        executor.start();
        StepFixture.await(
                () -> StepFixture.firstOf(build, EventDetails.AbTestStarted.class)
                        .isPresent(),
                60,
                "the A/B test to start");

        executor.interrupt();

        assertThat(ended.get(30, java.util.concurrent.TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        world.assertEnded(build, "2", Outcome.ROLLED_BACK, Stage.ROLLED_BACK, "1");
        assertThat(build.logText()).contains("echo version 2: the build was aborted; the deployment ends");
    }

    @Test
    void anEqualChallengerIsPromotedByTheNonInferiorityGate() throws Exception {
        world.production(EchoModels.FAST, "1");
        FakeServices build = world.build(2);
        ModelDeployBuilder builder = builder(EchoModels.FAST, "2");
        builder.getAbTest().setMaxDuration("20s");
        builder.getAbTest().setErrorRateMargin(0.1);
        builder.getAbTest().setSloViolationMargin(0.1);
        FreestyleDeployment.run(build, builder.request());

        world.assertEnded(build, "2", Outcome.PROMOTED, Stage.PRODUCTION, "2");
        assertThat(StepFixture.lastFinished(build, "2").details().verdict()).isEqualTo("PROMOTE");
    }
}
