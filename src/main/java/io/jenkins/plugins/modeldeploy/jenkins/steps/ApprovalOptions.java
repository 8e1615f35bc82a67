package io.jenkins.plugins.modeldeploy.jenkins.steps;

import hudson.Extension;
import hudson.model.AbstractDescribableImpl;
import hudson.model.Descriptor;
import hudson.util.FormValidation;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.jenkins.config.Durations;
import io.jenkins.plugins.modeldeploy.jenkins.config.Validation;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

/**
 * Whether a person must approve the promotion on the run's promotion page, who may, and how long to wait before
 * rolling back. Without {@code required}, a PROMOTE verdict promotes at once.
 */
public final class ApprovalOptions extends AbstractDescribableImpl<ApprovalOptions> implements Serializable {
    private static final long serialVersionUID = 1L;

    private boolean required = true;
    private String approvers;
    private String timeout;

    @DataBoundConstructor
    public ApprovalOptions() {}

    public boolean isRequired() {
        return required;
    }

    @DataBoundSetter
    public void setRequired(boolean required) {
        this.required = required;
    }

    /** Comma-separated user IDs or group names; empty: anyone with ModelDeploy/Promote on the job. */
    public String getApprovers() {
        return approvers;
    }

    @DataBoundSetter
    public void setApprovers(String approvers) {
        Validation.require(Validation.approvers("approval.approvers", approvers));
        this.approvers = Validation.blank(approvers) ? null : approvers.trim();
    }

    public List<String> approverList() {
        return Validation.list(approvers);
    }

    /** How long to wait for a decision; default: the global configuration's approval timeout. */
    public String getTimeout() {
        return timeout;
    }

    @DataBoundSetter
    public void setTimeout(String timeout) {
        Validation.require(Validation.duration("approval.timeout", timeout, false));
        this.timeout = Validation.blank(timeout) ? null : timeout.trim();
    }

    public Duration timeout(String globalDefault) {
        return Durations.parsePositive(Validation.blank(timeout) ? globalDefault : timeout, "approval.timeout");
    }

    @Extension
    @Symbol("modelApproval")
    public static final class DescriptorImpl extends Descriptor<ApprovalOptions> {
        @Override
        public String getDisplayName() {
            return Messages.Options_approval_displayName();
        }

        public FormValidation doCheckApprovers(@QueryParameter String value) {
            return Validation.form(Validation.approvers("approval.approvers", value));
        }

        public FormValidation doCheckTimeout(@QueryParameter String value) {
            return Validation.form(Validation.duration("approval.timeout", value, false));
        }
    }
}
