package io.jenkins.plugins.modeldeploy.jenkins.steps;

import hudson.Extension;
import hudson.util.FormValidation;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.jenkins.config.Validation;
import io.jenkins.plugins.modeldeploy.jenkins.engine.TargetOptions;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import java.util.LinkedHashMap;
import java.util.Optional;
import org.jenkinsci.Symbol;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

/**
 * {@code rollbackModel}: moves production back to a kept version ({@code toVersion}, default: the one that served
 * before), its exact image scaled back up before one routing change; while a deployment is in progress, ends it
 * instead. Safe to repeat. Returns {@code production} (the version serving afterwards) and {@code phase}.
 */
public final class RollbackModelStep extends TargetStep {
    private final String model;
    private String reason = "rollbackModel";
    private String toVersion;

    @DataBoundConstructor
    public RollbackModelStep(String model) {
        Validation.require(Validation.dnsLabel("model", model, true));
        this.model = model;
    }

    public String getModel() {
        return model;
    }

    public String getReason() {
        return reason;
    }

    /** Recorded in the rollback event and the model's annotations. */
    @DataBoundSetter
    public void setReason(String reason) {
        this.reason = Validation.blank(reason) ? "rollbackModel" : reason.trim();
    }

    public String getToVersion() {
        return toVersion;
    }

    /** The kept version to bring back; default: the one that served before the current production version. */
    @DataBoundSetter
    public void setToVersion(String toVersion) {
        Validation.require(Validation.dnsLabel("toVersion", toVersion, false));
        this.toVersion = Validation.blank(toVersion) ? null : toVersion.trim();
    }

    @Override
    public StepExecution start(StepContext context) {
        return new Execution(context, model, reason, toVersion, targetOptions(), null);
    }

    /** Rolls back on a worker thread. */
    public static final class Execution extends BackgroundExecution {
        private static final long serialVersionUID = 1L;
        private final String model;
        private final String reason;
        private final String toVersion;
        private final TargetOptions target;

        Execution(
                StepContext context,
                String model,
                String reason,
                String toVersion,
                TargetOptions target,
                StepServices services) {
            super(context, "rollbackModel", services);
            this.model = model;
            this.reason = reason;
            this.toVersion = toVersion;
            this.target = target;
        }

        @Override
        protected Object run(StepServices services) throws Exception {
            try (Session s = Session.open(services, target)) {
                status("rolling back " + model);
                String model = this.model; // the work below travels to the agent: it captures no execution
                String reason = this.reason;
                String toVersion = this.toVersion;
                return s.onAgent(a -> {
                    ReleaseState state = DeployFlow.lifecycle(a)
                            .releases()
                            .rollBack(
                                    model,
                                    Optional.ofNullable(toVersion),
                                    reason,
                                    a.runUrl(),
                                    DeployFlow.keepPrevious(null));
                    a.log(Messages.Deploy_rolledBack(model, reason));
                    LinkedHashMap<String, Object> result = new LinkedHashMap<>();
                    result.put("production", state.production().orElse(""));
                    result.put("phase", state.phase().name());
                    return result;
                });
            }
        }
    }

    @Extension
    @Symbol("rollbackModel")
    public static final class DescriptorImpl extends TargetStepDescriptor {
        @Override
        public String getFunctionName() {
            return "rollbackModel";
        }

        @Override
        public String getDisplayName() {
            return Messages.Step_rollbackModel_displayName();
        }

        public FormValidation doCheckModel(@QueryParameter String value) {
            return Validation.form(Validation.dnsLabel("model", value, true));
        }

        public FormValidation doCheckToVersion(@QueryParameter String value) {
            return Validation.form(Validation.dnsLabel("toVersion", value, false));
        }
    }
}
