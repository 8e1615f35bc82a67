package io.jenkins.plugins.modeldeploy.jenkins.steps;

import hudson.AbortException;
import hudson.Extension;
import hudson.util.FormValidation;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.jenkins.config.Validation;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionEvidence;
import io.jenkins.plugins.modeldeploy.pipeline.Approval;
import io.jenkins.plugins.modeldeploy.pipeline.PromotionRequest;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import io.jenkins.plugins.modeldeploy.pipeline.DeployOutcome;
import io.jenkins.plugins.modeldeploy.pipeline.Lifecycle;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jenkinsci.Symbol;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

/**
 * {@code promoteModel}: the decision on a version whose A/B test found it fit ({@code abTestModel}). With an
 * {@code approval} block, it first waits (without a thread; outside {@code node} without an executor) for a person on
 * the run's promotion page; the lifecycle then promotes it, or takes it out on a rejection or a timeout (the step
 * fails). Returns {@code promotedVersion}, {@code previous}, {@code approvedBy}, {@code outcome} and
 * {@code production}.
 */
public final class PromoteModelStep extends TargetStep {
    private final String model;
    private final String version;
    private ApprovalOptions approval;

    @DataBoundConstructor
    public PromoteModelStep(String model, String version) {
        Validation.require(Validation.dnsLabel("model", model, true), Validation.dnsLabel("version", version, true));
        this.model = model;
        this.version = version;
    }

    public String getModel() {
        return model;
    }

    public String getVersion() {
        return version;
    }

    public ApprovalOptions getApproval() {
        return approval;
    }

    @DataBoundSetter
    public void setApproval(ApprovalOptions approval) {
        this.approval = approval;
    }

    @Override
    public StepExecution start(StepContext context) {
        return new Execution(context, this, null);
    }

    /** Promotes on a worker thread, after an asynchronous approval when one is asked for. */
    public static final class Execution extends ApprovingExecution {
        private static final long serialVersionUID = 1L;
        private final String model;
        private final String version;
        private final ApprovalOptions approval;
        private String previous = "";

        Execution(StepContext context, PromoteModelStep step, StepServices services) {
            super(context, "promoteModel", step.targetOptions(), services);
            this.model = step.model;
            this.version = step.version;
            this.approval = step.approval;
        }

        @Override
        protected Object run(StepServices services) throws Exception {
            try (Session s = Session.open(services, target())) {
                Lifecycle lifecycle = DeployFlow.lifecycle(s, target());
                previous = s.target(target()).releases().load(model).flatMap(ReleaseState::production).orElse("");
                if (approval == null || !approval.isRequired()) {
                    return afterDecision(s, Approval.automatic("promoteModel without approval"));
                }
                PromotionRequest request = lifecycle.awaiting(model, version).orElseThrow(() -> new AbortException(
                        Messages.Promote_notWaiting(model, version)));
                awaitApproval(s, model, version, new PromotionEvidence(request), approval.approverList(),
                        approval.timeout(services.configuration().getApprovalTimeout()));
                return PENDING;
            }
        }

        @Override
        protected Object afterDecision(Session s, Approval decision) throws Exception {
            DeployOutcome outcome = DeployFlow.lifecycle(s, target()).decide(model, version, decision);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("promotedVersion", outcome.succeeded() ? version : null);
            result.put("previous", previous);
            result.put("approvedBy", decision.approver());
            result.put("outcome", outcome.outcome().map(Enum::name).orElse(null));
            result.put("production", outcome.production().orElse(null));
            return DeployFlow.complete(outcome, result, s.services);
        }

        @Override
        protected void afterTimeout(Session s, Duration waited) throws Exception {
            DeployFlow.lifecycle(s, target()).expire(model, version, waited);
        }
    }

    @Extension
    @Symbol("promoteModel")
    public static final class DescriptorImpl extends TargetStepDescriptor {
        @Override
        public String getFunctionName() {
            return "promoteModel";
        }

        @Override
        public String getDisplayName() {
            return Messages.Step_promoteModel_displayName();
        }

        public FormValidation doCheckModel(@QueryParameter String value) {
            return Validation.form(Validation.dnsLabel("model", value, true));
        }

        public FormValidation doCheckVersion(@QueryParameter String value) {
            return Validation.form(Validation.dnsLabel("version", value, true));
        }
    }
}
