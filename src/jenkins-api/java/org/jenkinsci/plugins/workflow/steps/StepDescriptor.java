// Signature-only (offline build, never packaged): org.jenkins-ci.plugins.workflow:workflow-step-api 724.v538c2362b_dfb_ (bom-2.541.x 6916.v15ec97679743).
// Checked against jenkinsci/workflow-step-api-plugin at the stored snapshot 0773c3c (its 724 tag is not in it), src/main/java/org/jenkinsci/plugins/workflow/steps/StepDescriptor.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
package org.jenkinsci.plugins.workflow.steps;

import hudson.model.Descriptor;

import java.util.Set;

public abstract class StepDescriptor extends Descriptor<Step> {
    public abstract Set<? extends Class<?>> getRequiredContext();

    public abstract String getFunctionName();
}
