package io.jenkins.plugins.modeldeploy.jenkins.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import hudson.AbortException;
import hudson.util.ListBoxModel;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan;
import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.jenkins.engine.EngineFactory;
import io.jenkins.plugins.modeldeploy.jenkins.freestyle.ModelDeployBuilder;
import io.jenkins.plugins.modeldeploy.kube.KubernetesSettings;
import io.jenkins.plugins.modeldeploy.pipeline.DeploymentEngine;
import io.jenkins.plugins.modeldeploy.pipeline.SmokeSettings;
import io.jenkins.plugins.modeldeploy.target.Target;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the forms send when a user ticks "Smoke test" or "A/B test" and leaves the fields empty: Stapler calls each
 * setter with "" for an empty text field and with null for an empty Integer/Double field (its CONVERT_UTILS maps
 * a blank to null for those boxed types). Every such field binds to its documented default.
 */
class FormDefaultsTest {
    @Test
    void blankSmokeFieldsBindToTheDefaults() {
        SmokeOptions smoke = new SmokeOptions();
        smoke.setRate(null);
        smoke.setDuration("");
        smoke.setWarmup(" ");
        smoke.setP99Ms(null);
        smoke.setMaxErrorRate(null);

        assertThat(smoke.getDuration()).isEqualTo("30s");
        assertThat(smoke.getWarmup()).isEqualTo("5s");
        assertThat(smoke.settings()).isEqualTo(SmokeSettings.defaults());
        assertThat(smoke.settings()).isEqualTo(new SmokeOptions().settings());
    }

    @Test
    void anExplicitZeroWarmupStillMeansNone() {
        SmokeOptions smoke = new SmokeOptions();
        smoke.setWarmup("0s");
        assertThat(smoke.getWarmup()).isEqualTo("0s");
    }

    @Test
    void blankAbTestFieldsBindToTheDefaults() {
        AbTestOptions ab = new AbTestOptions();
        ab.setChallengerWeight(null);
        ab.setMinDuration("");
        ab.setMaxDuration("");
        ab.setMinSamples(null);
        ab.setAlpha(null);
        ab.setMethod("");
        ab.setSyntheticRate(null);
        ab.setMinimumDetectableEffect(null);
        ab.setGate("");
        ab.setErrorRateMargin(null);
        ab.setSloViolationMargin(null);

        ExperimentPlan plan = ab.settings().plan("iris", "1", "2", 50);
        assertThat(plan).isEqualTo(new AbTestOptions().settings().plan("iris", "1", "2", 50));
        assertThat(plan.challengerWeight()).isEqualTo(10);
        assertThat(plan.minSamples()).isEqualTo(1000);
        assertThat(plan.alpha()).isEqualTo(0.05);
        assertThat(plan.method()).isEqualTo(ExperimentPlan.Method.SEQUENTIAL);
        assertThat(plan.gate()).isEqualTo(ExperimentPlan.Gate.DEFAULT);
    }

    @Test
    void aBlankModelDirOfAbTestModelMeansNone() {
        AbTestModelStep step = new AbTestModelStep("iris", "7");
        step.setModelDir("");
        assertThat(step.getModelDir()).isNull();
    }

    @Test
    void smokeTestModelNeedsItsModelDirectoryWhenBound() {
        assertThatThrownBy(() -> new SmokeTestModelStep("iris", "7", "http://iris-7.ml:8080", ""))
                .hasMessage("modelDir: a value is required");
        assertThat(new SmokeTestModelStep("iris", "7", "http://iris-7.ml:8080", " models/iris ").getModelDir())
                .isEqualTo("models/iris");
    }

    @Test
    void enumFieldsAreSelectBoxesWithTheDefaultFirst() {
        AbTestOptions.DescriptorImpl d = new AbTestOptions.DescriptorImpl();
        assertThat(d.doFillMethodItems()).extracting(o -> o.value).containsExactly("SEQUENTIAL", "FIXED_HORIZON");
        assertThat(d.doFillGateItems()).extracting(o -> o.value).containsExactly("NON_INFERIORITY", "SUPERIORITY");
        ListBoxModel modes =
                new io.jenkins.plugins.modeldeploy.jenkins.config.ClusterConfig.DescriptorImpl().doFillRouteModeItems();
        assertThat(modes).extracting(o -> o.value).containsExactly("TRAEFIK", "INGRESS");
    }

    @Test
    void theFreestyleBuilderEndsAMisconfiguredBuildWithAnAbortException(@TempDir Path workspace) {
        DeployModelStep options = new DeployModelStep("models/iris");
        options.setCluster("staging"); // only prod is configured
        EngineFactory engines = new EngineFactory() { // the cluster is resolved before any engine work
                    @Override
                    public DeploymentEngine engine(Path workDir, Consumer<DeploymentEvent> events) {
                        return null;
                    }

                    @Override
                    public Target target(KubernetesSettings settings, Consumer<DeploymentEvent> events) {
                        throw new AssertionError("no target for a cluster that is not configured");
                    }
                };
        FakeServices build = new FakeServices(workspace, engines, FakeServices.prodCluster(), "1");

        assertThatThrownBy(() -> ModelDeployBuilder.deploy(() -> build, options.request()))
                .isExactlyInstanceOf(AbortException.class)
                .hasMessageStartingWith("cluster: \"staging\" is not configured")
                .hasNoCause();
    }
}
