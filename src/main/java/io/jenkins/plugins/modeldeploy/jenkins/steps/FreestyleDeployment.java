package io.jenkins.plugins.modeldeploy.jenkins.steps;

import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.jenkins.engine.TargetOptions;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.AfterDecision;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionAction;
import io.jenkins.plugins.modeldeploy.pipeline.Approval;
import io.jenkins.plugins.modeldeploy.pipeline.DeployOutcome;
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
        try {
            deploy(services, request);
        } catch (Exception e) { // the build prints a failure as it is: never with a secret of the run in it
            Throwable shown = services.masked(e);
            throw shown instanceof Exception masked ? masked : e;
        }
    }

    private static void deploy(StepServices services, DeployRequest request) throws Exception {
        try (Session s = Session.open(services, request.target)) {
            Duration timeout = request.approvalTimeout(services.configuration().getApprovalTimeout());
            boolean automatic = !request.approvalRequired();
            Object result;
            try {
                result = s.onAgent(
                        request.image,
                        a -> { // on the agent: nothing of the execution travels
                            DeployFlow.Start started = DeployFlow.Start.run(a, request, timeout);
                            if (!started.awaiting() || !automatic) {
                                return started;
                            }
                            DeployOutcome outcome = DeployFlow.lifecycle(a)
                                    .decide(
                                            started.model,
                                            started.version,
                                            Approval.automatic("freestyle step without an approval block"));
                            return DeployFlow.Ended.of(outcome, DeployFlow.summary(outcome, started.result));
                        });
            } catch (InterruptedException e) { // the build was aborted: end the run it started
                DeploymentEvent last = s.lastEvent();
                if (last != null) {
                    services.log().println(Messages.Deploy_aborted(last.model(), last.version()));
                    DeployFlow.abandon(s, last.model(), last.version(), e);
                }
                throw e;
            }
            if (result instanceof DeployFlow.Ended ended) { // decided automatically
                DeployFlow.complete(ended, services);
                return;
            }
            DeployFlow.Start start = (DeployFlow.Start) result;
            if (!start.awaiting()) {
                DeployFlow.complete(start.ended, services);
                return;
            }
            String model = start.model;
            String version = start.version;
            Instant deadline = Instant.now().plus(timeout);
            String key = ApprovingExecution.waitKey(services.runId(), "freestyle", model, version);
            FollowUp followUp = new FollowUp(request.target, model, version, services.reopener());
            PromotionAction page =
                    new PromotionAction(key, start.evidence, request.approval.approverList(), deadline, followUp);
            services.attach(page);
            ApprovalWait.at(deadline, () -> {
                if (page.close(PromotionAction.Status.TIMED_OUT)) {
                    BackgroundExecution.WORKERS.submit(() -> followUp.expired(page, timeout));
                }
            });
            String url = services.runUrl() + page.getUrl();
            services.log().println(Messages.Approval_waiting(model, version, url));
            if (!url.startsWith("http://") && !url.startsWith("https://")) {
                services.log().println(Messages.Approval_noRootUrl());
            }
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
            String model = this.model;
            String version = this.version;
            onPage(
                    run,
                    page,
                    s -> report(
                            s.services,
                            s.onAgent(
                                    a -> // no workspace: on the controller
                                    ended(DeployFlow.lifecycle(a).decide(model, version, approval)))));
        }

        /** Nobody decided by the deadline: the lifecycle takes the version out; the page says so. */
        void expired(PromotionAction page, Duration waited) {
            try {
                String model = this.model;
                String version = this.version;
                onPage(page.getRun(), page, s -> {
                    s.services.log().println(Messages.Approval_timedOut(model, version, page.getDeadline()));
                    report(
                            s.services,
                            s.onAgent(a -> ended(DeployFlow.lifecycle(a).expire(model, version, waited))));
                });
            } catch (Exception e) {
                LOGGER.log(Level.WARNING, "expiry of the promotion " + page.getKey() + " failed", e);
                page.addOutcome("failed: " + e.getMessage());
            }
        }

        private static DeployFlow.Ended ended(DeployOutcome outcome) {
            return DeployFlow.Ended.of(outcome, DeployFlow.summary(outcome, Map.of()));
        }

        /** On the controller: the run's summary gets the deployment; the page's log says how it ended. */
        private static void report(StepServices services, DeployFlow.Ended ended) {
            services.recordDeployment(ended.record);
            services.log()
                    .println(
                            ended.succeeded
                                    ? Messages.Deploy_promoted(ended.model, ended.version)
                                    : Messages.Deploy_ended(
                                            ended.model,
                                            ended.version,
                                            ended.outcome == null ? "?" : ended.outcome,
                                            ended.reason,
                                            ended.production == null ? "none" : ended.production));
        }

        /** Runs {@code work} with the run's services, every line it logs going to the page. */
        private void onPage(Run<?, ?> run, PromotionAction page, DeployWork work) throws Exception {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
            TaskListener pageLog = () -> out;
            StepServices.Reopener reopener = services != null ? services : new JenkinsStepServices.ForRun();
            StepServices opened = reopener.reopen(run, pageLog);
            try (Session s = Session.open(opened, target)) {
                work.run(s);
            } catch (Exception e) { // the page and the system log show the failure masked, as the build log would
                Throwable shown = opened.masked(e);
                throw shown instanceof Exception masked ? masked : e;
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
