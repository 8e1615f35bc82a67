// Signature-only (offline build, never packaged): org.jenkins-ci.plugins.workflow:workflow-step-api 678.v3ee58b_469476 (bom-2.479.x 3850.vb_c5319efa_e29).
// Checked against jenkinsci/workflow-step-api-plugin tag 678.v3ee58b_469476, src/main/java/org/jenkinsci/plugins/workflow/steps/Step.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
package org.jenkinsci.plugins.workflow.steps;

import hudson.ExtensionPoint;
import hudson.model.AbstractDescribableImpl;

public abstract class Step extends AbstractDescribableImpl<Step> implements ExtensionPoint {
    public abstract StepExecution start(StepContext context) throws Exception;

    @Override
    public StepDescriptor getDescriptor() {
        throw new UnsupportedOperationException("signature only");
    }
}
