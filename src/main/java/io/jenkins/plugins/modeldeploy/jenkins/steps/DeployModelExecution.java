package io.jenkins.plugins.modeldeploy.jenkins.steps;

import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.pipeline.Approval;
import io.jenkins.plugins.modeldeploy.pipeline.DeployOutcome;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import java.time.Duration;
import java.util.LinkedHashMap;
import org.jenkinsci.plugins.workflow.steps.StepContext;

/**
 * {@code deployModel}'s execution: the lifecycle up to its decision point on the agent (through the workspace's
 * channel, from a worker thread that only waits for it); then, when the A/B test
 * found the version fit and approval is required, a wait without a thread (see {@link ApprovingExecution}); then the
 * lifecycle carries the decision out, on the agent again. Without an approval block the decision is an automatic approval. What each
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
            DeployRequest request = this.request; // the work below travels to the agent: it captures no execution
            DeployFlow.Start start;
            try {
                start = s.onAgent(request.image, a -> DeployFlow.Start.run(a, request, timeout));
            } finally {
                DeploymentEvent last = s.lastEvent();
                if (last != null) {
                    deploying = new VersionRef(last.model(), last.version());
                }
            }
            deploying = new VersionRef(start.model, start.version);
            if (!start.awaiting()) {
                return DeployFlow.complete(start.ended, services);
            }
            Checkpoint reached = new Checkpoint(start.model, start.version, start.result);
            synchronized (this) {
                checkpoint = reached;
            }
            if (!request.approvalRequired()) {
                return afterDecision(s, Approval.automatic("deployModel without an approval block"));
            }
            awaitApproval(s, reached.model, reached.version, start.evidence, request.approval.approverList(), timeout);
            return PENDING;
        }
    }

    @Override
    protected Object afterDecision(Session s, Approval approval) throws Exception {
        Checkpoint c = checkpoint();
        String model = c.model;
        String version = c.version;
        LinkedHashMap<String, Object> earlier = c.result;
        return DeployFlow.complete(
                s.onAgent(a -> {
                    DeployOutcome outcome = DeployFlow.lifecycle(a).decide(model, version, approval);
                    return DeployFlow.Ended.of(outcome, DeployFlow.summary(outcome, earlier));
                }),
                s.services);
    }

    @Override
    protected void afterTimeout(Session s, Duration waited) throws Exception {
        Checkpoint c = checkpoint();
        String model = c.model;
        String version = c.version;
        s.onAgent(a -> {
            DeployFlow.lifecycle(a).expire(model, version, waited);
            return null;
        });
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
