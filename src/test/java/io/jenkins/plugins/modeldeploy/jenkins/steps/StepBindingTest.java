package io.jenkins.plugins.modeldeploy.jenkins.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import hudson.util.FormValidation;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan;
import io.jenkins.plugins.modeldeploy.abtest.GatedMetric;
import io.jenkins.plugins.modeldeploy.pipeline.SmokeSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Argument binding (constructor and setters, as Pipeline and the forms bind them) and the defaults. */
class StepBindingTest {
    @Test
    void deployModelDefaultsLeaveEverythingToTheGlobalConfiguration() {
        DeployRequest r = new DeployModelStep("models/iris").request();
        assertThat(r.modelDir).isEqualTo("models/iris");
        assertThat(r.version).isNull(); // the build number, at run time
        assertThat(r.target.cluster).isNull();
        assertThat(r.image.imageRepository).isNull();
        assertThat(r.approvalRequired()).isFalse();
        assertThat(r.smoke.settings()).isEqualTo(SmokeSettings.defaults());
        ExperimentPlan plan = r.abTest.settings().plan("iris", "1", "2", 50);
        assertThat(plan.challengerWeight()).isEqualTo(10);
        assertThat(plan.minDuration()).isEqualTo(Duration.ofMinutes(5));
        assertThat(plan.alpha()).isEqualTo(0.05);
        assertThat(plan.method()).isEqualTo(ExperimentPlan.Method.SEQUENTIAL);
        assertThat(plan.syntheticRate()).isEmpty();
    }

    @Test
    void settersBindAndTrim() {
        DeployModelStep step = new DeployModelStep("models/iris");
        step.setVersion("42");
        step.setImageRepository(" registry.example.com/models/iris ");
        step.setRegistryCredentialsId("registry");
        step.setKubeconfigCredentialsId("kubeconfig");
        step.setNamespace("ml");
        step.setHost("models.example.com");
        step.setEventsUri("amqp://rabbit:5672/");
        SmokeOptions smoke = new SmokeOptions();
        smoke.setRate(50.0);
        smoke.setDuration("1m");
        smoke.setWarmup("10s");
        smoke.setP99Ms(20.0);
        step.setSmoke(smoke);
        AbTestOptions ab = new AbTestOptions();
        ab.setChallengerWeight(25);
        ab.setMethod("fixed_horizon");
        ab.setSyntheticRate(5.0);
        step.setAbTest(ab);
        ApprovalOptions approval = new ApprovalOptions();
        approval.setApprovers("alice, ml-leads");
        step.setApproval(approval);

        DeployRequest r = step.request();
        assertThat(r.version).isEqualTo("42");
        assertThat(r.image.imageRepository).isEqualTo("registry.example.com/models/iris");
        assertThat(r.target.kubeconfigCredentialsId).isEqualTo("kubeconfig");
        assertThat(r.target.namespace).isEqualTo("ml");
        assertThat(r.approvalRequired()).isTrue();
        assertThat(r.approval.approverList()).containsExactly("alice", "ml-leads");
        assertThat(r.approval.timeout("24h")).isEqualTo(Duration.ofHours(24));
        SmokeSettings s = r.smoke.settings();
        assertThat(s.rate()).hasValue(50.0);
        assertThat(s.duration()).isEqualTo(Duration.ofMinutes(1));
        assertThat(s.p99Ms()).hasValue(20.0);
        assertThat(s.maxErrorRate()).isEmpty();
        ExperimentPlan plan = r.abTest.settings().plan("iris", "1", "2", 50);
        assertThat(plan.challengerWeight()).isEqualTo(25);
        assertThat(plan.method()).isEqualTo(ExperimentPlan.Method.FIXED_HORIZON);
        assertThat(plan.syntheticRate()).hasValue(5.0);
    }

