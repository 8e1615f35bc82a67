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
 * {@code undeployModel}: removes one version of a model (its objects, its route, what the release state knew of it),
 * or, without {@code version}, the whole model (every version, its routes and its release state). The production
 * version is only removed with {@code force} (the model is then left without production); a version being deployed
 * is taken out as an aborted run. Returns {@code model}, {@code version} (null: the whole model) and
 * {@code production} (the version serving afterwards, null when none).
 */
public final class UndeployModelStep extends TargetStep {
    private final String model;
    private String version;
    private boolean force;

    @DataBoundConstructor
    public UndeployModelStep(String model) {
        Validation.require(Validation.dnsLabel("model", model, true));
        this.model = model;
    }

    public String getModel() {
        return model;
    }

    public String getVersion() {
        return version;
    }

    /** The version to remove; default: the whole model. */
    @DataBoundSetter
    public void setVersion(String version) {
        Validation.require(Validation.dnsLabel("version", version, false));
        this.version = trim(version);
    }

    public boolean isForce() {
        return force;
    }

    /** Allows removing the version that serves production (the model is then left without one). */
    @DataBoundSetter
    public void setForce(boolean force) {
        this.force = force;
    }

    @Override
    public StepExecution start(StepContext context) {
        return new Execution(context, model, version, force, targetOptions(), null);
    }

    /** Undeploys on a worker thread. */
    public static final class Execution extends BackgroundExecution {
        private static final long serialVersionUID = 1L;
        private final String model;
        private final String version;
        private final boolean force;
        private final TargetOptions target;

        Execution(
                StepContext context,
                String model,
                String version,
                boolean force,
                TargetOptions target,
                StepServices services) {
            super(context, "undeployModel", services);
            this.model = model;
            this.version = version;
            this.force = force;
            this.target = target;
        }

        @Override
        protected Object run(StepServices services) throws Exception {
            try (Session s = Session.open(services, target)) {
                status("undeploying " + (version == null ? model : model + "-" + version));
                String model = this.model; // the work below travels to the agent: it captures no execution
                String version = this.version;
                boolean force = this.force;
                return s.onAgent(a -> {
                    DeployFlow.lifecycle(a).releases().undeploy(model, Optional.ofNullable(version), force, a.runUrl());
                    Optional<String> production =
                            a.target().releases().load(model).flatMap(ReleaseState::production);
                    a.log(
                            version == null
                                    ? Messages.Undeploy_model(model)
                                    : Messages.Undeploy_version(model, version, production.orElse("none")));
                    LinkedHashMap<String, Object> result = new LinkedHashMap<>();
                    result.put("model", model);
                    result.put("version", version);
                    result.put("production", production.orElse(null));
                    return result;
                });
            }
        }
    }

    @Extension
    @Symbol("undeployModel")
    public static final class DescriptorImpl extends TargetStepDescriptor {
        @Override
        public String getFunctionName() {
            return "undeployModel";
        }

        @Override
        public String getDisplayName() {
            return Messages.Step_undeployModel_displayName();
        }

        public FormValidation doCheckModel(@QueryParameter String value) {
            return Validation.form(Validation.dnsLabel("model", value, true));
        }

        public FormValidation doCheckVersion(@QueryParameter String value) {
            return Validation.form(Validation.dnsLabel("version", value, false));
        }
    }
}
