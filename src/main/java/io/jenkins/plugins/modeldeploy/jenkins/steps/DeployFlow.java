package io.jenkins.plugins.modeldeploy.jenkins.steps;

import hudson.AbortException;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.jenkins.config.Durations;
import io.jenkins.plugins.modeldeploy.jenkins.config.Validation;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.DeploymentRecord;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionEvidence;
import io.jenkins.plugins.modeldeploy.model.ModelSpec;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.pipeline.DeployOutcome;
import io.jenkins.plugins.modeldeploy.pipeline.DeployPlan;
import io.jenkins.plugins.modeldeploy.pipeline.Lifecycle;
import io.jenkins.plugins.modeldeploy.pipeline.VerdictTable;
import io.jenkins.plugins.modeldeploy.smoke.SmokeResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code deployModel}, the freestyle step and the finer steps share: the lifecycle over the session's target,
 * the plan built from the step's options, and the step's result from the lifecycle's outcome. No verdict is looked
 * at here: what a verdict does is the lifecycle's ({@code VerdictTable}); the drivers differ only in how they wait
 * for approval.
 */
final class DeployFlow {
    static final String DEFAULT_ROLLOUT_TIMEOUT = "10m";
    static final String DEFAULT_KEEP_PREVIOUS = "1h";

    private DeployFlow() {}

    /** The lifecycle over the session's cluster; on the agent. */
    static Lifecycle lifecycle(AgentSession s) throws Exception {
        return new Lifecycle(s.engine(), s.target(), s::publish);
    }

    /** The model version the step deploys, from the model directory in the workspace (read on the agent). */
    static ModelVersion version(AgentSession s, String modelDir, String version) throws Exception {
        Path dir = s.modelDirectory(modelDir);
        ModelSpec spec = new ModelSpecLoader().load(dir, s.sloDefaults(dir));
        return ModelVersion.of(spec, Validation.blank(version) ? s.buildNumber() : version, "version");
    }

    /** The plan of {@code deployModel} and the freestyle step: build, roll out, smoke-test, A/B test. On the agent. */
    static DeployPlan plan(AgentSession s, DeployRequest request, Duration approvalTimeout) throws Exception {
        ModelVersion version = version(s, request.modelDir, request.version);
        return new DeployPlan(
                version,
                Optional.of(s.image(version)),
                Optional.empty(),
                Map.of("build-url", s.runUrl()),
                rolloutTimeout(request.rolloutTimeout),
                Optional.of(request.smoke.settings()),
                request.abTest.settings(),
                approvalTimeout,
                keepPrevious(request.keepPrevious),
                s.kubernetes().onFailure(),
                s.runUrl(),
                request.verify);
    }

    /**
     * Where {@code deployModel} and the freestyle step stand after the lifecycle's first half (on the agent): the
     * step's result so far, and either how it ended or what awaits approval. Travels back to the controller.
     */
    static final class Start implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        final String model;
        final String version;
        final LinkedHashMap<String, Object> result;
        /** Set when the lifecycle waits for a decision. */
        final PromotionEvidence evidence;
        /** Set when the run ended without waiting (see {@link DeployFlow#complete(Ended, StepServices)}). */
        final Ended ended;

        private Start(
                String model,
                String version,
                LinkedHashMap<String, Object> result,
                PromotionEvidence evidence,
                Ended ended) {
            this.model = model;
            this.version = version;
            this.result = result;
            this.evidence = evidence;
            this.ended = ended;
        }

        /** On the agent: the lifecycle from the plan up to its decision point. */
        static Start run(AgentSession s, DeployRequest request, Duration approvalTimeout) throws Exception {
            DeployPlan plan = plan(s, request, approvalTimeout);
            Lifecycle.Progress progress = lifecycle(s).start(plan);
            DeployOutcome reached = progress.outcome(); // the smoke test's reports, if it got that far
            reached.smoke().ifPresent(smoke -> s.smokeTested(reached.model(), reached.version(), smoke));
            LinkedHashMap<String, Object> result = summary(progress.outcome(), Map.of());
            if (progress instanceof Lifecycle.AwaitingApproval waiting) {
                return new Start(
                        waiting.outcome().model(),
                        waiting.outcome().version(),
                        result,
                        new PromotionEvidence(waiting.request()),
                        null);
            }
            return new Start(
                    progress.outcome().model(),
                    progress.outcome().version(),
                    result,
                    null,
                    Ended.of(progress.outcome(), result));
        }

