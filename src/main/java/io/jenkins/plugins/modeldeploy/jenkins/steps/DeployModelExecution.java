package io.jenkins.plugins.modeldeploy.jenkins.steps;

import hudson.AbortException;
import io.jenkins.plugins.modeldeploy.abtest.Verdict;
import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.event.EventDetails;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionAction;
import io.jenkins.plugins.modeldeploy.pipeline.Approval;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jenkinsci.plugins.workflow.steps.StepContext;

/**
 * {@code deployModel}'s execution: a small state machine whose state is stored with the Pipeline. Work runs on a
 * worker thread; between the verdict and the promotion it holds no thread at all — it is registered with the
 * promotion page and a timer, and {@link #onResume()} re-registers it after a restart with the time that is left.
 */
public final class DeployModelExecution extends BackgroundExecution {
    private static final long serialVersionUID = 1L;

    private final DeployRequest request;
    private Checkpoint checkpoint;
    private ApprovalWait wait;

    DeployModelExecution(StepContext context, DeployRequest request, StepServices services) {
        super(context, "deployModel", services);
        this.request = request;
    }

    @Override
    protected Object run(StepServices services) throws Exception {
        try (Session s = Session.open(services, request.target)) {
            Checkpoint c = DeployFlow.beforeApproval(s, request, this::status);
            if (Verdict.ROLLBACK.name().equals(c.verdict)) {
                return DeployFlow.afterApproval(s, request.target, c, Approval.automatic("A/B verdict ROLLBACK"));
            }
            if (!request.approvalRequired()) {
                if (Verdict.INCONCLUSIVE.name().equals(c.verdict)) {
                    DeployFlow.rollback(s, request.target, c, "A/B test inconclusive and no approval configured");
                    throw new AbortException(Messages.format("Deploy.rolledBack", c.model,
                            "A/B test inconclusive and no approval configured"));
                }
                return DeployFlow.afterApproval(s, request.target, c, Approval.automatic("A/B verdict " + c.verdict));
            }
            Duration timeout = request.approval.timeout(services.configuration().getApprovalTimeout());
            String key = services.runId() + "/deployModel/" + c.model + "-" + c.challenger;
            Instant deadline = Instant.now().plus(timeout);
            services.attach(new PromotionAction(key, c.evidence, request.approval.approverList(), deadline, null));
            String url = services.runUrl() + "model-promotion/";
            s.publish(DeploymentEvent.of(c.model, c.challenger, "waiting for approval at " + url,
                    new EventDetails.ApprovalRequested(url)));
            services.log().println(Messages.format("Approval.waiting", c.model, c.challenger, url));
            synchronized (this) {
                checkpoint = c;
                wait = new ApprovalWait(key, deadline);
            }
            status("waiting for approval until " + deadline);
            getContext().saveState();
            wait.arm(this::decided, this::timedOut);
            return PENDING;
        }
    }

    /** Called by the promotion page (through the registry) with the decision. */
    void decided(Approval approval) {
        status(approval.approved() ? "promoting" : "rolling back");
        submit(() -> {
            try (Session s = Session.open(services(), request.target)) {
                getContext().onSuccess(DeployFlow.afterApproval(s, request.target, checkpoint, approval));
            }
        });
    }

    void timedOut() {
        status("approval timed out: rolling back");
        submit(() -> {
            StepServices services = services();
            services.promotion(wait.key).ifPresent(a -> a.close(PromotionAction.Status.TIMED_OUT));
            String message = Messages.format("Approval.timedOut", checkpoint.model, checkpoint.challenger,
                    Instant.ofEpochMilli(wait.deadlineMillis));
            services.log().println(message);
            try (Session s = Session.open(services, request.target)) {
                DeployFlow.rollback(s, request.target, checkpoint, "no decision on the promotion in time");
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
            super.onResume(); // the worker thread's work was lost with the restart
            return;
        }
        try {
            StepServices services = services();
            services.log().println(Messages.format("Approval.resumed", checkpoint.model, checkpoint.challenger));
            Optional<PromotionAction> page = services.promotion(waiting.key);
            Approval given = page.map(PromotionAction::getApproval).orElse(null);
            if (given != null) {
                decided(given); // decided while Jenkins was restarting
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

    /** For tests: the state stored with the Pipeline. */
    Checkpoint checkpoint() {
        return checkpoint;
    }

    String approvalKey() {
        return wait == null ? null : wait.key;
    }
}
