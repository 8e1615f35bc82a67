package io.jenkins.plugins.modeldeploy.jenkins.steps;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import hudson.model.Result;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jenkinsci.plugins.workflow.steps.BodyInvoker;
import org.jenkinsci.plugins.workflow.steps.StepContext;

/** A StepContext double: records how the step completed and how often its state was saved. */
final class FakeContext extends StepContext {
    final CompletableFuture<Object> outcome = new CompletableFuture<>();
    int saves;
    final java.util.concurrent.atomic.AtomicInteger completions = new java.util.concurrent.atomic.AtomicInteger();

    /** The step's flow node, when a test gives one. */
    volatile FakeNode node;

    @Override
    public <T> T get(Class<T> key) {
        if (key == org.jenkinsci.plugins.workflow.graph.FlowNode.class) {
            return key.cast(node);
        }
        return null; // executions under test get their services injected
    }

    @Override
    public void onSuccess(Object result) {
        completions.incrementAndGet();
        if (!outcome.complete(result)) {
            throw new IllegalStateException("completed twice; second result " + result);
        }
    }

    @Override
    public void onFailure(Throwable t) {
        completions.incrementAndGet();
        if (!outcome.completeExceptionally(t)) {
            throw new IllegalStateException("completed twice; second failure " + t, t);
        }
    }

    @Override
    public boolean isReady() {
        return true;
    }

    @Override
    public ListenableFuture<Void> saveState() {
        saves++;
        return Futures.immediateFuture(null);
    }

    @Override
    public void setResult(Result r) {
        throw new AssertionError("steps report failures through onFailure, not setResult");
    }

    @Override
    public BodyInvoker newBodyInvoker() {
        throw new IllegalStateException("no body");
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    Object result() throws Exception {
        return outcome.get(90, TimeUnit.SECONDS);
    }

    Throwable failure() throws Exception {
        try {
            Object r = outcome.get(90, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure, got " + r);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        }
    }
}
