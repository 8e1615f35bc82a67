// Signature-only (offline build, never packaged): org.jenkins-ci.plugins.workflow:workflow-step-api 724.v538c2362b_dfb_ (bom-2.541.x 6916.v15ec97679743).
// Checked against jenkinsci/workflow-step-api-plugin at the stored snapshot 0773c3c (its 724 tag is not in it), src/main/java/org/jenkinsci/plugins/workflow/steps/StepContext.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// Every abstract member is declared, so test doubles written against this copy also compile against the real class. hasBody() and the deprecated helpers omitted.
package org.jenkinsci.plugins.workflow.steps;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.ListenableFuture;
import hudson.model.Result;
import java.io.IOException;
import java.io.Serializable;

public abstract class StepContext implements FutureCallback<Object>, Serializable {
    public abstract <T> T get(Class<T> key) throws IOException, InterruptedException;

    @Override
    public abstract void onSuccess(Object result);

    public abstract boolean isReady();

    public abstract ListenableFuture<Void> saveState();

    @Deprecated
    public abstract void setResult(Result r);

    public abstract BodyInvoker newBodyInvoker() throws IllegalStateException;

    @Override
    public abstract boolean equals(Object o);

    @Override
    public abstract int hashCode();
}
