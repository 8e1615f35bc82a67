package io.jenkins.plugins.modeldeploy.jenkins.steps;

import hudson.AbortException;
import io.jenkins.plugins.modeldeploy.abtest.Verdict;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.pipeline.Approval;
import org.jenkinsci.plugins.workflow.steps.StepContext;

/**
 * {@code deployModel}'s execution: build, roll out, smoke-test and A/B-test on a worker thread; then, when approval
 * is required, wait without a thread (see {@link ApprovingExecution}); then promote or roll back. A ROLLBACK verdict
 * rolls back at once; an INCONCLUSIVE one needs a person (or is rolled back when no approval is configured).
 */
public final class DeployModelExecution extends ApprovingExecution {
    private static final long serialVersionUID = 1L;
    private static final String NO_APPROVAL = "A/B test inconclusive and no approval configured";

    private final DeployRequest request;
    private Checkpoint checkpoint;

    DeployModelExecution(StepContext context, DeployRequest request, StepServices services) {
        super(context, "deployModel", request.target, services);
        this.request = request;
    }

    @Override
    protected Object run(StepServices services) throws Exception {
        try (Session s = Session.open(services, request.target)) {
            Checkpoint c = DeployFlow.beforeApproval(s, request, this::status);
            synchronized (this) {
                checkpoint = c.withoutEvidence(); // the evidence goes to the promotion page, stored once
            }
            if (Verdict.ROLLBACK.name().equals(c.verdict)) {
                return DeployFlow.afterApproval(s, request.target, c, Approval.automatic("A/B verdict ROLLBACK"));
            }
            if (!request.approvalRequired()) {
                if (Verdict.INCONCLUSIVE.name().equals(c.verdict)) {
                    DeployFlow.rollback(s, request.target, c, NO_APPROVAL);
                    throw new AbortException(Messages.format("Deploy.rolledBack", c.model, NO_APPROVAL));
                }
                return DeployFlow.afterApproval(s, request.target, c, Approval.automatic("A/B verdict " + c.verdict));
            }
            awaitApproval(s, c.model, c.challenger, c.evidence, request.approval.approverList(),
                    request.approval.timeout(services.configuration().getApprovalTimeout()));
            return PENDING;
        }
    }

    @Override
    protected Object afterDecision(Session s, Approval approval) throws Exception {
        return DeployFlow.afterApproval(s, target(), checkpoint, approval);
    }

    @Override
    protected void afterTimeout(Session s) throws Exception {
        DeployFlow.rollback(s, target(), checkpoint, "no decision on the promotion in time");
    }

    /** For tests: the state stored with the Pipeline. */
    synchronized Checkpoint checkpoint() {
        return checkpoint;
    }
}
