package io.jenkins.plugins.modeldeploy.pipeline;

import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentResult;
import io.jenkins.plugins.modeldeploy.abtest.Verdict;
import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.event.EventDetails;
import io.jenkins.plugins.modeldeploy.image.BuiltImage;
import io.jenkins.plugins.modeldeploy.image.ImageBuildException;
import io.jenkins.plugins.modeldeploy.image.ImagePlan;
import io.jenkins.plugins.modeldeploy.image.ImageTarget;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.route.RoutingException;
import io.jenkins.plugins.modeldeploy.smoke.SmokeResult;
import io.jenkins.plugins.modeldeploy.target.DeployedVersion;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import io.jenkins.plugins.modeldeploy.target.RetireMode;
import io.jenkins.plugins.modeldeploy.target.RolloutRequest;
import io.jenkins.plugins.modeldeploy.target.Stage;
import io.jenkins.plugins.modeldeploy.target.Target;
import io.jenkins.plugins.modeldeploy.target.TargetException;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The whole path of one version, synchronously: build, roll out, smoke-test, A/B test against production, ask for
 * approval, promote — or keep the version out, leaving production as it was. What the CLI's {@code deploy} and the
 * demo run; Jenkins' {@code deployModel} calls the same engine phases with an asynchronous approval in between.
 */
public final class ModelDeployment {
    private final DeploymentEngine engine;
    private final Target target;
    private final ApprovalGate approvals;
    private final Consumer<DeploymentEvent> events;

    public ModelDeployment(DeploymentEngine engine, Target target, ApprovalGate approvals,
            Consumer<DeploymentEvent> events) {
        this.engine = engine;
        this.target = target;
        this.approvals = approvals;
        this.events = events;
    }

    public DeployOutcome run(DeployPlan plan) throws ImageBuildException, TargetException, RoutingException,
            InterruptedException {
        ModelVersion version = plan.version();
        VersionRef ref = new VersionRef(version.name(), version.version());
        Promotions promotions = new Promotions(target, events);
        // The version replaced by the last promotion has served its keep window: scale it to zero now.
        promotions.retireExpired(version.name(), plan.keepPrevious());
        Optional<BuiltImage> image = plan.image().isPresent()
                ? Optional.of(engine.buildImage(plan.image().get())) : Optional.empty();
        Optional<java.nio.file.Path> archive = plan.image().map(ImagePlan::target)
                .filter(ImageTarget.Tar.class::isInstance).map(t -> ((ImageTarget.Tar) t).path());
        DeployedVersion deployed = engine.rollout(target, new RolloutRequest(version,
                image.map(BuiltImage::pinned).or(plan::prebuiltImage), plan.annotations(), plan.rolloutTimeout(),
                archive));
        Optional<ReleaseState> release = target.releases().load(version.name());
        Optional<String> production = release.flatMap(ReleaseState::production);
        if (production.equals(Optional.of(version.version()))) {
            return new DeployOutcome(DeployOutcome.Result.ALREADY_PRODUCTION, image, deployed, Optional.empty(), Optional.empty(),
                    Optional.empty(), version.version());
        }

        Optional<SmokeResult> smoke = Optional.empty();
        if (plan.smoke().isPresent()) {
            smoke = Optional.of(engine.smokeTest(target, version, deployed, plan.smoke().get()));
            if (!smoke.get().passed()) {
                keepOut(ref, Stage.FAILED);
                return new DeployOutcome(DeployOutcome.Result.SMOKE_FAILED, image, deployed, smoke, Optional.empty(), Optional.empty(),
                        production.orElse(""));
            }
        }
        if (production.isEmpty()) {
            promotions.bootstrap(version.name(), version.version(),
                    image.map(BuiltImage::digest).or(() -> plan.prebuiltImage().map(ModelDeployment::digestOf)));
            return new DeployOutcome(DeployOutcome.Result.FIRST_RELEASE, image, deployed, smoke, Optional.empty(), Optional.empty(),
                    version.version());
        }

        ExperimentPlan experimentPlan = plan.experiment().plan(version, production.get());
        ExperimentResult experiment = engine.abTest(target, experimentPlan, DefaultDeploymentEngine.samples(version));
        if (experiment.verdict() != Verdict.PROMOTE) {
            keepOut(ref, Stage.ROLLED_BACK);
            return new DeployOutcome(experiment.verdict() == Verdict.ROLLBACK ? DeployOutcome.Result.ROLLED_BACK
                    : DeployOutcome.Result.INCONCLUSIVE, image,
                    deployed, smoke, Optional.of(experiment), Optional.empty(), production.get());
        }

        PromotionRequest request = new PromotionRequest(version.name(), production.get(), version.version(),
                release.map(r -> r.digests().get(production.get())),
                image.map(BuiltImage::digest).or(() -> plan.prebuiltImage().map(ModelDeployment::digestOf)), smoke,
                experiment);
        events.accept(DeploymentEvent.of(version.name(), version.version(), "waiting for approval to promote "
                + version.version() + " over " + production.get(), new EventDetails.ApprovalRequested("")));
        Approval approval;
        try {
            approval = approvals.await(request, plan.approvalTimeout());
        } catch (TimeoutException e) {
            approval = new Approval(false, "timeout", java.time.Instant.now(), "no decision within "
                    + plan.approvalTimeout().toSeconds() + " s");
        }
        events.accept(DeploymentEvent.of(version.name(), version.version(), (approval.approved() ? "approved" :
                "rejected") + " by " + approval.approver() + (approval.comment().isEmpty() ? "" : ": "
                + approval.comment()), new EventDetails.ApprovalGiven(approval.approver(), approval.approved(),
                        approval.comment())));
        if (!approval.approved()) {
            keepOut(ref, Stage.ROLLED_BACK);
            return new DeployOutcome(DeployOutcome.Result.REJECTED, image, deployed, smoke, Optional.of(experiment),
                    Optional.of(approval), production.get());
        }
        engine.promote(target, version.name(), version.version(), approval);
        if (plan.keepPrevious().isZero()) {
            promotions.retireExpired(version.name(), plan.keepPrevious());
        }
        return new DeployOutcome(DeployOutcome.Result.PROMOTED, image, deployed, smoke, Optional.of(experiment), Optional.of(approval),
                version.version());
    }

    /** {@code sha256:…} of {@code repo@sha256:…}. */
    static String digestOf(String pinned) {
        return pinned.substring(pinned.indexOf('@') + 1);
    }

    /** A version that will not serve production: removed, its stage recorded, production untouched. */
    private void keepOut(VersionRef ref, Stage stage) throws TargetException {
        target.releases().setStage(ref, stage);
        target.retire(ref, RetireMode.REMOVE);
    }
}
