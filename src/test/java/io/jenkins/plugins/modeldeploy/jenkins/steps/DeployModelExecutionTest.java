package io.jenkins.plugins.modeldeploy.jenkins.steps;

import static org.assertj.core.api.Assertions.assertThat;

import hudson.AbortException;
import io.jenkins.plugins.modeldeploy.abtest.Verdict;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.ApprovalRegistry;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.Approver;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionAction;
import io.jenkins.plugins.modeldeploy.kube.KubernetesSettings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deployModel's execution through doubles of the step context, the Jenkins services and the engine. */
class DeployModelExecutionTest {
    @TempDir
    Path workspace;

    private DeployModelStep step(boolean approval) {
        DeployModelStep step = new DeployModelStep("models/iris");
        step.setCluster("prod");
        if (approval) {
            ApprovalOptions options = new ApprovalOptions();
            options.setApprovers("alice,ml-leads");
            options.setTimeout("1h");
            step.setApproval(options);
        }
        return step;
    }

    private static final Approver ALICE = new Approver("alice", List.of(), true);

    @Test
    void withoutApprovalRunsEveryPhaseOffTheCallerThreadAndReturnsTheSummary() throws Exception {
        FakeEngine engine = new FakeEngine();
        FakeServices services = new FakeServices(workspace, engine);
        FakeContext context = new FakeContext();
        DeployModelExecution execution = new DeployModelExecution(context, step(false).request(), services);

        assertThat(execution.start()).isFalse(); // asynchronous: the CPS thread is not held
        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) context.result();

        assertThat(result).containsEntry("model", "iris").containsEntry("version", "7")
                .containsEntry("imageDigest", "sha256:" + "ab".repeat(32)).containsEntry("verdict", "PROMOTE")
                .containsEntry("promotedVersion", "7");
        assertThat(result.get("smoke")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("passed", true).containsEntry("requests", 1000L);
        assertThat(engine.calls).containsExactly("build registry.example.com/models/iris:7",
                "connect ml", "rollout iris-7 registry.example.com/models/iris@sha256:" + "ab".repeat(32),
                "smoke iris-7", "abtest 1 vs 7", "promote iris 7 by model-deploy (automatic)", "close target");
        // defaults filled from the global configuration
        assertThat(engine.settings.kubeconfig()).contains(FakeServices.KUBECONFIG);
        assertThat(engine.settings.routeMode()).isEqualTo(KubernetesSettings.RouteMode.TRAEFIK);
        assertThat(engine.experimentPlan.challengerWeight()).isEqualTo(10);
        assertThat(engine.experimentPlan.maxDuration()).isEqualTo(Duration.ofMinutes(30));
        assertThat(engine.smokeSettings.duration()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void waitsForApprovalWithoutAThreadThenPromotesOnApprove() throws Exception {
        FakeEngine engine = new FakeEngine();
        FakeServices services = new FakeServices(workspace, engine);
        FakeContext context = new FakeContext();
        DeployModelExecution execution = new DeployModelExecution(context, step(true).request(), services);

        execution.start();
        String key = awaitWaiting(execution);
        PromotionAction page = services.attached;
        assertThat(page.getKey()).isEqualTo(key);
        assertThat(page.getApprovers()).containsExactly("alice", "ml-leads");
        assertThat(page.getEvidence().getChallengerImage()).endsWith("ab".repeat(32));
        assertThat(page.getEvidence().getSmokePercentiles()).containsKeys("p50", "p99", "p99.9", "max");
        assertThat(context.outcome).isNotDone();
        assertThat(context.saves).isEqualTo(1);
        assertThat(engine.calls).doesNotContain("promote iris 7 by alice");

        assertThat(page.decide(ALICE, true, "looks good", Instant.now())).isEqualTo(PromotionAction.Outcome.RECORDED);

        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) context.result();
        assertThat(result).containsEntry("promotedVersion", "7").containsEntry("approvedBy", "alice");
        assertThat(engine.calls).contains("promote iris 7 by alice");
        assertThat(services.logText()).contains("Waiting for approval to promote iris version 7",
                "job/ml/job/iris/7/model-promotion/", "approval  approved by alice: looks good");
        assertThat(ApprovalRegistry.isWaiting(key)).isFalse();
    }

    @Test
    void rejectionRollsBackAndFailsTheStep() throws Exception {
        FakeEngine engine = new FakeEngine();
        FakeServices services = new FakeServices(workspace, engine);
        FakeContext context = new FakeContext();
        DeployModelExecution execution = new DeployModelExecution(context, step(true).request(), services);
        execution.start();
        awaitWaiting(execution);

        services.attached.decide(new Approver("bob", List.of("ml-leads"), true), false, "p99 too close to SLO",
                Instant.now());

        assertThat(context.failure()).isInstanceOf(AbortException.class)
                .hasMessageContaining("promotion rejected by bob: p99 too close to SLO");
        assertThat(engine.calls).contains("rollback iris: promotion rejected by bob: p99 too close to SLO")
                .noneMatch(c -> c.startsWith("promote"));
    }

    @Test
    void timeoutRollsBackAndClosesThePage() throws Exception {
        FakeEngine engine = new FakeEngine();
        FakeServices services = new FakeServices(workspace, engine);
        FakeContext context = new FakeContext();
        DeployModelStep step = step(true);
        step.getApproval().setTimeout("300ms");
        DeployModelExecution execution = new DeployModelExecution(context, step.request(), services);
        execution.start();

        assertThat(context.failure()).isInstanceOf(AbortException.class)
                .hasMessageContaining("No decision on promoting iris version 7");
        assertThat(engine.calls).contains("rollback iris: no decision on the promotion in time");
        assertThat(services.attached.getStatus()).isEqualTo(PromotionAction.Status.TIMED_OUT);
    }

    @Test
    void resumeAfterRestartReregistersFromTheStoredStateAndStillCompletes() throws Exception {
        FakeEngine engine = new FakeEngine();
        FakeServices services = new FakeServices(workspace, engine);
        DeployModelExecution before = new DeployModelExecution(new FakeContext(), step(true).request(), services);
        before.start();
        String key = awaitWaiting(before);

        // the controller goes down: the in-memory registration is lost, the execution is restored from disk
        ApprovalRegistry.cancel(key);
        DeployModelExecution restored = roundTrip(before);
        FakeContext context = new FakeContext();
        DeployModelExecution after = new DeployModelExecution(context, step(true).request(), services);
        copyState(restored, after);

        after.onResume();
        assertThat(ApprovalRegistry.isWaiting(key)).isTrue();
        assertThat(services.logText()).contains("Resumed after a restart; still waiting for approval to promote iris"
                + " version 7");

        services.attached.decide(ALICE, true, "", Instant.now());
        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) context.result();
        assertThat(result).containsEntry("promotedVersion", "7");
    }

