package io.jenkins.plugins.modeldeploy.jenkins.steps;

import io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionEvidence;
import io.jenkins.plugins.modeldeploy.pipeline.Approval;
import io.jenkins.plugins.modeldeploy.pipeline.DeployOutcome;
import io.jenkins.plugins.modeldeploy.pipeline.DeployPlan;
import io.jenkins.plugins.modeldeploy.pipeline.Lifecycle;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import java.time.Duration;
import org.jenkinsci.plugins.workflow.steps.StepContext;

/**
 * {@code deployModel}'s execution: the lifecycle up to its decision point on a worker thread; then, when the A/B test
 * found the version fit and approval is required, a wait without a thread (see {@link ApprovingExecution}); then the
 * lifecycle carries the decision out. Without an approval block the decision is an automatic approval. What each
 * verdict does is the lifecycle's; this class only drives it.
 */
public final class DeployModelExecution extends ApprovingExecution {
    private static final long serialVersionUID = 2L;

    private final DeployRequest request;
    private Checkpoint checkpoint;
    /** The version this execution deploys, once known (what an abort ends). */
    private transient volatile VersionRef deploying;

    DeployModelExecution(StepContext context, DeployRequest request, StepServices services) {
        super(context, "deployModel", request.target, services);
        this.request = request;
    }

    @Override
    protected Object run(StepServices services) throws Exception {
        try (Session s = Session.open(services, request.target)) {
            Duration timeout = request.approvalTimeout(services.configuration().getApprovalTimeout());
            status("deploying");
            DeployPlan plan = DeployFlow.plan(s, request, timeout);
            deploying = new VersionRef(plan.version().name(), plan.version().version());
            Lifecycle.Progress progress = DeployFlow.lifecycle(s, request.target).start(plan);
            DeployOutcome reached = progress.outcome(); // the smoke test's reports, if it got that far
            reached.smoke().ifPresent(smoke -> services.smokeTested(reached.model(), reached.version(), smoke));
            var result = DeployFlow.summary(progress.outcome(), java.util.Map.of());
            if (!(progress instanceof Lifecycle.AwaitingApproval waiting)) {
                return DeployFlow.complete(progress.outcome(), result, services);
            }
            synchronized (this) {
                checkpoint = new Checkpoint(waiting.outcome().model(), waiting.outcome().version(), result);
            }
            if (!request.approvalRequired()) {
                return afterDecision(s, Approval.automatic("deployModel without an approval block"));
            }
            awaitApproval(s, checkpoint.model, checkpoint.version, new PromotionEvidence(waiting.request()),
                    request.approval.approverList(), timeout);
            return PENDING;
        }
    }

    @Override
    protected Object afterDecision(Session s, Approval approval) throws Exception {
        Checkpoint c = checkpoint();
        DeployOutcome outcome = DeployFlow.lifecycle(s, target()).decide(c.model, c.version, approval);
        return DeployFlow.complete(outcome, DeployFlow.summary(outcome, c.result), s.services);
    }

    @Override
    protected void afterTimeout(Session s, Duration waited) throws Exception {
        Checkpoint c = checkpoint();
        DeployFlow.lifecycle(s, target()).expire(c.model, c.version, waited);
    }

    /**
     * Aborted: while waiting, the waiting run ends (see {@link ApprovingExecution#afterStop}); while working — once
     * the interrupted work has unwound — the run this execution started ends the same way, instead of staying in
     * progress with its version running.
     */
    @Override
    protected void afterStop(Throwable cause) throws Exception {
        VersionRef started = deploying;
        if (approvalKey() != null || started == null) {
            super.afterStop(cause);
            return;
        }
        abandon(started.model(), started.version(), cause);
    }

    /** For tests: the state stored with the Pipeline. */
    synchronized Checkpoint checkpoint() {
        return checkpoint;
    }
}
