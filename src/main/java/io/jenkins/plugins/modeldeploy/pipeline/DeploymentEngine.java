package io.jenkins.plugins.modeldeploy.pipeline;

import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentResult;
import io.jenkins.plugins.modeldeploy.image.BuiltImage;
import io.jenkins.plugins.modeldeploy.image.ImageBuildException;
import io.jenkins.plugins.modeldeploy.image.ImagePlan;
import io.jenkins.plugins.modeldeploy.route.RoutingException;
import io.jenkins.plugins.modeldeploy.smoke.SmokeResult;
import io.jenkins.plugins.modeldeploy.target.DeployedVersion;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import io.jenkins.plugins.modeldeploy.target.RolloutException;
import io.jenkins.plugins.modeldeploy.target.RolloutRequest;
import io.jenkins.plugins.modeldeploy.target.Target;
import io.jenkins.plugins.modeldeploy.target.TargetException;

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

    SmokeResult smokeTest(Target target, DeployedVersion version, SmokeSettings settings)
            throws TargetException, InterruptedException;

    /** Splits the stable route, measures both variants and decides; leaves the split as it found it. */
    ExperimentResult abTest(Target target, ExperimentPlan plan) throws TargetException, RoutingException,
            InterruptedException;

    /** Sends 100% to {@code challenger}; a no-op when it already serves production. */
    ReleaseState promote(Target target, String model, String challenger, Approval approval)
            throws TargetException, RoutingException, InterruptedException;

    /** Restores the previous production version, digest and weights in one step. */
    ReleaseState rollback(Target target, String model, String reason) throws TargetException, RoutingException,
            InterruptedException;
}