    @Test
    void aDecisionGivenWhileJenkinsWasDownIsCarriedOutOnResume() throws Exception {
        FakeEngine engine = new FakeEngine();
        FakeServices services = new FakeServices(workspace, engine);
        DeployModelExecution before = new DeployModelExecution(new FakeContext(), step(true).request(), services);
        before.start();
        String key = awaitWaiting(before);
        ApprovalRegistry.cancel(key); // nothing is registered: the decision is only recorded on the run
        services.attached.decide(ALICE, true, "", Instant.now());

        FakeContext context = new FakeContext();
        DeployModelExecution after = new DeployModelExecution(context, step(true).request(), services);
        copyState(roundTrip(before), after);
        after.onResume();

        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) context.result();
        assertThat(result).containsEntry("promotedVersion", "7").containsEntry("approvedBy", "alice");
    }

    @Test
    void stopWhileWaitingUnregistersClosesThePageAndFails() throws Exception {
        FakeEngine engine = new FakeEngine();
        FakeServices services = new FakeServices(workspace, engine);
        FakeContext context = new FakeContext();
        DeployModelExecution execution = new DeployModelExecution(context, step(true).request(), services);
        execution.start();
        String key = awaitWaiting(execution);

        execution.stop(new InterruptedException("aborted by carol"));

        assertThat(context.failure()).hasMessage("aborted by carol");
        assertThat(ApprovalRegistry.isWaiting(key)).isFalse();
        assertThat(services.attached.getStatus()).isEqualTo(PromotionAction.Status.ABORTED);
        assertThat(services.attached.decide(ALICE, true, "", Instant.now()))
                .isEqualTo(PromotionAction.Outcome.ALREADY_DECIDED);
    }

    @Test
    void resumeWhileWorkingFailsWithAMessageNamingThePhase() throws Exception {
        FakeContext context = new FakeContext();
        DeployModelExecution execution = new DeployModelExecution(context, step(false).request(),
                new FakeServices(workspace, new FakeEngine()));
        execution.status("rolling out");

        execution.onResume();

        assertThat(context.failure()).isInstanceOf(AbortException.class).hasMessage("deployModel was interrupted by a"
                + " restart of Jenkins while it ran (rolling out); every phase is safe to repeat, so re-run the"
                + " build");
    }

    @Test
    void rollbackVerdictRollsBackWithoutAskingAnyone() throws Exception {
        FakeEngine engine = new FakeEngine();
        engine.verdict = Verdict.ROLLBACK;
        FakeServices services = new FakeServices(workspace, engine);
        FakeContext context = new FakeContext();
        new DeployModelExecution(context, step(true).request(), services).start();

        assertThat(context.failure()).isInstanceOf(AbortException.class).hasMessageContaining("A/B verdict ROLLBACK");
        assertThat(engine.calls).contains("rollback iris: A/B verdict ROLLBACK");
        assertThat(services.attached).isNull();
    }

    @Test
    void failedSmokeTestRetiresTheVersionAndNamesTheViolatedLimit() throws Exception {
        FakeEngine engine = new FakeEngine();
        engine.smokePasses = false;
        FakeContext context = new FakeContext();
        new DeployModelExecution(context, step(false).request(), new FakeServices(workspace, engine)).start();

        assertThat(context.failure()).isInstanceOf(AbortException.class)
                .hasMessageContaining("Smoke test of iris version 7 failed: p99 latency");
        assertThat(engine.calls).contains("retire iris-7 REMOVE").noneMatch(c -> c.startsWith("abtest"));
    }

    @Test
    void aFirstVersionIsPromotedWithoutAnAbTest() throws Exception {
        FakeEngine engine = new FakeEngine();
        engine.production = null;
        FakeServices services = new FakeServices(workspace, engine);
        FakeContext context = new FakeContext();
        new DeployModelExecution(context, step(false).request(), services).start();

        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) context.result();
        assertThat(result).containsEntry("promotedVersion", "7").containsEntry("verdict", "PROMOTE");
        assertThat(engine.calls).noneMatch(c -> c.startsWith("abtest"));
        assertThat(services.logText()).contains("No production version of iris yet: 7 is promoted without an A/B test");
    }

    @Test
    void secretsResolvedForTheDeploymentNeverReachTheBuildLog() throws Exception {
        FakeEngine engine = new FakeEngine();
        engine.buildMessage = "pushing with " + FakeServices.REGISTRY_PASSWORD + " auth "
                + java.util.Base64.getEncoder().encodeToString(("ci-bot:" + FakeServices.REGISTRY_PASSWORD)
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        FakeServices services = new FakeServices(workspace, engine);
        FakeContext context = new FakeContext();
        new DeployModelExecution(context, step(false).request(), services).start();
        context.result();

        assertThat(services.logText()).contains("pushing with ****").doesNotContain(FakeServices.REGISTRY_PASSWORD)
                .doesNotContain("kube-TOKEN-4242");
    }

    static String awaitWaiting(ApprovingExecution execution) throws InterruptedException {
        for (int i = 0; i < 500; i++) {
            String key = execution.approvalKey();
            if (key != null && ApprovalRegistry.isWaiting(key)) {
                return key;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the execution never started waiting for approval");
    }

    /** Serializes and restores the execution as Pipeline does across a restart (transient state is lost). */
    static DeployModelExecution roundTrip(DeployModelExecution execution) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(execution);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (DeployModelExecution) in.readObject();
        }
    }

    /** Pipeline re-injects the context into the restored execution; here a new one takes the restored state. */
    static void copyState(DeployModelExecution from, DeployModelExecution to) throws Exception {
        for (Class<?> c = DeployModelExecution.class; c != org.jenkinsci.plugins.workflow.steps.StepExecution.class;
                c = c.getSuperclass()) {
            for (java.lang.reflect.Field f : c.getDeclaredFields()) {
                if (java.lang.reflect.Modifier.isStatic(f.getModifiers())
                        || java.lang.reflect.Modifier.isTransient(f.getModifiers())) {
                    continue;
                }
                f.setAccessible(true);
                f.set(to, f.get(from));
            }
        }
    }
}
