package io.jenkins.plugins.modeldeploy.jenkins.steps;

import hudson.AbortException;
import hudson.Extension;
import hudson.util.FormValidation;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.jenkins.config.Validation;
import io.jenkins.plugins.modeldeploy.jenkins.engine.TargetOptions;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.model.SpecOverride;
import io.jenkins.plugins.modeldeploy.pipeline.DeployOutcome;
import io.jenkins.plugins.modeldeploy.pipeline.ExperimentJson;
import io.jenkins.plugins.modeldeploy.pipeline.Lifecycle;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import org.jenkinsci.Symbol;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

/**
 * {@code abTestModel}: the lifecycle's A/B test of {@code challenger} (rolled out and smoke-tested by the finer steps)
 * against the production version. The lifecycle acts on the verdict: PROMOTE waits for {@code promoteModel};
 * ROLLBACK or INCONCLUSIVE take the challenger out. Returns {@code verdict}, {@code reasons}, {@code champion},
 * {@code challenger}, {@code outcome} (null while the version waits for promotion) and {@code production}; it does not
 * fail the build: the Jenkinsfile decides what an ended run means for it.
 */
public final class AbTestModelStep extends TargetStep {
    private final String model;
    private final String challenger;
    private String champion;
    private Double sloP99Ms;
    private AbTestOptions abTest;
    private String modelDir;

    @DataBoundConstructor
    public AbTestModelStep(String model, String challenger) {
        Validation.require(
                Validation.dnsLabel("model", model, true), Validation.dnsLabel("challenger", challenger, true));
        this.model = model;
        this.challenger = challenger;
    }

    public String getModel() {
        return model;
    }

    public String getChallenger() {
        return challenger;
    }

    public String getChampion() {
        return champion;
    }

    @DataBoundSetter
    public void setChampion(String champion) {
        Validation.require(Validation.dnsLabel("champion", champion, false));
        this.champion = trim(champion);
    }

    public Double getSloP99Ms() {
        return sloP99Ms;
    }

    /** Answers slower than this count as SLO violations; default: the global default SLO. */
    @DataBoundSetter
    public void setSloP99Ms(Double sloP99Ms) {
        if (sloP99Ms != null) {
            Validation.require(Validation.range("sloP99Ms", sloP99Ms, 0.001, 600_000));
        }
        this.sloP99Ms = sloP99Ms;
    }

    public AbTestOptions getAbTest() {
        return abTest;
    }

    @DataBoundSetter
    public void setAbTest(AbTestOptions abTest) {
        this.abTest = abTest;
    }

    public String getModelDir() {
        return modelDir;
    }

    /**
     * The challenger's model directory in the workspace: its sample requests are the synthetic traffic. Optional:
     * blank (an empty form field) means none.
     */
    @DataBoundSetter
    public void setModelDir(String modelDir) {
        if (!Validation.blank(modelDir)) {
            Validation.require(Validation.relativePath("modelDir", modelDir));
        }
        this.modelDir = Validation.blank(modelDir) ? null : modelDir.trim();
    }

    @Override
    public StepExecution start(StepContext context) {
        return new Execution(context, this, targetOptions(), null);
    }

    /** Runs the experiment on a worker thread. */
    public static final class Execution extends BackgroundExecution {
        private static final long serialVersionUID = 1L;
        private final String model;
        private final String challenger;
        private final String champion;
        private final Double sloP99Ms;
        private final AbTestOptions abTest;
        private final String modelDir;
        private final TargetOptions target;

        Execution(StepContext context, AbTestModelStep step, TargetOptions target, StepServices services) {
            super(context, "abTestModel", services);
            this.model = step.model;
            this.challenger = step.challenger;
            this.champion = step.champion;
            this.sloP99Ms = step.sloP99Ms;
            this.abTest = step.abTest == null ? new AbTestOptions() : step.abTest;
            this.modelDir = step.modelDir;
            this.target = target;
        }

