package io.jenkins.plugins.modeldeploy.jenkins;

import io.jenkins.plugins.modeldeploy.jenkins.steps.AbTestModelStep;
import io.jenkins.plugins.modeldeploy.jenkins.steps.AbTestOptions;
import io.jenkins.plugins.modeldeploy.jenkins.steps.ApprovalOptions;
import io.jenkins.plugins.modeldeploy.jenkins.steps.BuildModelImageStep;
import io.jenkins.plugins.modeldeploy.jenkins.steps.DeployModelStep;
import io.jenkins.plugins.modeldeploy.jenkins.steps.PromoteModelStep;
import io.jenkins.plugins.modeldeploy.jenkins.steps.RollbackModelStep;
import io.jenkins.plugins.modeldeploy.jenkins.steps.RolloutModelStep;
import io.jenkins.plugins.modeldeploy.jenkins.steps.SmokeOptions;
import io.jenkins.plugins.modeldeploy.jenkins.steps.SmokeTestModelStep;
import io.jenkins.plugins.modeldeploy.jenkins.steps.UndeployModelStep;
import org.jenkinsci.plugins.workflow.cps.SnippetizerTester;
import org.jenkinsci.plugins.workflow.steps.StepConfigTester;
import org.junit.Rule;
import org.junit.Test;
import org.jvnet.hudson.test.JenkinsRule;

/** Every step renders in the Snippet Generator as documented in docs/pipeline-steps.md and binds back unchanged. */
public class SnippetGeneratorTest {
    @Rule
    public JenkinsRule r = new JenkinsRule();

    @Test
    public void deployModel() throws Exception {
        SnippetizerTester snippets = new SnippetizerTester(r);
        snippets.assertRoundTrip(new DeployModelStep("models/iris"), "deployModel 'models/iris'");

        DeployModelStep step = new DeployModelStep("models/iris");
        step.setCluster("prod");
        step.setVersion("42");
        SmokeOptions smoke = new SmokeOptions();
        smoke.setRate(20.0);
        step.setSmoke(smoke);
        ApprovalOptions approval = new ApprovalOptions();
        approval.setApprovers("ml-leads");
        step.setApproval(approval);
        snippets.assertRoundTrip(
                step,
                "deployModel approval: modelApproval(approvers: 'ml-leads'), cluster: 'prod',"
                        + " modelDir: 'models/iris', smoke: modelSmoke(rate: 20.0), version: '42'");
        r.assertEqualDataBoundBeans(step, new StepConfigTester(r).configRoundTrip(step));
    }

    @Test
    public void finerSteps() throws Exception {
        SnippetizerTester snippets = new SnippetizerTester(r);
        snippets.assertRoundTrip(new BuildModelImageStep("models/iris"), "buildModelImage 'models/iris'");
        snippets.assertRoundTrip(
                new RolloutModelStep("models/iris", "r/iris@sha256:" + "0".repeat(64)),
                "rolloutModel image: 'r/iris@sha256:" + "0".repeat(64) + "', modelDir: 'models/iris'");
        snippets.assertRoundTrip(
                new SmokeTestModelStep("iris", "7", "http://iris-7.ml:8080", "models/iris"),
                "smokeTestModel endpoint: 'http://iris-7.ml:8080', model: 'iris', modelDir: 'models/iris',"
                        + " version: '7'");
        snippets.assertRoundTrip(new AbTestModelStep("iris", "7"), "abTestModel challenger: '7', model: 'iris'");
        snippets.assertRoundTrip(new PromoteModelStep("iris", "7"), "promoteModel model: 'iris', version: '7'");
        snippets.assertRoundTrip(new RollbackModelStep("iris"), "rollbackModel 'iris'");
        snippets.assertRoundTrip(new UndeployModelStep("iris"), "undeployModel 'iris'");
        UndeployModelStep undeploy = new UndeployModelStep("iris");
        undeploy.setVersion("7");
        snippets.assertRoundTrip(undeploy, "undeployModel model: 'iris', version: '7'");
        StepConfigTester forms = new StepConfigTester(r);
        for (org.jenkinsci.plugins.workflow.steps.Step step : new org.jenkinsci.plugins.workflow.steps.Step[] {
            new BuildModelImageStep("models/iris"),
            new AbTestModelStep("iris", "7"),
            new SmokeTestModelStep("iris", "7", "http://iris-7.ml:8080", "models/iris"),
            new PromoteModelStep("iris", "7"),
            new RollbackModelStep("iris"),
            undeploy
        }) {
            r.assertEqualDataBoundBeans(step, forms.configRoundTrip(step));
        }
    }

