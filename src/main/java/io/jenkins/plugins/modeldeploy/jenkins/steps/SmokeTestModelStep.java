package io.jenkins.plugins.modeldeploy.jenkins.steps;

import hudson.AbortException;
import hudson.Extension;
import hudson.util.FormValidation;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.jenkins.config.Validation;
import io.jenkins.plugins.modeldeploy.jenkins.engine.TargetOptions;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.pipeline.DeployOutcome;
import io.jenkins.plugins.modeldeploy.pipeline.Lifecycle;
import io.jenkins.plugins.modeldeploy.smoke.SmokeResult;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.Optional;
import org.jenkinsci.Symbol;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

/**
 * {@code smokeTestModel}: open-loop load on a rolled-out version's own endpoint, judged against its SLO (or the
 * {@code smoke} limits). Returns the summary map ({@code passed}, {@code requests}, {@code p50Ms}, {@code p99Ms},
 * {@code errorRate}, {@code reasons}); fails the build on a violation unless {@code failOnViolation} is false.
 */
public final class SmokeTestModelStep extends TargetStep {
    private final String model;
    private final String version;
    private final String endpoint;
    private final String modelDir;
    private SmokeOptions smoke;
    private boolean failOnViolation = true;

    /**
     * @param endpoint the version's endpoint, e.g. the {@code endpoint} that {@code rolloutModel} returns
     * @param modelDir the model directory in the workspace: its sample requests are what the smoke test sends, its
     *     SLO the limits. Required, so the Snippet Generator never produces a call that cannot run.
     */
    @DataBoundConstructor
    public SmokeTestModelStep(String model, String version, String endpoint, String modelDir) {
        Validation.require(
                Validation.dnsLabel("model", model, true),
                Validation.dnsLabel("version", version, true),
                Validation.httpUrl("endpoint", endpoint),
                Validation.blank(endpoint) ? Optional.of("endpoint: a value is required") : Optional.empty(),
                Validation.relativePath("modelDir", modelDir));
        this.model = model;
        this.version = version;
        this.endpoint = endpoint.trim();
        this.modelDir = modelDir.trim();
    }

    public String getModel() {
        return model;
    }

    public String getVersion() {
        return version;
    }

    public String getEndpoint() {
        return endpoint;
    }

    public SmokeOptions getSmoke() {
        return smoke;
    }

    @DataBoundSetter
    public void setSmoke(SmokeOptions smoke) {
        this.smoke = smoke;
    }

    public String getModelDir() {
        return modelDir;
    }

    public boolean isFailOnViolation() {
        return failOnViolation;
    }

    @DataBoundSetter
    public void setFailOnViolation(boolean failOnViolation) {
        this.failOnViolation = failOnViolation;
    }

    @Override
    public StepExecution start(StepContext context) {
        return new Execution(context, this, targetOptions(), null);
    }

    /** Runs the load on a worker thread. */
    public static final class Execution extends BackgroundExecution {
        private static final long serialVersionUID = 1L;
        private final String model;
        private final String version;
        private final String endpoint;
        private final SmokeOptions smoke;
        private final boolean failOnViolation;
        private final String modelDir;
        private final TargetOptions target;

        Execution(StepContext context, SmokeTestModelStep step, TargetOptions target, StepServices services) {
            super(context, "smokeTestModel", services);
            this.model = step.model;
            this.version = step.version;
            this.endpoint = step.endpoint;
            this.smoke = step.smoke == null ? new SmokeOptions() : step.smoke;
            this.failOnViolation = step.failOnViolation;
            this.modelDir = step.modelDir;
            this.target = target;
        }

        @Override
        protected Object run(StepServices services) throws Exception {
            try (Session s = Session.open(services, target)) {
                status("smoke test of " + model + "-" + version);
                if (modelDir == null) {
                    throw new AbortException(Messages.Smoke_modelDirRequired(model, version));
                }
                String model = this.model; // the work below travels to the agent: it captures no execution
                String version = this.version;
                String endpoint = this.endpoint;
                String modelDir = this.modelDir;
                SmokeOptions smoke = this.smoke;
                boolean failOnViolation = this.failOnViolation;
                return DeployFlow.completeIfEnded(
                        s.onAgent(
                                a -> { // the load comes from the agent
                                    ModelVersion modelVersion = DeployFlow.version(a, modelDir, version);
                                    if (!modelVersion.name().equals(model)) {
                                        throw new AbortException(
                                                Messages.Step_modelMismatch(modelDir, modelVersion.name(), model));
                                    }
                                    Lifecycle.Progress progress = DeployFlow.lifecycle(a)
                                            .smokeTest(
                                                    modelVersion,
                                                    uri(endpoint),
                                                    smoke.settings(),
                                                    DeployOutcome.begin(model, version));
                                    SmokeResult result =
                                            progress.outcome().smoke().orElseThrow();
                                    a.smokeTested(model, version, result);
                                    LinkedHashMap<String, Object> summary =
                                            new LinkedHashMap<>(DeployFlow.smokeSummary(result));
                                    summary.put(
                                            "outcome",
                                            progress.outcome()
                                                    .outcome()
                                                    .map(Enum::name)
                                                    .orElse(null));
                                    summary.put(
                                            "production",
                                            progress.outcome().production().orElse(null));
                                    if (!result.passed()
                                            && failOnViolation) { // the lifecycle has taken the version out already
                                        return DeployFlow.Ended.of(progress.outcome(), summary);
                                    }
                                    return summary;
                                }),
                        services);
            }
        }

        private static URI uri(String text) throws URISyntaxException {
            return new URI(text);
        }
    }

    @Extension
    @Symbol("smokeTestModel")
    public static final class DescriptorImpl extends TargetStepDescriptor {
        @Override
        public String getFunctionName() {
            return "smokeTestModel";
        }

        @Override
        public String getDisplayName() {
            return Messages.Step_smokeTestModel_displayName();
        }

        public FormValidation doCheckModel(@QueryParameter String value) {
            return Validation.form(Validation.dnsLabel("model", value, true));
        }

        public FormValidation doCheckVersion(@QueryParameter String value) {
            return Validation.form(Validation.dnsLabel("version", value, true));
        }

        public FormValidation doCheckEndpoint(@QueryParameter String value) {
            return Validation.form(
                    Validation.blank(value)
                            ? Optional.of("endpoint: a value is required")
                            : Validation.httpUrl("endpoint", value));
        }

        public FormValidation doCheckModelDir(@QueryParameter String value) {
            return Validation.form(Validation.relativePath("modelDir", value));
        }
    }
}
