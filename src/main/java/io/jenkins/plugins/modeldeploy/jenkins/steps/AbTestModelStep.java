package io.jenkins.plugins.modeldeploy.jenkins.steps;

import hudson.AbortException;

import java.util.List;

import java.nio.file.Path;

import io.jenkins.plugins.modeldeploy.smoke.Payload;

import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan;

import io.jenkins.plugins.modeldeploy.model.ModelVersion;

import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;

import hudson.Extension;
import hudson.util.FormValidation;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentResult;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.jenkins.config.Validation;
import io.jenkins.plugins.modeldeploy.jenkins.engine.TargetOptions;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import io.jenkins.plugins.modeldeploy.target.Target;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jenkinsci.Symbol;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

/**
 * {@code abTestModel}: splits the stable route between production ({@code champion}, default: the version that
 * serves production now) and {@code challenger}, measures both and decides. Leaves the split as it found it.
 * Returns {@code verdict} (PROMOTE, ROLLBACK or INCONCLUSIVE), {@code reasons}, {@code champion},
 * {@code challenger}; it does not fail the build on a ROLLBACK verdict: the Jenkinsfile decides.
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
        Validation.require(Validation.dnsLabel("model", model, true),
                Validation.dnsLabel("challenger", challenger, true));
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

    /** The challenger's model directory in the workspace: its sample requests are the synthetic traffic. */
    @DataBoundSetter
    public void setModelDir(String modelDir) {
        Validation.require(Validation.relativePath("modelDir", modelDir));
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
                Target t = s.target(target);
                String production = !Validation.blank(champion) ? champion : t.releases().load(model)
                        .flatMap(ReleaseState::production).orElseThrow(() -> new IllegalArgumentException(
                                "champion: no version of " + model + " serves production yet, so there is nothing to"
                                        + " A/B test against; promote a first version with promoteModel"));
                status("A/B test " + production + " vs " + challenger);
                double slo = sloP99Ms != null ? sloP99Ms : services.configuration().getDefaultP99Ms();
                ExperimentPlan plan = abTest.plan(model, production, challenger, slo);
                List<Payload> samples = List.of();
                if (modelDir != null) {
                    Path dir = services.modelDirectory(modelDir);
                    samples = DeployFlow.samples(ModelVersion.of(new ModelSpecLoader().load(dir), challenger,
                            "challenger"));
                }
                if (plan.syntheticRate().isPresent() && samples.isEmpty()) {
                    throw new AbortException(Messages.format("AbTest.samplesRequired", model));
                }
                ExperimentResult result = s.engine.abTest(t, plan, samples);
                services.log().println(Messages.format("Deploy.verdict", model, challenger, result.summary()));
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("verdict", result.verdict().name());
                out.put("reasons", new ArrayList<>(result.reasons()));
                out.put("champion", production);
                out.put("challenger", challenger);
                out.put("championRequests", result.champion().requests());
                out.put("challengerRequests", result.challenger().requests());
                return out;
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
            return Messages.format("Step.abTestModel.displayName");
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
