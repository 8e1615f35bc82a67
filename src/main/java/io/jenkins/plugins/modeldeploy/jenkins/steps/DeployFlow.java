package io.jenkins.plugins.modeldeploy.jenkins.steps;

import java.util.List;

import io.jenkins.plugins.modeldeploy.target.TargetException;

import io.jenkins.plugins.modeldeploy.smoke.Payload;

import io.jenkins.plugins.modeldeploy.pipeline.DefaultDeploymentEngine;

import hudson.AbortException;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentResult;
import io.jenkins.plugins.modeldeploy.abtest.Verdict;
import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.event.EventDetails;
import io.jenkins.plugins.modeldeploy.image.BuiltImage;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.jenkins.config.Durations;
import io.jenkins.plugins.modeldeploy.jenkins.config.Validation;
import io.jenkins.plugins.modeldeploy.jenkins.engine.TargetOptions;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionEvidence;
import io.jenkins.plugins.modeldeploy.model.ModelSpec;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.pipeline.Approval;
import io.jenkins.plugins.modeldeploy.pipeline.PromotionRequest;
import io.jenkins.plugins.modeldeploy.smoke.SmokeResult;
import io.jenkins.plugins.modeldeploy.target.DeployedVersion;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import io.jenkins.plugins.modeldeploy.target.RetireMode;
import io.jenkins.plugins.modeldeploy.target.RolloutRequest;
import io.jenkins.plugins.modeldeploy.target.Target;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The phases of {@code deployModel} and the freestyle build step, in two halves around the approval: {@link
 * #beforeApproval} builds, rolls out, smoke-tests and A/B-tests; {@link #afterApproval} promotes or rolls back.
 * Shared by the Pipeline execution and the freestyle builder, so both do exactly the same.
 */
final class DeployFlow {
    private DeployFlow() {}

    static Checkpoint beforeApproval(Session s, DeployRequest request, Status status) throws Exception {
        StepServices services = s.services;
        Path dir = services.modelDirectory(request.modelDir);
        ModelSpec spec = new ModelSpecLoader().load(dir, s.resolver.sloDefaults(dir));
        String versionText = Validation.blank(request.version) ? services.buildNumber() : request.version;
        ModelVersion version = ModelVersion.of(spec, versionText, "version");
        LinkedHashMap<String, Object> result = new LinkedHashMap<>();
        result.put("model", spec.name());
        result.put("version", version.version());

        status.set("building image");
        BuiltImage image = s.engine.buildImage(s.resolver.image(version, request.image));
        result.put("image", image.pinned());
        result.put("imageDigest", image.digest());

        status.set("rolling out");
        Target target = s.target(request.target);
        DeployedVersion deployed = s.engine.rollout(target, new RolloutRequest(version, Optional.of(image.pinned()),
                Map.of("build-url", services.runUrl()), Durations.parsePositive(
                        Validation.blank(request.rolloutTimeout) ? "10m" : request.rolloutTimeout, "rolloutTimeout")));
        result.put("endpoint", deployed.endpoint().toString());

        status.set("smoke test");
        SmokeResult smoke = s.engine.smokeTest(target, version, deployed, request.smoke.settings());
        result.put("smoke", smokeSummary(smoke));
        if (!smoke.passed()) {
            target.retire(deployed.ref(), RetireMode.REMOVE);
            throw new AbortException(Messages.format("Deploy.smokeFailed", spec.name(), version.version(),
                    String.join("; ", smoke.verdict().reasons())));
        }

        Optional<String> champion = target.releases().load(spec.name()).flatMap(ReleaseState::production)
                .filter(v -> !v.equals(version.version()));
        ExperimentResult experiment = null;
        String verdict;
        if (champion.isEmpty()) {
            services.log().println(Messages.format("Deploy.firstVersion", spec.name(), version.version()));
            verdict = Verdict.PROMOTE.name();
        } else {
            status.set("A/B test against " + champion.get());
            ExperimentPlan plan = request.abTest.plan(spec.name(), champion.get(), version.version(),
                    spec.slo().p99Ms());
            experiment = s.engine.abTest(target, plan, samples(version));
            verdict = experiment.verdict().name();
            result.put("verdictReasons", new ArrayList<>(experiment.reasons()));
            services.log().println(Messages.format("Deploy.verdict", spec.name(), version.version(),
                    experiment.summary()));
        }
        result.put("verdict", verdict);
        Optional<String> championImage = Optional.empty();
        if (champion.isPresent()) {
            championImage = target.releases().load(spec.name()).map(state -> state.digests().get(champion.get()));
        }
        PromotionEvidence evidence = new PromotionEvidence(new PromotionRequest(spec.name(), champion.orElse(""),
                version.version(), championImage, Optional.of(image.pinned()), Optional.of(smoke), experiment));
        return new Checkpoint(spec.name(), version.version(), champion.orElse(""), verdict, evidence, result);
    }

    /** The model's sample requests (synthetic A/B traffic); none when the model declares none. */
    static List<Payload> samples(ModelVersion version) throws TargetException {
        return version.spec().samples().isEmpty() ? List.of() : DefaultDeploymentEngine.samples(version);
    }

    /** Promotes on an approval of a PROMOTE or INCONCLUSIVE verdict; otherwise rolls back and fails. */
    static Map<String, Object> afterApproval(Session s, TargetOptions target, Checkpoint c, Approval approval)
            throws Exception {
        s.publish(DeploymentEvent.of(c.model, c.challenger, (approval.approved() ? "approved" : "rejected") + " by "
                + approval.approver() + (approval.comment().isEmpty() ? "" : ": " + approval.comment()),
                new EventDetails.ApprovalGiven(approval.approver(), approval.approved(), approval.comment())));
        LinkedHashMap<String, Object> result = new LinkedHashMap<>(c.result);
        result.put("approvedBy", approval.approver());
        result.put("approved", approval.approved());
        if (approval.approved() && !Verdict.ROLLBACK.name().equals(c.verdict)) {
            s.engine.promote(s.target(target), c.model, c.challenger, approval);
            s.services.log().println(Messages.format("Deploy.promoted", c.model, c.challenger));
            result.put("promotedVersion", c.challenger);
            return result;
        }
        String reason = approval.approved() ? "A/B verdict " + c.verdict
                : "promotion rejected by " + approval.approver()
                        + (approval.comment().isEmpty() ? "" : ": " + approval.comment());
        rollback(s, target, c, reason);
        throw new AbortException(Messages.format("Deploy.rolledBack", c.model, reason));
    }

    /** Restores production when the challenger ever had traffic; a first version is simply retired. */
    static void rollback(Session s, TargetOptions target, Checkpoint c, String reason) throws Exception {
        Target t = s.target(target);
        if (c.champion.isEmpty()) {
            t.retire(new io.jenkins.plugins.modeldeploy.target.VersionRef(c.model, c.challenger), RetireMode.REMOVE);
        } else {
            s.engine.rollback(t, c.model, reason);
        }
        s.services.log().println(Messages.format("Deploy.rolledBack", c.model, reason));
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
