package io.jenkins.plugins.modeldeploy.jenkins.steps;

import hudson.AbortException;
import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.event.EventDetails;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.jenkins.engine.TargetOptions;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.ApprovalRegistry;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionAction;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionEvidence;
import io.jenkins.plugins.modeldeploy.pipeline.Approval;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jenkinsci.plugins.workflow.graph.FlowNode;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.support.actions.PauseAction;

/**
 * An execution that may wait for a person between its halves ({@code deployModel}, {@code promoteModel}). While it
 * waits it holds no thread: it is registered with the promotion page and a timer; its state (what it waits for and
 * until when) is stored with the Pipeline, and {@link #onResume()} re-registers it after a restart with the time
 * that is left, or carries out a decision given while Jenkins was down.
 */
public abstract class ApprovingExecution extends BackgroundExecution {
    private static final long serialVersionUID = 1L;
    private static final Logger LOGGER = Logger.getLogger(ApprovingExecution.class.getName());

    private final TargetOptions target;
    private String model;
    private String version;
    private ApprovalWait wait;
    private Duration timeout;

    protected ApprovingExecution(StepContext context, String stepName, TargetOptions target, StepServices services) {
        super(context, stepName, services);
        this.target = target;
    }

    /** The second half, on a worker thread: promote (or roll back) on {@code approval}; returns the step's value. */
    protected abstract Object afterDecision(Session s, Approval approval) throws Exception;

    /**
     * On a worker thread when nobody decided within {@code waited}: the lifecycle takes the version out. The step then
     * fails with the timeout message.
     */
    protected abstract void afterTimeout(Session s, Duration waited) throws Exception;

    /**
     * Starts waiting, then attaches the promotion page and announces it; the caller returns {@link #PENDING}. The
     * order matters: the waiter (registry callback and deadline timer) is armed BEFORE anyone can see the page or the
     * {@code approval.requested} event, so a decision given at once is delivered; and after arming, a decision
     * already recorded on the page is delivered too ({@link #deliverRecorded}) — exactly once either way, because the
     * registry hands a decision out only to the waiter it removes.
     */
    protected final void awaitApproval(
            Session s,
            String model,
            String version,
            PromotionEvidence evidence,
            List<String> approvers,
            Duration timeout)
            throws Exception {
        StepServices services = s.services;
        String key = waitKey(services.runId(), stepName(), model, version);
        Instant deadline = Instant.now().plus(timeout);
        ApprovalWait armed = new ApprovalWait(key, deadline);
        synchronized (this) {
            this.timeout = timeout;
            this.model = model;
            this.version = version;
            this.wait = armed;
        }
        status("waiting for approval until " + deadline);
        pause(true);
        getContext().saveState();
        armed.arm(this::decided, this::timedOut); // 1. the waiter
        PromotionAction page = new PromotionAction(key, evidence, approvers, deadline, null);
        try {
            services.attach(page); // 2. the page
        } catch (Exception e) {
            armed.disarm(); // the step fails with this: no timeout may complete it again
            throw e;
        }
        String url = services.runUrl() + page.getUrl();
        s.publish(DeploymentEvent.of(
                model,
                version,
                "waiting for approval at " + url, // 3. the event
                new EventDetails.ApprovalRequested(url)));
        services.log().println(Messages.Approval_waiting(model, version, url));
        if (!url.startsWith("http://") && !url.startsWith("https://")) {
            services.log().println(Messages.Approval_noRootUrl());
        }
        deliverRecorded(services, key);
    }

    /** A decision already recorded on the page goes to the armed waiter (no-op when it was delivered already). */
    private static void deliverRecorded(StepServices services, String key) {
        services.promotion(key)
                .map(PromotionAction::getApproval)
                .ifPresent(given -> ApprovalRegistry.deliver(key, given));
    }

    /** Called by the promotion page (through the registry) with the decision; returns at once. */
    final void decided(Approval approval) {
        status(approval.approved() ? "carrying out the approval" : "carrying out the rejection");
        pause(false);
        submit(() -> {
            Object result;
            try (Session s = Session.open(services(), target)) {
                result = afterDecision(s, approval);
            } // closed first: every event is in the log before the step completes
            getContext().onSuccess(result);
        });
    }

