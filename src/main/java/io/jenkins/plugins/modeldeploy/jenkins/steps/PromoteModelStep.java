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
import io.jenkins.plugins.modeldeploy.target.Target;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jenkinsci.Symbol;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

/**
 * {@code promoteModel}: sends all of the stable route to {@code version}. With an {@code approval} block, it first
 * waits (without a thread; outside {@code node} without an executor) for a person on the run's promotion page; a
 * rejection or a timeout rolls back and fails the step. Returns {@code promotedVersion}, {@code previous} and {@code approvedBy}.
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
                Target t = s.target(target());
                Optional<ReleaseState> state = t.releases().load(model);
                previous = state.flatMap(ReleaseState::production).orElse("");
                if (approval == null || !approval.isRequired()) {
                    return afterDecision(s, Approval.automatic("promoteModel without approval"));
                }
                PromotionEvidence evidence = new PromotionEvidence(new PromotionRequest(model, previous, version,
                        state.map(st -> st.digests().get(previous)), state.map(st -> st.digests().get(version)),
                        Optional.empty(), null));
                awaitApproval(s, model, version, evidence, approval.approverList(),
                        approval.timeout(services.configuration().getApprovalTimeout()));
                return PENDING;
            }
        }

        @Override
        protected Object afterDecision(Session s, Approval decision) throws Exception {
            if (!decision.approved()) {
                String reason = "promotion rejected by " + decision.approver()
                        + (decision.comment().isEmpty() ? "" : ": " + decision.comment());
                s.engine.rollback(s.target(target()), model, reason);
                throw new AbortException(Messages.format("Deploy.rolledBack", model, reason));
            }
            s.engine.promote(s.target(target()), model, version, decision);
            s.services.log().println(Messages.format("Deploy.promoted", model, version));
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("promotedVersion", version);
            result.put("previous", previous);
            result.put("approvedBy", decision.approver());
            return result;
        }

        @Override
        protected void afterTimeout(Session s) throws Exception {
            s.engine.rollback(s.target(target()), model, "no decision on the promotion in time");
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
            return Messages.format("Step.promoteModel.displayName");
        }

        public FormValidation doCheckModel(@QueryParameter String value) {
            return Validation.form(Validation.dnsLabel("model", value, true));
        }

        public FormValidation doCheckVersion(@QueryParameter String value) {
            return Validation.form(Validation.dnsLabel("version", value, true));
        }
    }
}
