package io.jenkins.plugins.modeldeploy.jenkins.steps;

import static io.jenkins.plugins.modeldeploy.jenkins.steps.StepFixture.MODEL;
import static org.assertj.core.api.Assertions.assertThat;

import hudson.AbortException;
import io.jenkins.plugins.modeldeploy.event.EventDetails;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.ApprovalRegistry;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionAction;
import io.jenkins.plugins.modeldeploy.target.Outcome;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import io.jenkins.plugins.modeldeploy.target.Stage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.jenkinsci.plugins.workflow.support.actions.PauseAction;
import org.junit.jupiter.api.Test;

/**
 * {@code deployModel}'s execution on the real engine and lifecycle: Jib pushes the image to a registry on 127.0.0.1,
 * the versions run as harness processes behind the local gateway (the cluster), and only Jenkins (the step context,
 * the run's services) is a double. One case per row of the verdict table a driver can reach.
 */
class DeployModelIT extends StepITBase {
    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object result) {
        return (Map<String, Object>) result;
    }

    private DeployModelExecution start(FakeServices build, DeployModelStep step, FakeContext context) throws Exception {
        DeployModelExecution execution = new DeployModelExecution(context, step.request(), build);
        assertThat(execution.start()).isFalse(); // asynchronous: the CPS thread is not held
        return execution;
    }

    @Test
    void aFirstReleaseIsBuiltPushedSmokeTestedAndPromotedWithoutAnAbTest() throws Exception {
        FakeServices build = world.build(1);
        FakeContext context = new FakeContext();
        start(build, StepFixture.deployModel(EchoModels.FAST, "1"), context);

        Map<String, Object> result = map(context.result());
        assertThat(result)
                .containsEntry("model", MODEL)
                .containsEntry("version", "1")
                .containsEntry("outcome", "PROMOTED")
                .containsEntry("production", "1")
                .containsEntry("promotedVersion", "1")
                .containsEntry("reason", "first release")
                .containsEntry("verdict", null);
        String digest = (String) result.get("imageDigest");
        assertThat(digest).startsWith("sha256:");
        assertThat(registry.digest("models/" + MODEL, "1")).isEqualTo(digest); // really pushed
        assertThat(map(result.get("smoke"))).containsEntry("passed", true);
        // the smoke reports were rendered where the test ran and sent back; the JUnit copy is in the workspace
        assertThat(build.smokeReports.get(MODEL + "-1").junitXml()).contains("<testsuite ");
        assertThat(build.workspace.resolve("model-deploy-reports/" + MODEL + "-1/smoke-junit.xml"))
                .content()
                .contains("classname=\"model-deploy." + MODEL + "-1\"");
        world.assertEnded(build, "1", Outcome.PROMOTED, Stage.PRODUCTION, "1");
        // the run's summary: made where the deployment ran, kept on the controller, linked to the run's smoke report
        assertThat(build.deployments.getDeployments()).singleElement().satisfies(r -> {
            assertThat(r.getOutcome()).isEqualTo("PROMOTED");
            assertThat(r.getImage()).endsWith(digest);
            assertThat(r.getSmokeP99Ms()).isPositive();
            assertThat(r.getReportFile()).isEqualTo("deployment-1-" + MODEL + "-1.html");
        });
        assertThat(world.cluster.state(MODEL).digests()).containsEntry("1", digest);
        assertThat(world.cluster.connections.get(0).namespace()).isEqualTo("ml");
        assertThat(world.cluster.connections.get(0).kubeconfig()).contains(FakeServices.KUBECONFIG);
        assertThat(build.logText()).contains("Promoted echo version 1").doesNotContain("kube-TOKEN-4242");
    }

    /**
     * deployModel verifies by default: the echo image is built on scratch (no interpreter), so it cannot serve, and
     * the build fails before anything is pushed or rolled out.
     */
    @Test
    void anImageThatCannotServeFailsVerificationByDefaultAndShipsNothing() throws Exception {
        // a version no other case of the class pushes to the class's registry
        DeployModelStep step = StepFixture.deployModel(EchoModels.FAST, "91");
        step.setVerify(true);
        assertThat(new DeployModelStep(EchoModels.FAST).isVerify()).isTrue();
        FakeServices build = world.build(91);
        FakeContext context = new FakeContext();
        start(build, step, context);

        assertThat(context.failure())
                .hasMessageContaining(
                        "verification failed: image " + registry.host() + "/models/" + MODEL + ":91 cannot serve: ");
        assertThat(registry.manifest("models/" + MODEL, "91")).isNull(); // nothing pushed
        assertThat(world.cluster.target.releases().load(MODEL)).isEmpty(); // nothing rolled out
        assertThat(StepFixture.firstOf(build, EventDetails.VerifyStarted.class)).isPresent();
        assertThat(StepFixture.firstOf(build, EventDetails.BuildFailed.class)).isPresent();
        assertThat(StepFixture.firstOf(build, EventDetails.BuildFinished.class)).isEmpty();
    }

    @Test
    void aFailedSmokeTestTakesTheVersionOutBeforeAnyAbTest() throws Exception {
        world.production(EchoModels.FAST, "1");
        FakeServices build = world.build(2);
        FakeContext context = new FakeContext();
        DeployModelStep step = StepFixture.deployModel(EchoModels.SLOW, "2");
        step.getSmoke().setP99Ms(null); // judged by the model's SLO: p99 40 ms
        start(build, step, context);

        assertThat(context.failure())
                .isInstanceOf(AbortException.class)
                .hasMessageStartingWith("echo version 2 ended FAILED: smoke test failed: p99 latency ")
                .hasMessageContaining("production is 1");
        world.assertEnded(build, "2", Outcome.FAILED, Stage.FAILED, "1");
        assertThat(StepFixture.firstOf(build, EventDetails.AbTestStarted.class)).isEmpty();
        assertThat(build.attached).isNull();
    }

    @Test
    void promoteApprovedOnThePagePromotesWithoutHoldingAThread() throws Exception {
        world.production(EchoModels.SLOW, "1"); // the challenger is better: PROMOTE on any gate
        FakeServices build = world.build(2);
        FakeContext context = new FakeContext();
        FakeNode node = new FakeNode();
        context.node = node;
        DeployModelStep step = StepFixture.deployModel(EchoModels.FAST, "2");
        step.setApproval(StepFixture.approval("1h"));
        step.setKeepPrevious("30m");
        DeployModelExecution execution = start(build, step, context);

        String key = StepFixture.awaitWaiting(execution, context, build);
        PromotionAction page = build.attached;
        // while it waits: paused on its flow node, and a safe restart need not wait for it
        assertThat(PauseAction.isPaused(node)).isTrue();
        assertThat(execution.blocksRestart()).isFalse();
        assertThat(page.getUrl()).isEqualTo("model-promotion/echo-2/");
        assertThat(page.getKey()).isEqualTo(key);
        assertThat(page.getApprovers()).containsExactly("alice", "ml-leads");
        assertThat(page.getEvidence().getChampion()).isEqualTo("1");
        assertThat(page.getEvidence().getChallengerImage()).startsWith("sha256:");
        assertThat(context.outcome).isNotDone();
        assertThat(context.saves).isEqualTo(1);
        assertThat(world.cluster.state(MODEL).phase()).isEqualTo(ReleaseState.Phase.AWAITING_APPROVAL);
        assertThat(world.cluster.gateway.currentWeights(MODEL)).isEqualTo(Map.of("1", 100)); // the split is over
        assertThat(execution.checkpoint().result)
                .containsEntry("verdict", "PROMOTE")
                .containsEntry("outcome", null);

        assertThat(page.decide(StepFixture.ALICE, true, "looks good", Instant.now()))
                .isEqualTo(PromotionAction.Outcome.RECORDED);

        Map<String, Object> result = map(context.result());
        assertThat(result)
                .containsEntry("outcome", "PROMOTED")
                .containsEntry("verdict", "PROMOTE")
                .containsEntry("promotedVersion", "2")
                .containsEntry("production", "2")
                .containsEntry("approvedBy", "alice")
                .containsEntry("approved", true);
        assertThat(result.get("verdictReasons")).asList().isNotEmpty();
        world.assertEnded(build, "2", Outcome.PROMOTED, Stage.PRODUCTION, "2");
        // the replaced version is kept for the keep window (keepPrevious), ready for a rollback
        assertThat(world.cluster.target.releases().stages(MODEL)).containsEntry("1", Stage.RETIRED);
        assertThat(world.cluster.runs(MODEL, "1")).isTrue();
        assertThat(world.cluster.state(MODEL).keepUntil().get("1"))
                .isBetween(Instant.now().plusSeconds(29 * 60), Instant.now().plusSeconds(30 * 60));
        assertThat(ApprovalRegistry.isWaiting(key)).isFalse();
        assertThat(PauseAction.isPaused(node)).isFalse(); // the pause ended with the decision
        assertThat(PauseAction.getPauseActions(node)).hasSize(1);
        assertThat(build.logText())
                .contains(
                        "Waiting for approval to promote echo version 2",
                        "job/ml/job/echo/2/model-promotion/echo-2/",
                        "the Jenkins URL is not configured",
                        "approved by alice: looks good",
                        "Promoted echo version 2");
        // the run's deployment summary
        assertThat(build.deployments.getDeployments()).singleElement().satisfies(d -> {
            assertThat(d.getModel()).isEqualTo("echo");
            assertThat(d.getVersion()).isEqualTo("2");
            assertThat(d.getImage()).isEqualTo(result.get("image"));
            assertThat(d.getEndpoint()).isNotEmpty().isEqualTo(result.get("endpoint"));
            assertThat(d.getVerdict()).isEqualTo("PROMOTE");
            assertThat(d.getOutcome()).isEqualTo("PROMOTED");
            assertThat(d.getApprovedBy()).isEqualTo("approved by alice");
            assertThat(d.isSmokeRan()).isTrue();
            assertThat(d.getSmokeP99Ms()).isGreaterThan(0).isGreaterThanOrEqualTo(d.getSmokeP50Ms());
        });
        // the smoke report is a file in the run's folder (sent back by the agent), served by the promotion's page and
        // linked from the summary, not part of build.xml
        assertThat(build.workspace.resolve(".reports-2/echo-2/smoke.html"))
                .content()
                .contains("<svg");
        assertThat(build.workspace.resolve(".reports-2/promotion-echo-2.html"))
                .content()
                .contains("<svg");
        assertThat(build.deployments.getDeployments().get(0).getReportFile()).isEqualTo("deployment-1-echo-2.html");
    }

    // --- no lost decision ----------------------------------------------------------------------------------------

    @Test
    void aDecisionGivenTheMomentThePageAppearsIsCarriedOutNotRolledBackAtTheDeadline() throws Exception {
        world.production(EchoModels.SLOW, "1");
        FakeServices build = world.build(2);
        FakeContext context = new FakeContext();
        // an approver (or an event-driven bot) answers as soon as the page is there, before the step goes on
        build.onAttach = page -> assertThat(page.decide(StepFixture.ALICE, true, "at once", Instant.now()))
                .isEqualTo(PromotionAction.Outcome.RECORDED);
        DeployModelStep step = StepFixture.deployModel(EchoModels.FAST, "2");
        step.setApproval(StepFixture.approval("30s"));
        start(build, step, context);

        Map<String, Object> result = map(context.result());
        assertThat(result).containsEntry("outcome", "PROMOTED").containsEntry("approvedBy", "alice");
        assertThat(build.waitingWhenAttached).containsExactly(true); // the waiter came first
        world.assertEnded(build, "2", Outcome.PROMOTED, Stage.PRODUCTION, "2");
        assertThat(context.completions).hasValue(1);
        // the approval.requested event went out after the waiter was armed, with the page's own URL
        assertThat(StepFixture.firstOf(build, EventDetails.ApprovalRequested.class))
                .isPresent();
    }

    @Test
    void anApprovalRecordedAsTheDeadlineTimerFiresIsCarriedOutNotTheTimeout() throws Exception {
        world.production(EchoModels.SLOW, "1");
        FakeServices build = world.build(2);
        FakeContext context = new FakeContext();
        DeployModelStep step = StepFixture.deployModel(EchoModels.FAST, "2");
        step.setApproval(StepFixture.approval("1h"));
        DeployModelExecution execution = start(build, step, context);
        String key = StepFixture.awaitWaiting(execution, context, build);

        // the deadline timer has just withdrawn the waiter when the approval is recorded: nobody is delivered to ...
        assertThat(ApprovalRegistry.withdraw(key)).isTrue();
        assertThat(build.attached.decide(StepFixture.ALICE, true, "just in time", Instant.now()))
                .isEqualTo(PromotionAction.Outcome.RECORDED);
        // ... and the timer goes on to its timeout: it finds the page decided and carries the decision out
        execution.timedOut();

        assertThat(map(context.result())).containsEntry("outcome", "PROMOTED").containsEntry("approvedBy", "alice");
        assertThat(build.attached.getStatus()).isEqualTo(PromotionAction.Status.APPROVED);
        world.assertEnded(build, "2", Outcome.PROMOTED, Stage.PRODUCTION, "2");
        assertThat(context.completions).hasValue(1);
    }

    @Test
    void twoPromotionsInOneRunKeepTheirOwnPagesDecisionsAndSummaries() throws Exception {
        world.production(EchoModels.SLOW, "1");
        FakeServices build = world.build(2);
        for (String version : List.of("2", "3")) {
            FakeContext context = new FakeContext();
            DeployModelStep step = StepFixture.deployModel(EchoModels.FAST, version);
            step.setApproval(StepFixture.approval("1h"));
            DeployModelExecution execution = start(build, step, context);
            StepFixture.awaitWaiting(execution, context, build);
            build.attached.decide(
                    version.equals("2") ? StepFixture.ALICE : StepFixture.BOB,
                    version.equals("2"),
                    "v" + version,
                    Instant.now());
            context.outcome.handle((r, t) -> r).get(90, java.util.concurrent.TimeUnit.SECONDS);
        }
        List<PromotionAction> all = build.deployments.getPromotions();
        assertThat(all).extracting(PromotionAction::getId).containsExactly("echo-2", "echo-3");
        assertThat(all)
                .extracting(PromotionAction::getStatus)
                .containsExactly(PromotionAction.Status.APPROVED, PromotionAction.Status.REJECTED);
        assertThat(all).extracting(PromotionAction::getDecidedBy).containsExactly("alice", "bob");
        assertThat(all).extracting(p -> p.getEvidence().getChallenger()).containsExactly("2", "3");
        assertThat(build.deployments.getDynamic("echo-2")).isSameAs(all.get(0));
        assertThat(build.deployments.getDeployments())
                .extracting(d -> d.getVersion() + " " + d.getOutcome())
                .containsExactly("2 PROMOTED", "3 REJECTED");
    }

    @Test
    void promoteRejectedOnThePageTakesTheChallengerOut() throws Exception {
        world.production(EchoModels.SLOW, "1");
        FakeServices build = world.build(2);
        FakeContext context = new FakeContext();
        DeployModelStep step = StepFixture.deployModel(EchoModels.FAST, "2");
        step.setApproval(StepFixture.approval("1h"));
        DeployModelExecution execution = start(build, step, context);
        StepFixture.awaitWaiting(execution, context, build);

        build.attached.decide(StepFixture.BOB, false, "p99 too close to the SLO", Instant.now());

        assertThat(context.failure())
                .isInstanceOf(AbortException.class)
                .hasMessage("echo version 2 ended"
                        + " REJECTED: rejected by bob: p99 too close to the SLO; production is 1");
        world.assertEnded(build, "2", Outcome.REJECTED, Stage.REJECTED, "1");
        assertThat(StepFixture.lastFinished(build, "2").details().verdict()).isEqualTo("PROMOTE");
    }

    @Test
    void nobodyDecidingBeforeTheTimeoutTakesTheChallengerOut() throws Exception {
        world.production(EchoModels.SLOW, "1");
        FakeServices build = world.build(2);
        FakeContext context = new FakeContext();
        DeployModelStep step = StepFixture.deployModel(EchoModels.FAST, "2");
        step.setApproval(StepFixture.approval("1s"));
        start(build, step, context);

        assertThat(context.failure())
                .isInstanceOf(AbortException.class)
                .hasMessageStartingWith("No decision on promoting echo version 2 by ")
                .hasMessageEndingWith("the version is taken out and production stays");
        world.assertEnded(build, "2", Outcome.REJECTED, Stage.REJECTED, "1");
        assertThat(build.attached.getStatus()).isEqualTo(PromotionAction.Status.TIMED_OUT);
        assertThat(StepFixture.lastFinished(build, "2").details().reason()).startsWith("no decision within");
    }

    @Test
    void aChallengerSlowerThanItsSloIsRolledBackWithoutAskingAnyone() throws Exception {
        world.production(EchoModels.FAST, "1");
        FakeServices build = world.build(2);
        FakeContext context = new FakeContext();
        DeployModelStep step = StepFixture.deployModel(EchoModels.SLOW, "2");
        step.getSmoke().setRate(10.0); // within its capacity: it passes the smoke test (p99 limit 1 s)
        step.setApproval(StepFixture.approval("1h"));
        step.getAbTest().setGate("SUPERIORITY");
        step.getAbTest().setMinimumDetectableEffect(0.05);
        start(build, step, context);

        assertThat(context.failure())
                .isInstanceOf(AbortException.class)
                .hasMessageStartingWith("echo version 2 ended ROLLED_BACK: A/B verdict ROLLBACK");
        world.assertEnded(build, "2", Outcome.ROLLED_BACK, Stage.ROLLED_BACK, "1");
        assertThat(StepFixture.lastFinished(build, "2").details().verdict()).isEqualTo("ROLLBACK");
        assertThat(build.attached).isNull(); // nobody was asked
        // the experiment ran with the step's gate (the evidence on the version went with it; the events say which)
        assertThat(StepFixture.firstOf(build, EventDetails.AbTestStarted.class))
                .hasValueSatisfying(e -> assertThat(e.message()).contains("superiority gate"));
    }

    @Test
    void anInconclusiveAbTestTakesTheChallengerOut() throws Exception {
        world.production(EchoModels.FAST, "1");
        FakeServices build = world.build(2);
        FakeContext context = new FakeContext();
        DeployModelStep step = StepFixture.deployModel(EchoModels.FAST, "2");
        step.getAbTest().setMinSamples(1_000_000);
        step.getAbTest().setMaxDuration("2s");
        start(build, step, context);

        assertThat(context.failure())
                .isInstanceOf(AbortException.class)
                .hasMessageStartingWith("echo version 2 ended REJECTED: A/B verdict INCONCLUSIVE")
                .hasMessageContaining("too little data");
        world.assertEnded(build, "2", Outcome.REJECTED, Stage.REJECTED, "1");
        assertThat(StepFixture.lastFinished(build, "2").details().verdict()).isEqualTo("INCONCLUSIVE");
    }

    @Test
    void anEqualChallengerIsPromotedByTheNonInferiorityGate() throws Exception {
        world.production(EchoModels.FAST, "1");
        FakeServices build = world.build(2);
        FakeContext context = new FakeContext();
        DeployModelStep step = StepFixture.deployModel(EchoModels.FAST, "2"); // no approval block: automatic
        step.getAbTest().setMaxDuration("20s");
        step.getAbTest().setMinimumDetectableEffect(0.05);
        step.getAbTest().setErrorRateMargin(0.1);
        step.getAbTest().setSloViolationMargin(0.1);
        start(build, step, context);

        Map<String, Object> result = map(context.result());
        assertThat(result)
                .containsEntry("outcome", "PROMOTED")
                .containsEntry("verdict", "PROMOTE")
                .containsEntry("approvedBy", "model-deploy (automatic)")
                .containsEntry("promotedVersion", "2");
        world.assertEnded(build, "2", Outcome.PROMOTED, Stage.PRODUCTION, "2");
    }

    // --- the asynchronous wait ---------------------------------------------------------------------------------

    @Test
    void afterARestartTheWaitResumesFromTheStoredStateAndTheDecisionIsCarriedOut() throws Exception {
        world.production(EchoModels.SLOW, "1");
        FakeServices build = world.build(2);
        DeployModelStep step = StepFixture.deployModel(EchoModels.FAST, "2");
        step.setApproval(StepFixture.approval("1h"));
        FakeContext first = new FakeContext();
        DeployModelExecution before = start(build, step, first);
        String key = StepFixture.awaitWaiting(before, first, build);

        // the controller goes down: the registration in memory is lost, the execution is restored from disk
        ApprovalRegistry.cancel(key);
        FakeContext context = new FakeContext();
        DeployModelExecution after = restored(before, new DeployModelExecution(context, step.request(), build));
        after.onResume();
        assertThat(ApprovalRegistry.isWaiting(key)).isTrue();
        assertThat(build.logText())
                .contains("Resumed after a restart; still waiting for approval to promote echo" + " version 2");

        build.attached.decide(StepFixture.ALICE, true, "", Instant.now());

        assertThat(map(context.result()))
                .containsEntry("outcome", "PROMOTED")
                .containsEntry("promotedVersion", "2")
                .containsEntry("imageDigest", map(before.checkpoint().result).get("imageDigest"));
        world.assertEnded(build, "2", Outcome.PROMOTED, Stage.PRODUCTION, "2");
    }

    @Test
    void aRejectionGivenWhileJenkinsWasDownIsCarriedOutOnResume() throws Exception {
        world.production(EchoModels.SLOW, "1");
        FakeServices build = world.build(2);
        DeployModelStep step = StepFixture.deployModel(EchoModels.FAST, "2");
        step.setApproval(StepFixture.approval("1h"));
        FakeContext first = new FakeContext();
        DeployModelExecution before = start(build, step, first);
        String key = StepFixture.awaitWaiting(before, first, build);
        ApprovalRegistry.cancel(key); // nothing is registered: the decision is only recorded on the run
        build.attached.decide(StepFixture.BOB, false, "not now", Instant.now());
        assertThat(world.cluster.state(MODEL).phase()).isEqualTo(ReleaseState.Phase.AWAITING_APPROVAL);

        FakeContext context = new FakeContext();
        build.waitingWhenRead.clear();
        restored(before, new DeployModelExecution(context, step.request(), build))
                .onResume();

        assertThat(context.failure())
                .hasMessage("echo version 2 ended REJECTED: rejected by bob: not now;" + " production is 1");
        // resumed: the waiter is armed again BEFORE the recorded decision is read, so none can fall in between
        assertThat(build.waitingWhenRead).first().isEqualTo(true);
        assertThat(context.completions).hasValue(1);
        world.assertEnded(build, "2", Outcome.REJECTED, Stage.REJECTED, "1");
    }

    @Test
    void abortingTheBuildWhileItWaitsTakesTheChallengerOut() throws Exception {
        world.production(EchoModels.SLOW, "1");
        FakeServices build = world.build(2);
        FakeContext context = new FakeContext();
        DeployModelStep step = StepFixture.deployModel(EchoModels.FAST, "2");
        step.setApproval(StepFixture.approval("1h"));
        DeployModelExecution execution = start(build, step, context);
        String key = StepFixture.awaitWaiting(execution, context, build);

        execution.stop(new InterruptedException("aborted by carol"));

        assertThat(context.failure()).hasMessage("aborted by carol");
        assertThat(ApprovalRegistry.isWaiting(key)).isFalse();
        assertThat(build.attached.getStatus()).isEqualTo(PromotionAction.Status.ABORTED);
        assertThat(build.attached.decide(StepFixture.ALICE, true, "", Instant.now()))
                .isEqualTo(PromotionAction.Outcome.ALREADY_DECIDED);
        StepFixture.await(
                () -> world.cluster.phase(MODEL) == ReleaseState.Phase.STABLE, 30, "the aborted run to be taken out");
        world.assertEnded(build, "2", Outcome.ROLLED_BACK, Stage.ROLLED_BACK, "1");
        assertThat(context.completions).hasValue(1);
        assertThat(build.logText()).contains("echo version 2: the build was aborted; the deployment ends");
    }

    @Test
    void abortingTheBuildDuringTheAbTestEndsTheRunOnceTheWorkHasStopped() throws Exception {
        world.production(EchoModels.FAST, "1");
        FakeServices build = world.build(2);
        FakeContext context = new FakeContext();
        DeployModelStep step = StepFixture.deployModel(EchoModels.FAST, "2");
        step.getAbTest().setMinSamples(1_000_000);
        step.getAbTest().setMaxDuration("5m");
        DeployModelExecution execution = start(build, step, context);
        StepFixture.await(
                () -> StepFixture.firstOf(build, EventDetails.AbTestStarted.class)
                        .isPresent(),
                60,
                "the A/B test to start");
        assertThat(execution.blocksRestart())
                .as("a safe restart waits for the A/B test")
                .isTrue();
        assertThat(execution.getStatus()).isEqualTo("deploying");

        execution.stop(new InterruptedException("aborted by carol"));

        assertThat(context.failure()).hasMessage("aborted by carol");
        StepFixture.await(
                () -> world.cluster.phase(MODEL) == ReleaseState.Phase.STABLE, 30, "the aborted run to be taken out");
        world.assertEnded(build, "2", Outcome.ROLLED_BACK, Stage.ROLLED_BACK, "1");
        // the interrupted A/B test ends the run itself (the lifecycle's guard), before the step's own clean-up
        assertThat(StepFixture.lastFinished(build, "2").details().reason())
                .isEqualTo("A/B test interrupted: the" + " run was stopped");
        assertThat(context.completions).hasValue(1);
    }

    @Test
    void resumeWhileWorkingFailsWithAMessageNamingThePhase() throws Exception {
        FakeContext context = new FakeContext();
        DeployModelStep step = StepFixture.deployModel(EchoModels.FAST, "2");
        DeployModelExecution running = new DeployModelExecution(new FakeContext(), step.request(), world.build(2));
        running.status("rolling out");
        // the phase is stored with the Pipeline: the restored execution still knows it
        DeployModelExecution execution =
                restored(running, new DeployModelExecution(context, step.request(), world.build(2)));

        execution.onResume();

        assertThat(context.failure())
                .isInstanceOf(AbortException.class)
                .hasMessage("deployModel was interrupted by a"
                        + " restart of Jenkins while it ran (rolling out); every phase is safe to repeat, so re-run the"
                        + " build");
    }

    /** Serializes {@code running} as Pipeline stores it and restores its state into {@code fresh} (a new context). */
    static <T extends BackgroundExecution> T restored(T running, T fresh) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(running);
        }
        Object copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = in.readObject();
        }
        for (Class<?> c = fresh.getClass(); c != StepExecution.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || Modifier.isTransient(f.getModifiers())) {
                    continue;
                }
                f.setAccessible(true);
                f.set(fresh, f.get(copy));
            }
        }
        return fresh;
    }
}
