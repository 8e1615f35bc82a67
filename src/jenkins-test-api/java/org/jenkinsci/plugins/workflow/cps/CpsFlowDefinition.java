// Signature-only (offline build: compiled, never run or packaged): org.jenkins-ci.plugins.workflow:workflow-cps 4370.v49a_6937566b_6 (bom-2.541.x 6916.v15ec97679743).
// Checked against jenkinsci/workflow-cps-plugin at the stored snapshot e007b7ff ("Update baseline, BOM", the release commit 49a6937566b6 is not in it), plugin/src/main/java/org/jenkinsci/plugins/workflow/cps/CpsFlowDefinition.java.
// Declares only the members the tests use, with the real modifiers, generics and throws.
package org.jenkinsci.plugins.workflow.cps;

import hudson.model.Descriptor;
import org.jenkinsci.plugins.workflow.flow.FlowDefinition;

public class CpsFlowDefinition extends FlowDefinition {
    public CpsFlowDefinition(String script, boolean sandbox) throws Descriptor.FormException {}
}
