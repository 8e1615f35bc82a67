// Signature-only (offline build: compiled, never run or packaged): org.jenkins-ci.plugins.workflow:workflow-cps 4370.v49a_6937566b_6 tests classifier (bom-2.541.x 6916.v15ec97679743).
// Checked against jenkinsci/workflow-cps-plugin at the stored snapshot e007b7ff ("Update baseline, BOM", the release commit 49a6937566b6 is not in it), plugin/src/test/java/org/jenkinsci/plugins/workflow/cps/SnippetizerTester.java.
// Declares only the members the tests use, with the real modifiers, generics and throws.
package org.jenkinsci.plugins.workflow.cps;

import org.jenkinsci.plugins.workflow.steps.Step;
import org.jvnet.hudson.test.JenkinsRule;

public class SnippetizerTester {
    public SnippetizerTester(JenkinsRule r) {}

    public void assertRoundTrip(Step step, String expected) throws Exception {
        throw new UnsupportedOperationException("signature only");
    }
}
