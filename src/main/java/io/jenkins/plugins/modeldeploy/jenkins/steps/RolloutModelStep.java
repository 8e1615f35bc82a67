package io.jenkins.plugins.modeldeploy.jenkins.steps;

import hudson.Extension;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.jenkins.config.Validation;
import io.jenkins.plugins.modeldeploy.jenkins.engine.TargetOptions;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.pipeline.DeployPlan;
import io.jenkins.plugins.modeldeploy.pipeline.Lifecycle;
import io.jenkins.plugins.modeldeploy.target.DeployedVersion;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jenkinsci.Symbol;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * {@code rolloutModel}: rolls a built image out as a new version and routes {@code /models/m/v} to it (the stable
 * route is untouched). Waits until it serves or fails; the watcher's progress appears in the log as it happens.
 * Returns {@code model}, {@code version}, {@code endpoint} and {@code readyReplicas}.
 */
public final class RolloutModelStep extends TargetStep {
    private final String modelDir;
    private final String image;
    private String version;
    private String rolloutTimeout;
    private String keepPrevious;

    /** @param image the image by digest, e.g. the {@code image} that {@code buildModelImage} returns */
    @DataBoundConstructor
    public RolloutModelStep(String modelDir, String image) {
        Validation.require(Validation.relativePath("modelDir", modelDir));
        if (Validation.blank(image) || !image.contains("@sha256:")) {
            throw new IllegalArgumentException(
                    "image: \"" + image + "\" must be pinned by digest (repository@sha256:…),"
                            + " e.g. the image that buildModelImage returns");
        }
        this.modelDir = modelDir;
        this.image = image.trim();
    }

    public String getModelDir() {
        return modelDir;
    }

    public String getImage() {
        return image;
    }

    public String getVersion() {
        return version;
    }

    @DataBoundSetter
    public void setVersion(String version) {
        Validation.require(Validation.dnsLabel("version", version, false));
        this.version = trim(version);
    }

    public String getRolloutTimeout() {
        return rolloutTimeout;
    }

    @DataBoundSetter
    public void setRolloutTimeout(String rolloutTimeout) {
        Validation.require(Validation.duration("rolloutTimeout", rolloutTimeout, false));
        this.rolloutTimeout = trim(rolloutTimeout);
    }

    public String getKeepPrevious() {
        return keepPrevious;
    }

    /** How long the version this one replaces keeps running once it is promoted; default 1h, 0: none. */
    @DataBoundSetter
    public void setKeepPrevious(String keepPrevious) {
        Validation.require(Validation.durationOrZero("keepPrevious", keepPrevious));
        this.keepPrevious = trim(keepPrevious);
    }

    @Override
    public StepExecution start(StepContext context) {
        return new Execution(context, this, targetOptions(), null);
    }

    /** Rolls out on a worker thread. */
    public static final class Execution extends BackgroundExecution {
        private static final long serialVersionUID = 1L;
        private final String modelDir;
        private final String image;
        private final String version;
        private final String timeout;
        private final String keepPrevious;
        private final TargetOptions target;

        Execution(StepContext context, RolloutModelStep step, TargetOptions target, StepServices services) {
            super(context, "rolloutModel", services);
            this.modelDir = step.modelDir;
            this.image = step.image;
            this.version = step.version;
            this.timeout = step.rolloutTimeout;
            this.keepPrevious = step.keepPrevious;
            this.target = target;
        }

        @Override
        protected Object run(StepServices services) throws Exception {
            try (Session s = Session.open(services, target)) {
                status("rolling out " + modelDir);
                String modelDir = this.modelDir; // the work below travels to the agent: it captures no execution
                String version = this.version;
                String image = this.image;
                String timeout = this.timeout;
                String keepPrevious = this.keepPrevious;
                return DeployFlow.completeIfEnded(
                        s.onAgent(a -> {
                            ModelVersion v = DeployFlow.version(a, modelDir, version);
                            DeployPlan plan = new DeployPlan(
                                    v,
                                    Optional.empty(),
                                    Optional.of(image),
                                    Map.of("build-url", a.runUrl()),
                                    DeployFlow.rolloutTimeout(timeout),
                                    Optional.empty(),
                                    DeployPlan.ExperimentSettings.defaults(),
                                    Duration.ZERO,
                                    DeployFlow.keepPrevious(keepPrevious),
                                    a.kubernetes().onFailure(),
                                    a.runUrl());
                            Lifecycle.Progress progress =
                                    DeployFlow.lifecycle(a).rollout(plan);
                            if (progress instanceof Lifecycle.Finished finished) {
                                return DeployFlow.Ended.of(finished.outcome(), Map.of()); // the rollout failed
                            }
                            DeployedVersion deployed =
                                    progress.outcome().deployed().orElseThrow();
                            LinkedHashMap<String, Object> result = new LinkedHashMap<>();
                            result.put("model", v.name());
                            result.put("version", v.version());
                            result.put("endpoint", deployed.endpoint().toString());
                            result.put("readyReplicas", deployed.readyReplicas());
                            return result;
                        }),
                        services);
            }
        }
    }

    @Extension
    @Symbol("rolloutModel")
    public static final class DescriptorImpl extends WorkspaceStepDescriptor {
        @Override
        public String getFunctionName() {
            return "rolloutModel";
        }

        @Override
        public String getDisplayName() {
            return Messages.Step_rolloutModel_displayName();
        }
    }
}