    /**
     * The deadline passed with the waiter still registered. The page is closed first; if a decision was recorded
     * in the meantime (given just before the deadline, delivered after the timer withdrew the waiter), it is carried
     * out instead of the timeout — an approved version is never rolled back for being late by a few milliseconds.
     */
    final void timedOut() {
        ApprovalWait waiting;
        synchronized (this) {
            waiting = wait;
        }
        try {
            Optional<PromotionAction> page = services().promotion(waiting.key);
            if (page.isPresent()
                    && !page.get().close(PromotionAction.Status.TIMED_OUT)
                    && page.get().getApproval() != null) {
                decided(page.get().getApproval());
                return;
            }
        } catch (Exception e) {
            getContext().onFailure(e);
            return;
        }
        status("approval timed out");
        pause(false);
        String waitingModel;
        String waitingVersion;
        synchronized (this) {
            waitingModel = model;
            waitingVersion = version;
        }
        submit(() -> {
            StepServices services = services();
            String message = Messages.Approval_timedOut(
                    waitingModel, waitingVersion, Instant.ofEpochMilli(waiting.deadlineMillis));
            services.log().println(message);
            try (Session s = Session.open(services, target)) {
                afterTimeout(s, timeout == null ? Duration.ZERO : timeout);
            }
            throw new AbortException(message);
        });
    }

    /**
     * Marks the step's flow node as paused (stage view and pipeline-graph-view show "paused", not "running") while it
     * waits, and ends the pause when the wait is over, as pipeline-input-step does. Outside a Pipeline (no flow node)
     * nothing happens.
     */
    private void pause(boolean paused) {
        try {
            FlowNode node = getContext().get(FlowNode.class);
            if (node == null) {
                return;
            }
            if (paused) {
                if (!PauseAction.isPaused(node)) {
                    node.addAction(new PauseAction("Approval"));
                }
            } else {
                PauseAction.endCurrentPause(node);
            }
        } catch (Exception e) {
            LOGGER.log(Level.FINE, "could not mark the flow node as paused", e);
        }
    }

    @Override
    public void onResume() {
        ApprovalWait waiting;
        String waitingModel;
        String waitingVersion;
        synchronized (this) {
            waiting = wait;
            waitingModel = model;
            waitingVersion = version;
        }
        if (waiting == null) {
            super.onResume(); // it was working, not waiting: that work was lost with the restart
            return;
        }
        try {
            StepServices services = services();
            services.log().println(Messages.Approval_resumed(waitingModel, waitingVersion));
            status("waiting for approval until " + Instant.ofEpochMilli(waiting.deadlineMillis));
            // Armed first (an expired deadline fires the timer at once), then the decision given while Jenkins was
            // down — or in between — is read and delivered: nothing decided after the read can be missed.
            waiting.arm(this::decided, this::timedOut);
            deliverRecorded(services, waiting.key);
        } catch (Exception e) {
            getContext().onFailure(e);
        }
    }

    /** Stopped while waiting: the page closes; {@link #afterStop} then ends the waiting run. */
    @Override
    public void stop(Throwable cause) throws Exception {
        ApprovalWait waiting;
        synchronized (this) {
            waiting = wait;
        }
        if (waiting != null) {
            waiting.disarm();
            services().promotion(waiting.key).ifPresent(a -> a.close(PromotionAction.Status.ABORTED));
            pause(false);
        }
        super.stop(cause);
    }

    /**
     * Aborted while waiting for approval: the lifecycle takes the waiting version out (as a rollback of the run in
     * progress would), so no challenger is left running with nobody to decide on it.
     */
    @Override
    protected void afterStop(Throwable cause) throws Exception {
        String waitingModel;
        String waitingVersion;
        synchronized (this) {
            if (wait == null) {
                return;
            }
            waitingModel = model;
            waitingVersion = version;
        }
        abandon(waitingModel, waitingVersion, cause);
    }

    /** Ends the run of {@code version} in progress as aborted (the lifecycle takes it out); logs what happened. */
    protected final void abandon(String model, String version, Throwable cause) throws Exception {
        StepServices services = services();
        services.log().println(Messages.Deploy_aborted(model, version));
        try (Session s = Session.open(services, target)) {
            DeployFlow.abandon(s, model, version, cause);
        }
    }

    protected final TargetOptions target() {
        return target;
    }

    /** Not while waiting for a person (the wait survives a restart); otherwise while the work runs. */
    /**
     * The key one wait is registered and its page found under: unique per wait, like pipeline-input-step's input ID,
     * since one run may wait twice for the same model and version (staging, then production; parallel branches).
     */
    static String waitKey(String runId, String step, String model, String version) {
        return runId + "/" + step + "/" + model + "-" + version + "/" + java.util.UUID.randomUUID();
    }

    @Override
    public boolean blocksRestart() {
        String key = approvalKey();
        if (key != null && ApprovalRegistry.isWaiting(key)) {
            return false;
        }
        return super.blocksRestart();
    }

    /** The key the execution waits under (null while it is not waiting); for tests and the page. */
    final synchronized String approvalKey() {
        return wait == null ? null : wait.key;
    }
}