    /**
     * What the Snippet Generator's form posts when "Smoke test" and "A/B test" are ticked and every field in them is
     * left empty (text fields send "", the select boxes their first entry): the step binds with the defaults, so the
     * snippet shows the nested options without arguments instead of an error.
     */
    @Test
    public void blankNestedOptionsMeanTheDefaults() throws Exception {
        SnippetizerTester snippets = new SnippetizerTester(r);
        snippets.assertGenerateSnippet(
                "{'stapler-class':'" + DeployModelStep.class.getName() + "',"
                        + " 'modelDir':'models/iris', 'version':'', 'imageRepository':'', 'registryCredentialsId':'',"
                        + " 'baseImage':'', 'insecureRegistry':false, 'verify':true, 'rolloutTimeout':'', 'keepPrevious':'',"
                        + " 'smoke':{'rate':'', 'duration':'', 'warmup':'', 'p99Ms':'', 'maxErrorRate':''},"
                        + " 'abTest':{'challengerWeight':'', 'minDuration':'', 'maxDuration':'', 'minSamples':'',"
                        + " 'alpha':'', 'method':'SEQUENTIAL', 'syntheticRate':'', 'minimumDetectableEffect':'',"
                        + " 'gate':'NON_INFERIORITY', 'errorRateMargin':'', 'sloViolationMargin':''},"
                        + " 'cluster':'', 'kubeconfigCredentialsId':'', 'namespace':'', 'host':'', 'eventsUri':''}",
                "deployModel abTest: modelAbTest(), modelDir: 'models/iris', smoke: modelSmoke()",
                null);
        snippets.assertGenerateSnippet(
                "{'stapler-class':'" + SmokeTestModelStep.class.getName() + "',"
                        + " 'model':'iris', 'version':'7', 'endpoint':'http://iris-7.ml:8080', 'modelDir':'models/iris',"
                        + " 'failOnViolation':true, 'smoke':{'rate':'', 'duration':'', 'warmup':'', 'p99Ms':'',"
                        + " 'maxErrorRate':''}}",
                "smokeTestModel endpoint: 'http://iris-7.ml:8080', model: 'iris', modelDir: 'models/iris',"
                        + " smoke: modelSmoke(), version: '7'",
                null);
        snippets.assertGenerateSnippet(
                "{'stapler-class':'" + AbTestModelStep.class.getName() + "',"
                        + " 'model':'iris', 'challenger':'7', 'champion':'', 'sloP99Ms':'', 'modelDir':'',"
                        + " 'abTest':{'challengerWeight':'', 'minDuration':'', 'maxDuration':'', 'minSamples':'',"
                        + " 'alpha':'', 'method':'', 'syntheticRate':'', 'minimumDetectableEffect':'', 'gate':'',"
                        + " 'errorRateMargin':'', 'sloViolationMargin':''}}",
                "abTestModel abTest: modelAbTest(), challenger: '7', model: 'iris'",
                null);
    }

    /** The nested options' defaults survive the step's own form (their jelly shows the defaults). */
    @Test
    public void defaultNestedOptionsRoundTripThroughTheForm() throws Exception {
        DeployModelStep step = new DeployModelStep("models/iris");
        step.setSmoke(new SmokeOptions());
        step.setAbTest(new AbTestOptions());
        r.assertEqualDataBoundBeans(step, new StepConfigTester(r).configRoundTrip(step));
    }
}
