package io.jenkins.plugins.modeldeploy.jenkins.steps;

import hudson.AbortException;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.jenkins.config.Durations;
import io.jenkins.plugins.modeldeploy.jenkins.config.Validation;
import io.jenkins.plugins.modeldeploy.jenkins.engine.TargetOptions;
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

    static Lifecycle lifecycle(Session s, TargetOptions target) throws Exception {
        return new Lifecycle(s.engine, s.target(target), s::publish);
    }

    /** The model version the step deploys, from the model directory in the workspace. */
    static ModelVersion version(Session s, String modelDir, String version) throws Exception {
        Path dir = s.services.modelDirectory(modelDir);
        ModelSpec spec = new ModelSpecLoader().load(dir, s.resolver.sloDefaults(dir));
        return ModelVersion.of(spec, Validation.blank(version) ? s.services.buildNumber() : version, "version");
    }

    /** The plan of {@code deployModel} and the freestyle step: build, roll out, smoke-test, A/B test. */
    static DeployPlan plan(Session s, DeployRequest request, Duration approvalTimeout) throws Exception {
        ModelVersion version = version(s, request.modelDir, request.version);
        return new DeployPlan(version, Optional.of(s.resolver.image(version, request.image)), Optional.empty(),
                Map.of("build-url", s.services.runUrl()), rolloutTimeout(request.rolloutTimeout),
                Optional.of(request.smoke.settings()), request.abTest.settings(), approvalTimeout,
                keepPrevious(request.keepPrevious), s.resolver.kubernetes(request.target).onFailure(),
                s.services.runUrl());
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
     * {@code smoke}, {@code verdictReasons}, {@code approvedBy}; {@code promotedVersion} once promoted.
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
        outcome.experiment().ifPresent(e -> result.put("verdictReasons", new ArrayList<>(e.reasons())));
        outcome.approval().ifPresent(a -> {
            result.put("approvedBy", a.approver());
            result.put("approved", a.approved());
        });
        if (outcome.succeeded()) {
            result.put("promotedVersion", outcome.version());
        }
        return result;
    }

    /** The step's value when the version serves production; otherwise the step fails saying how the run ended. */
    static Object complete(DeployOutcome outcome, Map<String, Object> result, StepServices services)
            throws AbortException {
        if (outcome.succeeded()) {
            services.log().println(Messages.Deploy_promoted(outcome.model(), outcome.version()));
            return result;
        }
        throw new AbortException(Messages.Deploy_ended(outcome.model(), outcome.version(),
                outcome.outcome().map(Enum::name).orElse("?"), outcome.reason(),
                outcome.production().orElse("none")));
    }

    /**
     * Ends the run of {@code version} that an aborted build leaves in progress: the lifecycle takes the version out
     * ({@code ABORTED} in its verdict table: rolled back, production untouched). A run that ended meanwhile (or is
     * being promoted) is left as it is; the log says why.
     */
    static void abandon(Lifecycle lifecycle, String model, String version, Throwable cause, StepServices services) {
        try {
            lifecycle.releases().takeOut(model, version, VerdictTable.on(VerdictTable.Result.ABORTED),
                    "the build was aborted" + (cause == null || cause.getMessage() == null ? ""
                            : ": " + cause.getMessage()));
        } catch (Exception e) {
            services.log().println(e.getMessage());
        }
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
