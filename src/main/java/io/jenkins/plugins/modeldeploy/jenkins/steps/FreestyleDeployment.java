package io.jenkins.plugins.modeldeploy.jenkins.steps;

import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.jenkins.engine.TargetOptions;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.AfterDecision;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionAction;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionEvidence;
import io.jenkins.plugins.modeldeploy.pipeline.Approval;
import io.jenkins.plugins.modeldeploy.pipeline.DeployOutcome;
import io.jenkins.plugins.modeldeploy.pipeline.Lifecycle;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The freestyle build step's driver of the lifecycle: the same {@link Lifecycle#start} as {@code deployModel} within
 * the build; when the A/B test found the version fit and approval is required, the build ends and the promotion page
 * carries the decision out later ({@link FollowUp}), its log lines going to the page instead of the finished build's
 * console.
 */
public final class FreestyleDeployment {
    private FreestyleDeployment() {}

    public static void run(StepServices services, DeployRequest request) throws Exception {
        try (Session s = Session.open(services, request.target)) {
            Duration timeout = request.approvalTimeout(services.configuration().getApprovalTimeout());
            Lifecycle.Progress progress = DeployFlow.lifecycle(s, request.target)
                    .start(DeployFlow.plan(s, request, timeout));
            var result = DeployFlow.summary(progress.outcome(), Map.of());
            if (!(progress instanceof Lifecycle.AwaitingApproval waiting)) {
                DeployFlow.complete(progress.outcome(), result, services);
                return;
            }
            String model = waiting.outcome().model();
            String version = waiting.outcome().version();
            if (!request.approvalRequired()) {
                DeployOutcome outcome = DeployFlow.lifecycle(s, request.target).decide(model, version,
                        Approval.automatic("freestyle step without an approval block"));
                DeployFlow.complete(outcome, DeployFlow.summary(outcome, result), services);
                return;
            }
            Instant deadline = Instant.now().plus(timeout);
            String key = services.runId() + "/freestyle/" + model + "-" + version;
            services.attach(new PromotionAction(key, new PromotionEvidence(waiting.request()),
                    request.approval.approverList(), deadline, new FollowUp(request.target, model, version)));
            services.log().println(Messages.format("Approval.waiting", model, version,
                    services.runUrl() + "model-promotion/"));
        }
    }

    /** Carries out the decision taken on the page of a finished freestyle build. */
    static final class FollowUp implements AfterDecision {
        private static final long serialVersionUID = 2L;
        private final TargetOptions target;
        private final String model;
        private final String version;

        FollowUp(TargetOptions target, String model, String version) {
            this.target = target;
            this.model = model;
            this.version = version;
        }

        @Override
        public void decided(Run<?, ?> run, PromotionAction action, Approval approval) throws Exception {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
            TaskListener pageLog = () -> out;
            StepServices services = new JenkinsStepServices(run, null, pageLog);
            try (Session s = Session.open(services, target)) {
                DeployOutcome outcome = DeployFlow.lifecycle(s, target).decide(model, version, approval);
                services.log().println(Messages.format("Deploy.ended", model, version,
                        outcome.outcome().map(Enum::name).orElse("?"), outcome.reason(),
                        outcome.production().orElse("none")));
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
