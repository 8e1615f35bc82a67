package io.jenkins.plugins.modeldeploy.jenkins.steps;

import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.jenkins.engine.TargetOptions;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.AfterDecision;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionAction;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionEvidence;
import io.jenkins.plugins.modeldeploy.pipeline.Approval;
import io.jenkins.plugins.modeldeploy.pipeline.DeployOutcome;
import io.jenkins.plugins.modeldeploy.pipeline.DeployPlan;
import io.jenkins.plugins.modeldeploy.pipeline.Lifecycle;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The freestyle build step's driver of the lifecycle: the same {@link Lifecycle#start} as {@code deployModel} within
 * the build; when the A/B test found the version fit and approval is required, the build ends and the promotion page
 * carries the decision out later ({@link FollowUp}) — or, when nobody decided by the deadline, the lifecycle's expiry
 * — its log lines going to the page instead of the finished build's console. An aborted build ends the run it
 * started (the lifecycle takes the version out).
 */
public final class FreestyleDeployment {
    private static final Logger LOGGER = Logger.getLogger(FreestyleDeployment.class.getName());

    private FreestyleDeployment() {}

    public static void run(StepServices services, DeployRequest request) throws Exception {
        try (Session s = Session.open(services, request.target)) {
            Duration timeout = request.approvalTimeout(services.configuration().getApprovalTimeout());
            Lifecycle lifecycle = DeployFlow.lifecycle(s, request.target);
            DeployPlan plan = DeployFlow.plan(s, request, timeout);
            Lifecycle.Progress progress;
            try {
                progress = lifecycle.start(plan);
            } catch (InterruptedException e) { // the build was aborted: end the run it started
                String model = plan.version().name();
                String version = plan.version().version();
                services.log().println(Messages.Deploy_aborted(model, version));
                DeployFlow.abandon(lifecycle, model, version, e, services);
                throw e;
            }
            var result = DeployFlow.summary(progress.outcome(), Map.of());
            if (!(progress instanceof Lifecycle.AwaitingApproval waiting)) {
                DeployFlow.complete(progress.outcome(), result, services);
                return;
            }
            String model = waiting.outcome().model();
            String version = waiting.outcome().version();
            if (!request.approvalRequired()) {
                DeployOutcome outcome = lifecycle.decide(model, version,
                        Approval.automatic("freestyle step without an approval block"));
                DeployFlow.complete(outcome, DeployFlow.summary(outcome, result), services);
                return;
            }
            Instant deadline = Instant.now().plus(timeout);
            String key = services.runId() + "/freestyle/" + model + "-" + version;
            FollowUp followUp = new FollowUp(request.target, model, version, services.reopener());
            PromotionAction page = new PromotionAction(key, new PromotionEvidence(waiting.request()),
                    request.approval.approverList(), deadline, followUp);
            services.attach(page);
            ApprovalWait.at(deadline, () -> {
                if (page.close(PromotionAction.Status.TIMED_OUT)) {
                    BackgroundExecution.WORKERS.submit(() -> followUp.expired(page, timeout));
                }
            });
            services.log().println(Messages.Approval_waiting(model, version,
                    services.runUrl() + "model-promotion/"));
        }
    }

    /**
     * Carries out what happens on the page of a finished freestyle build: the decision ({@link #decided}), or the
     * expiry when nobody decided in time ({@link #expired}). Stored with the page, so it holds only what the user
     * wrote and how to reopen the run's services.
     */
    static final class FollowUp implements AfterDecision {
        private static final long serialVersionUID = 3L;
        private final TargetOptions target;
        private final String model;
        private final String version;
        /** Null in pages stored before it existed: those reopen the run's services in Jenkins. */
        private final StepServices.Reopener services;

        FollowUp(TargetOptions target, String model, String version, StepServices.Reopener services) {
            this.target = target;
            this.model = model;
            this.version = version;
            this.services = services;
        }

        @Override
        public void decided(Run<?, ?> run, PromotionAction page, Approval approval) throws Exception {
            onPage(run, page, s -> {
                DeployOutcome outcome = DeployFlow.lifecycle(s, target).decide(model, version, approval);
                report(s.services, outcome);
            });
        }

        /** Nobody decided by the deadline: the lifecycle takes the version out; the page says so. */
        void expired(PromotionAction page, Duration waited) {
            try {
                onPage(page.getRun(), page, s -> {
                    s.services.log().println(Messages.Approval_timedOut(model, version,
                            page.getDeadline()));
                    report(s.services, DeployFlow.lifecycle(s, target).expire(model, version, waited));
                });
            } catch (Exception e) {
                LOGGER.log(Level.WARNING, "expiry of the promotion " + page.getKey() + " failed", e);
                page.addOutcome("failed: " + e.getMessage());
            }
        }

        private void report(StepServices log, DeployOutcome outcome) {
            log.log().println(outcome.succeeded() ? Messages.Deploy_promoted(model, version)
                    : Messages.Deploy_ended(model, version, outcome.outcome().map(Enum::name).orElse("?"),
                            outcome.reason(), outcome.production().orElse("none")));
        }

        /** Runs {@code work} with the run's services, every line it logs going to the page. */
        private void onPage(Run<?, ?> run, PromotionAction page, DeployWork work) throws Exception {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
            TaskListener pageLog = () -> out;
            StepServices.Reopener reopener = services != null ? services : new JenkinsStepServices.ForRun();
            try (Session s = Session.open(reopener.reopen(run, pageLog), target)) {
                work.run(s);
            } finally {
                for (String line : buffer.toString(StandardCharsets.UTF_8).split("\n")) {
                    if (!line.isBlank()) {
                        page.addOutcome(line);
                    }
                }
            }
        }
    }

    @FunctionalInterface
    private interface DeployWork {
        void run(Session s) throws Exception;
    }
}
