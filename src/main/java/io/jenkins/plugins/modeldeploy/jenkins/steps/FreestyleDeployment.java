package io.jenkins.plugins.modeldeploy.jenkins.steps;

import hudson.AbortException;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.modeldeploy.abtest.Verdict;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.jenkins.engine.TargetOptions;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.AfterDecision;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionAction;
import io.jenkins.plugins.modeldeploy.pipeline.Approval;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The freestyle build step's flow: the same phases as {@code deployModel} within the build up to the verdict; with
 * approval required, the build ends and the promotion page carries out the decision later ({@link FollowUp}), its
 * log lines going to the page instead of the finished build's console.
 */
public final class FreestyleDeployment {
    private FreestyleDeployment() {}

    public static void run(StepServices services, DeployRequest request) throws Exception {
        try (Session s = Session.open(services, request.target)) {
            Checkpoint c = DeployFlow.beforeApproval(s, request, phase -> services.log().println("[" + phase + "]"));
            boolean ask = request.approvalRequired() && !Verdict.ROLLBACK.name().equals(c.verdict);
            if (!ask) {
                if (Verdict.INCONCLUSIVE.name().equals(c.verdict)) {
                    DeployFlow.rollback(s, request.target, c, "A/B test inconclusive and no approval configured");
                    throw new AbortException(Messages.format("Deploy.rolledBack", c.model,
                            "A/B test inconclusive and no approval configured"));
                }
                DeployFlow.afterApproval(s, request.target, c, Approval.automatic("A/B verdict " + c.verdict));
                return;
            }
            Instant deadline = Instant.now().plus(request.approval.timeout(
                    services.configuration().getApprovalTimeout()));
            String key = services.runId() + "/freestyle/" + c.model + "-" + c.challenger;
            services.attach(new PromotionAction(key, c.evidence, request.approval.approverList(), deadline,
                    new FollowUp(request.target, c.withoutEvidence())));
            services.log().println(Messages.format("Approval.waiting", c.model, c.challenger,
                    services.runUrl() + "model-promotion/"));
        }
    }

    /** Promotes or rolls back once someone decided on the page of a finished freestyle build. */
    static final class FollowUp implements AfterDecision {
        private static final long serialVersionUID = 1L;
        private final TargetOptions target;
        private final Checkpoint checkpoint;

        FollowUp(TargetOptions target, Checkpoint checkpoint) {
            this.target = target;
            this.checkpoint = checkpoint;
        }

        @Override
        public void decided(Run<?, ?> run, PromotionAction action, Approval approval) throws Exception {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
            TaskListener pageLog = () -> out;
            StepServices services = new JenkinsStepServices(run, null, pageLog);
            try (Session s = Session.open(services, target)) {
                DeployFlow.afterApproval(s, target, checkpoint, approval);
            } finally {
                for (String line : buffer.toString(StandardCharsets.UTF_8).split("\n")) {
                    if (!line.isBlank()) {
                        action.addOutcome(line);
                    }
                }
            }
        }
    }
}
