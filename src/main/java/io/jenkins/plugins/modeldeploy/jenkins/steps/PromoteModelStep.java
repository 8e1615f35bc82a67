package io.jenkins.plugins.modeldeploy.jenkins.steps;

import hudson.AbortException;
import hudson.Extension;
import hudson.util.FormValidation;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.jenkins.config.Validation;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionEvidence;
import io.jenkins.plugins.modeldeploy.pipeline.Approval;
import io.jenkins.plugins.modeldeploy.pipeline.DeployOutcome;
import io.jenkins.plugins.modeldeploy.pipeline.PromotionRequest;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import java.time.Duration;
import java.util.LinkedHashMap;
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
                String model = this.model; // the work below travels to the agent: it captures no execution
                String version = this.version;
                boolean automatic = approval == null || !approval.isRequired();
                Waiting waiting = s.onAgent(a -> {
                    String production = a.target()
                            .releases()
                            .load(model)
                            .flatMap(ReleaseState::production)
                            .orElse("");
                    if (automatic) {
                        return new Waiting(production, null);
                    }
                    PromotionRequest request = DeployFlow.lifecycle(a)
                            .awaiting(model, version)
                            .orElseThrow(() -> new AbortException(Messages.Promote_notWaiting(model, version)));
                    return new Waiting(production, new PromotionEvidence(request));
                });
                previous = waiting.production;
                if (automatic) {
                    return afterDecision(s, Approval.automatic("promoteModel without approval"));
                }
                awaitApproval(
                        s,
                        model,
                        version,
                        waiting.evidence,
                        approval.approverList(),
                        approval.timeout(services.configuration().getApprovalTimeout()));
                return PENDING;
            }
        }

        @Override
        protected Object afterDecision(Session s, Approval decision) throws Exception {
            String model = this.model; // the work below travels to the agent: it captures no execution
            String version = this.version;
            String previous = this.previous;
            return DeployFlow.complete(
                    s.onAgent(a -> {
                        DeployOutcome outcome = DeployFlow.lifecycle(a).decide(model, version, decision);
                        LinkedHashMap<String, Object> result = new LinkedHashMap<>();
                        result.put("promotedVersion", outcome.succeeded() ? version : null);
                        result.put("previous", previous);
                        result.put("approvedBy", decision.approver());
                        result.put("outcome", outcome.outcome().map(Enum::name).orElse(null));
                        result.put("production", outcome.production().orElse(null));
                        return DeployFlow.Ended.of(outcome, result);
                    }),
                    s.services);
        }

        @Override
        protected void afterTimeout(Session s, Duration waited) throws Exception {
            String model = this.model;
            String version = this.version;
            s.onAgent(a -> {
                DeployFlow.lifecycle(a).expire(model, version, waited);
                return null;
            });
        }

        /** What the agent found: production before the promotion, and the evidence of the version waiting. */
        private static final class Waiting implements java.io.Serializable {
            private static final long serialVersionUID = 1L;
            final String production;
            final PromotionEvidence evidence;

            Waiting(String production, PromotionEvidence evidence) {
                this.production = production;
                this.evidence = evidence;
            }
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