    @Test
    void badArgumentsFailAtBindingNamingTheField() {
        assertThatThrownBy(() -> new DeployModelStep("../elsewhere"))
                .hasMessage("modelDir: \"../elsewhere\" must be"
                        + " a path relative to the workspace that stays inside it");
        assertThatThrownBy(() -> new DeployModelStep("m").setVersion("1.0")).hasMessageStartingWith("version:");
        assertThatThrownBy(() -> new AbTestOptions().setChallengerWeight(100))
                .hasMessage("abTest.challengerWeight: 100 is outside 1..99");
        assertThatThrownBy(() -> new AbTestOptions().setMethod("bayesian"))
                .hasMessage("abTest.method: \"bayesian\" must be SEQUENTIAL or FIXED_HORIZON");
        assertThatThrownBy(() -> new SmokeOptions().setMaxErrorRate(2.0))
                .hasMessage("smoke.maxErrorRate: 2 is outside 0..1");
        assertThatThrownBy(() -> new ApprovalOptions().setTimeout("tomorrow"))
                .hasMessageStartingWith("approval.timeout: \"tomorrow\" is not a duration");
        assertThatThrownBy(() -> new RolloutModelStep("m", "registry/iris:7"))
                .hasMessageStartingWith("image: \"registry/iris:7\" must be pinned by digest");
        assertThatThrownBy(() -> new SmokeTestModelStep("iris", "7", "iris-7:8080", "models/iris"))
                .hasMessage("endpoint: \"iris-7:8080\" is not an http:// or https:// URL");
        assertThatThrownBy(() -> new PromoteModelStep("Iris", "7")).hasMessageStartingWith("model: \"Iris\"");
        SmokeOptions smoke = new SmokeOptions();
        smoke.setDuration("5s");
        smoke.setWarmup("5s");
        assertThatThrownBy(smoke::settings).hasMessage("smoke.warmup: 5s must be shorter than smoke.duration 5s");
        AbTestOptions ab = new AbTestOptions();
        ab.setMinDuration("1h");
        ab.setMaxDuration("10m");
        assertThatThrownBy(ab::settings).hasMessage("abTest.maxDuration: 10m is shorter than abTest.minDuration 1h");
    }

    @Test
    void descriptorsValidateFormFieldsWithTheSameMessages() {
        DeployModelStep.DescriptorImpl d = new DeployModelStep.DescriptorImpl();
        assertThat(d.getFunctionName()).isEqualTo("deployModel");
        FormValidation v = d.doCheckModelDir("/etc");
        assertThat(v.kind).isEqualTo(FormValidation.Kind.ERROR);
        assertThat(v.getMessage()).contains("modelDir");
        assertThat(d.doCheckRolloutTimeout("10m").kind).isEqualTo(FormValidation.Kind.OK);
        assertThat(d.doCheckEventsUri("amqp://u:p@rabbit/").getMessage()).contains("credential");
        assertThat(new SmokeOptions.DescriptorImpl().doCheckWarmup("").kind).isEqualTo(FormValidation.Kind.OK);
        assertThat(new AbTestOptions.DescriptorImpl()
                        .doCheckChallengerWeight("0")
                        .getMessage())
                .isEqualTo("abTest.challengerWeight: 0 is outside 1..99");
        assertThat(new java.util.HashSet<Object>(d.getRequiredContext()))
                .contains(hudson.FilePath.class, hudson.model.Run.class, hudson.model.TaskListener.class);
        assertThat(new java.util.HashSet<Object>(new RollbackModelStep.DescriptorImpl().getRequiredContext()))
                .doesNotContain(hudson.FilePath.class);
    }

    @Test
    void abTestGateOptionsFlowIntoThePlanWithTheGateDefaults() {
        ExperimentPlan defaults = new AbTestOptions().settings().plan("iris", "1", "2", 50);
        assertThat(defaults.minimumDetectableEffect()).isEqualTo(0.01);
        assertThat(defaults.gate()).isEqualTo(ExperimentPlan.Gate.DEFAULT);
        assertThat(defaults.gate().kind()).isEqualTo(ExperimentPlan.Gate.Kind.NON_INFERIORITY);

        AbTestOptions ab = new AbTestOptions();
        ab.setMinimumDetectableEffect(0.05);
        ab.setGate("superiority");
        ab.setErrorRateMargin(0.002);
        ab.setSloViolationMargin(0.03);
        assertThat(ab.getGate()).isEqualTo("SUPERIORITY");
        ExperimentPlan plan = ab.settings().plan("iris", "1", "2", 50);
        assertThat(plan.minimumDetectableEffect()).isEqualTo(0.05);
        assertThat(plan.gate()).isEqualTo(new ExperimentPlan.Gate(ExperimentPlan.Gate.Kind.SUPERIORITY, 0.002, 0.03));
    }

