package io.jenkins.plugins.modeldeploy.jenkins.steps;

import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.event.EventDetails;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.jenkins.engine.TargetOptions;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionAction;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionEvidence;
import io.jenkins.plugins.modeldeploy.pipeline.Approval;
import hudson.AbortException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jenkinsci.plugins.workflow.steps.StepContext;

/**
 * An execution that may wait for a person between its halves ({@code deployModel}, {@code promoteModel}). While it
 * waits it holds no thread: it is registered with the promotion page and a timer; its state (what it waits for and
 * until when) is stored with the Pipeline, and {@link #onResume()} re-registers it after a restart with the time
 * that is left, or carries out a decision given while Jenkins was down.
 */
public abstract class ApprovingExecution extends BackgroundExecution {
    private static final long serialVersionUID = 1L;

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

    /** Attaches the promotion page, announces it and starts waiting; the caller returns {@link #PENDING}. */
    protected final void awaitApproval(Session s, String model, String version, PromotionEvidence evidence,
            List<String> approvers, Duration timeout) throws Exception {
        StepServices services = s.services;
        String key = services.runId() + "/" + stepName() + "/" + model + "-" + version;
        Instant deadline = Instant.now().plus(timeout);
        services.attach(new PromotionAction(key, evidence, approvers, deadline, null));
        String url = services.runUrl() + "model-promotion/";
        s.publish(DeploymentEvent.of(model, version, "waiting for approval at " + url,
                new EventDetails.ApprovalRequested(url)));
        services.log().println(Messages.Approval_waiting(model, version, url));
        ApprovalWait armed = new ApprovalWait(key, deadline);
        synchronized (this) {
            this.timeout = timeout;
            this.model = model;
            this.version = version;
            this.wait = armed;
        }
        status("waiting for approval until " + deadline);
        getContext().saveState();
        armed.arm(this::decided, this::timedOut);
    }

    /** Called by the promotion page (through the registry) with the decision; returns at once. */
    final void decided(Approval approval) {
        status(approval.approved() ? "carrying out the approval" : "carrying out the rejection");
        submit(() -> {
            Object result;
            try (Session s = Session.open(services(), target)) {
                result = afterDecision(s, approval);
            } // closed first: every event is in the log before the step completes
            getContext().onSuccess(result);
        });
    }

    final void timedOut() {
        status("approval timed out");
        submit(() -> {
            StepServices services = services();
            services.promotion(wait.key).ifPresent(a -> a.close(PromotionAction.Status.TIMED_OUT));
            String message = Messages.Approval_timedOut(model, version,
                    Instant.ofEpochMilli(wait.deadlineMillis));
            services.log().println(message);
            try (Session s = Session.open(services, target)) {
                afterTimeout(s, timeout == null ? Duration.ZERO : timeout);
            }
            throw new AbortException(message);
        });
    }

    @Override
    public void onResume() {
        ApprovalWait waiting;
        synchronized (this) {
            waiting = wait;
        }
        if (waiting == null) {
            super.onResume(); // it was working, not waiting: that work was lost with the restart
            return;
        }
        try {
            StepServices services = services();
            services.log().println(Messages.Approval_resumed(model, version));
            Optional<PromotionAction> page = services.promotion(waiting.key);
            Approval given = page.map(PromotionAction::getApproval).orElse(null);
            if (given != null) {
                decided(given); // decided while Jenkins restarted
            } else if (waiting.expired()) {
                timedOut();
            } else {
                status("waiting for approval until " + Instant.ofEpochMilli(waiting.deadlineMillis));
                waiting.arm(this::decided, this::timedOut);
            }
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
            DeployFlow.abandon(DeployFlow.lifecycle(s, target), model, version, cause, services);
        }
    }

    protected final TargetOptions target() {
        return target;
    }

    /** The key the execution waits under (null while it is not waiting); for tests and the page. */
    final synchronized String approvalKey() {
        return wait == null ? null : wait.key;
    }
}