        @Override
        protected Object run(StepServices services) throws Exception {
            try (Session s = Session.open(services, target)) {
                if (modelDir == null) {
                    throw new AbortException(Messages.AbTest_modelDirRequired(model, challenger));
                }
                status("A/B test of " + model + "-" + challenger);
                String model = this.model; // the work below travels to the agent: it captures no execution
                String challenger = this.challenger;
                String champion = this.champion;
                Double sloP99Ms = this.sloP99Ms;
                AbTestOptions abTest = this.abTest;
                String modelDir = this.modelDir;
                return s.onAgent(
                        a -> { // the synthetic traffic comes from the agent, never from the controller
                            Path dir = a.modelDirectory(modelDir);
                            List<SpecOverride> overrides = new ArrayList<>(a.sloDefaults(dir));
                            if (sloP99Ms != null) {
                                overrides.add(new SpecOverride("slo.p99Ms", Double.toString(sloP99Ms), "sloP99Ms"));
                            }
                            ModelVersion version = ModelVersion.of(
                                    new ModelSpecLoader().load(dir, overrides), challenger, "challenger");
                            if (!version.name().equals(model)) {
                                throw new AbortException(Messages.Step_modelMismatch(modelDir, version.name(), model));
                            }
                            Lifecycle lifecycle = DeployFlow.lifecycle(a);
                            Optional<String> production =
                                    a.target().releases().load(model).flatMap(ReleaseState::production);
                            if (!Validation.blank(champion) && !production.equals(Optional.of(champion))) {
                                throw new AbortException("champion: " + champion + " is not the production version of "
                                        + model + " (" + production.orElse("none")
                                        + "); the A/B test compares with production");
                            }
                            Lifecycle.Progress progress = lifecycle.abTest(
                                    version, abTest.settings(), DeployOutcome.begin(model, challenger));
                            DeployOutcome outcome = progress.outcome();
                            outcome.experiment()
                                    .ifPresent(e -> a.log(Messages.Deploy_verdict(model, challenger, e.summary())));
                            LinkedHashMap<String, Object> out = new LinkedHashMap<>();
                            out.put("verdict", outcome.verdict().map(Enum::name).orElse(null));
                            out.put(
                                    "reasons",
                                    new ArrayList<>(outcome.experiment()
                                            .map(e -> e.reasons())
                                            .orElse(List.of(outcome.reason()))));
                            out.put("champion", production.orElse(null));
                            out.put("challenger", challenger);
                            out.put("outcome", outcome.outcome().map(Enum::name).orElse(null));
                            out.put("production", outcome.production().orElse(null));
                            outcome.experiment().ifPresent(e -> {
                                out.put("championRequests", e.champion().requests());
                                out.put("challengerRequests", e.challenger().requests());
                                out.put("quality", ExperimentJson.quality(e));
                                if (e.plan().mode() == ExperimentPlan.Mode.SHADOW) {
                                    out.put("shadowAgreement", e.shadow().agreementRate());
                                    out.put("shadowCompared", e.shadow().compared());
                                }
                            });
                            return out;
                        });
            }
        }
    }

    @Extension
    @Symbol("abTestModel")
    public static final class DescriptorImpl extends TargetStepDescriptor {
        @Override
        public String getFunctionName() {
            return "abTestModel";
        }

        @Override
        public String getDisplayName() {
            return Messages.Step_abTestModel_displayName();
        }

        public FormValidation doCheckModel(@QueryParameter String value) {
            return Validation.form(Validation.dnsLabel("model", value, true));
        }

        public FormValidation doCheckChallenger(@QueryParameter String value) {
            return Validation.form(Validation.dnsLabel("challenger", value, true));
        }

        public FormValidation doCheckChampion(@QueryParameter String value) {
            return Validation.form(Validation.dnsLabel("champion", value, false));
        }

        public FormValidation doCheckSloP99Ms(@QueryParameter String value) {
            return Validation.form(Validation.number("sloP99Ms", value, 0.001, 600_000));
        }
    }
}