        boolean awaiting() {
            return evidence != null;
        }
    }

    static Duration rolloutTimeout(String text) {
        return Durations.parsePositive(Validation.blank(text) ? DEFAULT_ROLLOUT_TIMEOUT : text, "rolloutTimeout");
    }

    /** How long a replaced production version keeps running: one hour unless the step says otherwise (0: none). */
    static Duration keepPrevious(String text) {
        Validation.require(Validation.durationOrZero("keepPrevious", text));
        return Durations.parse(Validation.blank(text) ? DEFAULT_KEEP_PREVIOUS : text, "keepPrevious");
    }

    /**
     * The step's value: {@code model}, {@code version}, {@code outcome} (null while undecided), {@code verdict},
     * {@code production}, {@code reason}, and what ran: {@code image}, {@code imageDigest}, {@code endpoint},
     * {@code smoke}, {@code verdictReasons}, {@code quality} (by metric: each variant's mean and count, the finding),
     * {@code shadowAgreement} (shadow mode), {@code approvedBy}; {@code promotedVersion} once promoted.
     */
    static LinkedHashMap<String, Object> summary(DeployOutcome outcome, Map<String, Object> earlier) {
        LinkedHashMap<String, Object> result = new LinkedHashMap<>(earlier);
        result.put("model", outcome.model());
        result.put("version", outcome.version());
        result.put("outcome", outcome.outcome().map(Enum::name).orElse(null));
        outcome.verdict().ifPresent(v -> result.put("verdict", v.name()));
        result.putIfAbsent("verdict", null);
        result.put("production", outcome.production().orElse(null));
        result.put("reason", outcome.reason());
        outcome.image().ifPresent(i -> {
            result.put("image", i.pinned());
            result.put("imageDigest", i.digest());
        });
        outcome.deployed().ifPresent(d -> result.put("endpoint", d.endpoint().toString()));
        outcome.smoke().ifPresent(smoke -> result.put("smoke", smokeSummary(smoke)));
        outcome.experiment().ifPresent(e -> {
            result.put("verdictReasons", new ArrayList<>(e.reasons()));
            result.put("quality", io.jenkins.plugins.modeldeploy.pipeline.ExperimentJson.quality(e));
            if (e.plan().mode() == io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan.Mode.SHADOW) {
                result.put("shadowAgreement", e.shadow().agreementRate());
            }
        });
        outcome.approval().ifPresent(a -> {
            result.put("approvedBy", a.approver());
            result.put("approved", a.approved());
        });
        if (outcome.succeeded()) {
            result.put("promotedVersion", outcome.version());
        }
        return result;
    }

    /**
     * How a lifecycle run ended, as it travels back from the agent (a {@link DeployOutcome} does not): whether the
     * version serves production, how the run ended, and the step's value. {@link #complete(Ended, StepServices)} turns
     * it into the step's result on the controller.
     */
    static final class Ended implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        final boolean succeeded;
        final String model;
        final String version;
        final String outcome;
        final String reason;
        final String production;
        final LinkedHashMap<String, Object> result;
        /** The run's summary of this deployment, made where it ran (the outcome itself does not travel). */
        final DeploymentRecord record;

        private Ended(DeployOutcome o, Map<String, Object> result) {
            this.succeeded = o.succeeded();
            this.model = o.model();
            this.version = o.version();
            this.outcome = o.outcome().map(Enum::name).orElse(null);
            this.reason = o.reason();
            this.production = o.production().orElse(null);
            this.result = new LinkedHashMap<>(result);
            this.record = new DeploymentRecord(o, result, System.currentTimeMillis());
        }

        static Ended of(DeployOutcome outcome, Map<String, Object> result) {
            return new Ended(outcome, result);
        }
    }

    /**
     * On the controller: the step's value when the version serves production; otherwise the step fails saying how
     * the run ended.
     */
    static Object complete(Ended ended, StepServices services) throws AbortException {
        services.recordDeployment(ended.record);
        if (ended.succeeded) {
            services.log().println(Messages.Deploy_promoted(ended.model, ended.version));
            return ended.result;
        }
        throw new AbortException(Messages.Deploy_ended(
                ended.model,
                ended.version,
                ended.outcome == null ? "?" : ended.outcome,
                ended.reason,
                ended.production == null ? "none" : ended.production));
    }

    /** A result that came back from the agent: completed when it is how a run ended, else the step's value as is. */
    static Object completeIfEnded(Object fromAgent, StepServices services) throws AbortException {
        return fromAgent instanceof Ended ended ? complete(ended, services) : fromAgent;
    }

    /**
     * Ends the run of {@code version} that an aborted build leaves in progress: the lifecycle takes the version out
     * ({@code ABORTED} in its verdict table: rolled back, production untouched). A run that ended meanwhile (or is
     * being promoted) is left as it is; the log says why.
     */
    static void abandon(Session session, String model, String version, Throwable cause) throws Exception {
        String why = "the build was aborted"
                + (cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage());
        session.onAgent(s -> {
            try {
                lifecycle(s).releases().takeOut(model, version, VerdictTable.on(VerdictTable.Result.ABORTED), why);
            } catch (Exception e) {
                s.log(e.getMessage());
            }
            return null;
        });
    }

    static Map<String, Object> smokeSummary(SmokeResult smoke) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("passed", smoke.passed());
        summary.put("requests", smoke.load().requests());
        summary.put("achievedRate", round(smoke.load().achievedRate()));
        summary.put("p50Ms", round(smoke.load().latencyMs(50)));
        summary.put("p99Ms", round(smoke.load().latencyMs(99)));
        summary.put("errorRate", smoke.load().errorRate());
        summary.put("reasons", new ArrayList<>(smoke.verdict().reasons()));
        return summary;
    }

    private static double round(double v) {
        return Double.parseDouble(String.format(Locale.ROOT, "%.3f", v));
    }

    /** Where the flow is, for the step's status and the restart message. */
    @FunctionalInterface
    interface Status {
        void set(String phase);
    }
}
