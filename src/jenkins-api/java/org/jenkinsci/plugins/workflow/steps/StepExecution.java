// Signature-only (offline build, never packaged): org.jenkins-ci.plugins.workflow:workflow-step-api 724.v538c2362b_dfb_ (bom-2.541.x 6916.v15ec97679743).
// Checked against jenkinsci/workflow-step-api-plugin at the stored snapshot 0773c3c (its 724 tag is not in it), src/main/java/org/jenkinsci/plugins/workflow/steps/StepExecution.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// The real context field is a serialized @Inject field; minimal bodies (as the real ones) so test doubles work.
package org.jenkinsci.plugins.workflow.steps;

import java.io.Serializable;

public abstract class StepExecution implements Serializable {
    private transient StepContext context;

    @Deprecated
    protected StepExecution() {}

    protected StepExecution(StepContext context) {
        this.context = context;
    }

    public StepContext getContext() {
        return context;
    }

    public abstract boolean start() throws Exception;

    public void stop(Throwable cause) throws Exception {
        getContext().onFailure(cause);
    }

    public void onResume() {}

    public String getStatus() {
        return null;
    }

    // blocksRestart: checked against tag 710.v3e456cc85233 (the newest in the mirror; the BOM's 724.v538c2362b_dfb_
    // is not mirrored), StepExecution.java:143-145 -- false by default.
    public boolean blocksRestart() {
        return false;
    }
}