    @Test
    void abTestGateOptionsAreValidatedNamingTheField() {
        assertThatThrownBy(() -> new AbTestOptions().setGate("better"))
                .hasMessage("abTest.gate: \"better\" must be NON_INFERIORITY or SUPERIORITY");
        assertThatThrownBy(() -> new AbTestOptions().setMinimumDetectableEffect(0.0))
                .hasMessage("abTest.minimumDetectableEffect: 0 must be at least 0.0001 and less than 1");
        assertThatThrownBy(() -> new AbTestOptions().setErrorRateMargin(1.0))
                .hasMessage("abTest.errorRateMargin: 1 must be at least 0 and less than 1");
        assertThatThrownBy(() -> new AbTestOptions().setSloViolationMargin(-0.1))
                .hasMessage("abTest.sloViolationMargin: -0.1 must be at least 0 and less than 1");
        AbTestOptions.DescriptorImpl d = new AbTestOptions.DescriptorImpl();
        assertThat(d.doCheckGate("non_inferiority").kind).isEqualTo(FormValidation.Kind.OK);
        assertThat(d.doCheckGate("").kind).isEqualTo(FormValidation.Kind.OK);
        assertThat(d.doCheckGate("x").getMessage()).startsWith("abTest.gate:");
        assertThat(d.doCheckMinimumDetectableEffect("0.01").kind).isEqualTo(FormValidation.Kind.OK);
        assertThat(d.doCheckMinimumDetectableEffect("1").getMessage())
                .isEqualTo("abTest.minimumDetectableEffect: 1 must be at least 0.0001 and less than 1");
        assertThat(d.doCheckErrorRateMargin("lots").getMessage())
                .isEqualTo("abTest.errorRateMargin: \"lots\" is not a number");
        assertThat(d.doCheckSloViolationMargin("0").kind).isEqualTo(FormValidation.Kind.OK);
        assertThat(d.doCheckMethod("fixed_horizon").kind).isEqualTo(FormValidation.Kind.OK);
        assertThat(d.doCheckMethod("bayesian").getMessage())
                .isEqualTo("abTest.method: \"bayesian\" must be SEQUENTIAL or FIXED_HORIZON");
    }

    @Test
    void qualityMetricsModeAndStickyHeaderFlowIntoThePlan() {
        ExperimentPlan defaults = new AbTestOptions().settings().plan("iris", "1", "2", 50);
        assertThat(defaults.qualityMetrics()).isEmpty();
        assertThat(defaults.mode()).isEqualTo(ExperimentPlan.Mode.AB);
        assertThat(defaults.stickyHeader()).isEmpty();

        AbTestOptions ab = new AbTestOptions();
        ab.setQualityMetrics(java.util.Arrays.asList(" accuracy;margin=0.02 ", "", "mae;margin=0.5", null));
        ab.setMode(" AB ");
        ab.setStickyHeader(" X-User-Id ");
        assertThat(ab.getQualityMetrics()).containsExactly("accuracy;margin=0.02", "mae;margin=0.5");
        ExperimentPlan plan = ab.settings().plan("iris", "1", "2", 50);
        assertThat(plan.qualityMetrics())
                .extracting(GatedMetric::name, m -> m.margin().getAsDouble())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("accuracy", 0.02),
                        org.assertj.core.groups.Tuple.tuple("mae", 0.5));
        assertThat(plan.mode()).isEqualTo(ExperimentPlan.Mode.AB);
        assertThat(plan.stickyHeader()).contains("X-User-Id");
        ab.setMode("shadow");
        org.assertj.core.api.Assertions.assertThatThrownBy(ab::settings)
                .hasMessageStartingWith(
                        "abTest.qualityMetrics: quality metric accuracy cannot be gated in shadow mode");
        ab.setQualityMetrics(null);
        assertThat(ab.settings().plan("iris", "1", "2", 50).mode()).isEqualTo(ExperimentPlan.Mode.SHADOW);
        ab.setQualityMetrics(java.util.List.of("accuracy;margin=0.02", "mae;margin=0.5"));

        AbTestOptions form = new AbTestOptions();
        form.setQualityMetrics(java.util.List.of("accuracy\r\n\n  mae;margin=0.5  \n"));
        assertThat(form.getQualityMetrics()).containsExactly("accuracy", "mae;margin=0.5");
        assertThat(form.getQualityMetricsText()).isEqualTo("accuracy\nmae;margin=0.5");

