// Signature-only (offline build: compiled, never run or packaged): org.jenkins-ci.plugins.workflow:workflow-step-api 724.v538c2362b_dfb_ tests classifier (bom-2.541.x 6916.v15ec97679743).
// Checked against jenkinsci/workflow-step-api-plugin at the stored snapshot 0773c3c (the 724 tag is not in it), src/test/java/org/jenkinsci/plugins/workflow/steps/StepConfigTester.java.
// Declares only the members the tests use, with the real modifiers, generics and throws.
package org.jenkinsci.plugins.workflow.steps;

import org.jvnet.hudson.test.JenkinsRule;

public final class StepConfigTester {
    public StepConfigTester(JenkinsRule rule) {}

    public <S extends Step> S configRoundTrip(S before) throws Exception {
        throw new UnsupportedOperationException("signature only");
    }
}
