package io.jenkins.plugins.modeldeploy.pipeline;

import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentResult;
import io.jenkins.plugins.modeldeploy.image.BuiltImage;
import io.jenkins.plugins.modeldeploy.image.ImageBuildException;
import io.jenkins.plugins.modeldeploy.image.ImagePlan;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.route.RoutingException;
import io.jenkins.plugins.modeldeploy.smoke.Payload;
import io.jenkins.plugins.modeldeploy.smoke.SmokeResult;
import io.jenkins.plugins.modeldeploy.target.DeployedVersion;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import io.jenkins.plugins.modeldeploy.target.RolloutException;
import io.jenkins.plugins.modeldeploy.target.RolloutRequest;
import io.jenkins.plugins.modeldeploy.target.Target;
import io.jenkins.plugins.modeldeploy.target.TargetException;
import java.util.List;

/**
 * The phases of one deployment as separate calls, so a driver (the CLI's {@code deploy}, Jenkins' {@code
 * deployModel} or its finer steps) can put an asynchronous approval between the verdict and the promotion. Every
 * call publishes its events; every call is safe to repeat.
 */
public interface DeploymentEngine {
    BuiltImage buildImage(ImagePlan plan) throws ImageBuildException, InterruptedException;

    /** Rolls the version out and routes {@code /models/m/v} to it; the stable route is untouched. */
    DeployedVersion rollout(Target target, RolloutRequest request) throws RolloutException, RoutingException,
            InterruptedException;

    /** Sends the model's sample requests to the version's own endpoint at the SLO rate and judges the result. */
    SmokeResult smokeTest(Target target, ModelVersion model, DeployedVersion version, SmokeSettings settings)
            throws TargetException, InterruptedException;

    /**
     * Splits the stable route, measures both variants and decides; leaves the split as it found it.
     *
     * @param samples what synthetic traffic sends, when the plan asks for it (the challenger's sample requests)
     */
    ExperimentResult abTest(Target target, ExperimentPlan plan, List<Payload> samples) throws TargetException,
            RoutingException, InterruptedException;

    /** Sends 100% to {@code challenger}; a no-op when it already serves production. */
    ReleaseState promote(Target target, String model, String challenger, Approval approval)
            throws TargetException, RoutingException, InterruptedException;

    /** Restores the previous production version, digest and weights in one step. */
    ReleaseState rollback(Target target, String model, String reason) throws TargetException, RoutingException,
            InterruptedException;
}