        ab.setMode("");
        ab.setStickyHeader(" ");
        ab.setQualityMetrics(null);
        assertThat(ab.settings().plan("iris", "1", "2", 50))
                .extracting(ExperimentPlan::mode, ExperimentPlan::stickyHeader, ExperimentPlan::qualityMetrics)
                .containsExactly(ExperimentPlan.Mode.AB, java.util.Optional.empty(), java.util.List.of());
    }

    @Test
    void qualityMetricsModeAndStickyHeaderAreValidatedNamingTheField() {
        assertThatThrownBy(() -> new AbTestOptions().setQualityMetrics(java.util.List.of("accuracy", "precision")))
                .hasMessageStartingWith("abTest.qualityMetrics[1]: ")
                .hasMessageContaining("precision");
        assertThatThrownBy(() -> new AbTestOptions().setQualityMetrics(java.util.List.of("accuracy", "accuracy")))
                .hasMessage("abTest.qualityMetrics[1]: metric accuracy is given twice");
        assertThatThrownBy(() -> new AbTestOptions().setMode("canary"))
                .hasMessage("abTest.mode: \"canary\" must be ab or shadow");
        assertThatThrownBy(() -> new AbTestOptions().setStickyHeader("X User"))
                .hasMessage("abTest.stickyHeader: \"X User\" is not an HTTP header name");
        AbTestOptions.DescriptorImpl d = new AbTestOptions.DescriptorImpl();
        assertThat(d.doCheckMode("shadow").kind).isEqualTo(FormValidation.Kind.OK);
        assertThat(d.doCheckMode("x").getMessage()).startsWith("abTest.mode:");
        assertThat(d.doCheckStickyHeader("").kind).isEqualTo(FormValidation.Kind.OK);
        assertThat(d.doCheckQualityMetrics("accuracy\n\nmae;margin=1").kind).isEqualTo(FormValidation.Kind.OK);
        assertThat(d.doCheckQualityMetrics("accuracy\nprecision").getMessage())
                .startsWith("abTest.qualityMetrics[1]: ");
        assertThat(d.doCheckStickyHeader("a:b").getMessage()).startsWith("abTest.stickyHeader:");
    }

    @Test
    void keepPreviousDefaultsToAnHourAndMayBeZero() {
        assertThat(new DeployModelStep("m").request().keepPrevious).isNull();
        assertThat(DeployFlow.keepPrevious(null)).isEqualTo(Duration.ofHours(1));
        assertThat(DeployFlow.keepPrevious("0s")).isZero();
        DeployModelStep step = new DeployModelStep("m");
        step.setKeepPrevious(" 30m ");
        assertThat(DeployFlow.keepPrevious(step.request().keepPrevious)).isEqualTo(Duration.ofMinutes(30));
        io.jenkins.plugins.modeldeploy.jenkins.freestyle.ModelDeployBuilder builder =
                new io.jenkins.plugins.modeldeploy.jenkins.freestyle.ModelDeployBuilder("m");
        builder.setKeepPrevious("2h");
        assertThat(builder.request().keepPrevious).isEqualTo("2h");
        RolloutModelStep rollout = new RolloutModelStep("m", "r/m@sha256:" + "1".repeat(64));
        rollout.setKeepPrevious("0s");
        assertThat(rollout.getKeepPrevious()).isEqualTo("0s");
        assertThatThrownBy(() -> new DeployModelStep("m").setKeepPrevious("PT-1H"))
                .hasMessage("keepPrevious: must not be negative, was \"PT-1H\"");
        assertThatThrownBy(() -> rollout.setKeepPrevious("soon"))
                .hasMessageStartingWith("keepPrevious: \"soon\" is" + " not a duration");
        assertThat(new DeployModelStep.DescriptorImpl().doCheckKeepPrevious("0s").kind)
                .isEqualTo(FormValidation.Kind.OK);
        assertThat(new io.jenkins.plugins.modeldeploy.jenkins.freestyle.ModelDeployBuilder.DescriptorImpl()
                        .doCheckKeepPrevious("-")
                        .getMessage())
                .startsWith("keepPrevious:");
        assertThat(new RollbackModelStep.DescriptorImpl()
                        .doCheckToVersion("1.0")
                        .getMessage())
                .startsWith("toVersion:");
    }

    @Test
    void twoWaitsForTheSameModelAndVersionInOneRunHaveKeysOfTheirOwn() {
        // staging then production, or two parallel branches: a decision on one page must never reach the other's step
        String first = ApprovingExecution.waitKey("ml/iris#7", "deployModel", "iris", "7");
        String second = ApprovingExecution.waitKey("ml/iris#7", "deployModel", "iris", "7");
        org.assertj.core.api.Assertions.assertThat(first)
                .startsWith("ml/iris#7/deployModel/iris-7/")
                .isNotEqualTo(second);
        var run = new io.jenkins.plugins.modeldeploy.jenkins.promotion.ModelDeploymentsAction(null, null);
        var a = new io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionAction(
                first,
                io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionActionTestAccess.evidence(),
                java.util.List.of(),
                java.time.Instant.now().plusSeconds(60),
                null);
        var b = new io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionAction(
                second,
                io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionActionTestAccess.evidence(),
                java.util.List.of(),
                java.time.Instant.now().plusSeconds(60),
                null);
        run.add(a);
        run.add(b);
        org.assertj.core.api.Assertions.assertThat(run.byKey(second)).containsSame(b);
    }
}
