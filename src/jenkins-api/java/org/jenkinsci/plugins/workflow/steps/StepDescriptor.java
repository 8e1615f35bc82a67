// Signature-only (offline build, never packaged): org.jenkins-ci.plugins.workflow:workflow-step-api 678.v3ee58b_469476 (bom-2.479.x 3850.vb_c5319efa_e29).
// Checked against jenkinsci/workflow-step-api-plugin tag 678.v3ee58b_469476, src/main/java/org/jenkinsci/plugins/workflow/steps/StepDescriptor.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
package org.jenkinsci.plugins.workflow.steps;

import hudson.model.Descriptor;

import java.util.Set;

public abstract class StepDescriptor extends Descriptor<Step> {
    public abstract Set<? extends Class<?>> getRequiredContext();

    public abstract String getFunctionName();
}
