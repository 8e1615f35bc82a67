package io.jenkins.plugins.modeldeploy.jenkins;

import io.jenkins.plugins.modeldeploy.jenkins.steps.AbTestModelStep;
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
        snippets.assertRoundTrip(step, "deployModel approval: modelApproval(approvers: 'ml-leads'), cluster: 'prod',"
                + " modelDir: 'models/iris', smoke: modelSmoke(rate: 20.0), version: '42'");
        r.assertEqualDataBoundBeans(step, new StepConfigTester(r).configRoundTrip(step));
    }

    @Test
    public void finerSteps() throws Exception {
        SnippetizerTester snippets = new SnippetizerTester(r);
        snippets.assertRoundTrip(new BuildModelImageStep("models/iris"), "buildModelImage 'models/iris'");
        snippets.assertRoundTrip(new RolloutModelStep("models/iris", "r/iris@sha256:" + "0".repeat(64)),
                "rolloutModel image: 'r/iris@sha256:" + "0".repeat(64) + "', modelDir: 'models/iris'");
        snippets.assertRoundTrip(new SmokeTestModelStep("iris", "7", "http://iris-7.ml:8080"),
                "smokeTestModel endpoint: 'http://iris-7.ml:8080', model: 'iris', version: '7'");
        snippets.assertRoundTrip(new AbTestModelStep("iris", "7"), "abTestModel challenger: '7', model: 'iris'");
        snippets.assertRoundTrip(new PromoteModelStep("iris", "7"), "promoteModel model: 'iris', version: '7'");
        snippets.assertRoundTrip(new RollbackModelStep("iris"), "rollbackModel 'iris'");
        snippets.assertRoundTrip(new UndeployModelStep("iris"), "undeployModel 'iris'");
        UndeployModelStep undeploy = new UndeployModelStep("iris");
        undeploy.setVersion("7");
        snippets.assertRoundTrip(undeploy, "undeployModel model: 'iris', version: '7'");
        StepConfigTester forms = new StepConfigTester(r);
        for (org.jenkinsci.plugins.workflow.steps.Step step : new org.jenkinsci.plugins.workflow.steps.Step[] {
            new BuildModelImageStep("models/iris"), new AbTestModelStep("iris", "7"),
            new PromoteModelStep("iris", "7"), new RollbackModelStep("iris"), undeploy}) {
            r.assertEqualDataBoundBeans(step, forms.configRoundTrip(step));
        }
    }
}
