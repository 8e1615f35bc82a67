package io.jenkins.plugins.modeldeploy.pipeline;

import io.jenkins.plugins.modeldeploy.abtest.ExperimentResult;
import io.jenkins.plugins.modeldeploy.image.BuiltImage;
import io.jenkins.plugins.modeldeploy.smoke.SmokeResult;
import io.jenkins.plugins.modeldeploy.target.DeployedVersion;
import java.util.Optional;

/**
 * What one run did.
 *
 * @param result     how the run ended
 * @param production the version serving the stable route at the end
 */
public record DeployOutcome(Result result, Optional<BuiltImage> image, DeployedVersion deployed,
        Optional<SmokeResult> smoke, Optional<ExperimentResult> experiment, Optional<Approval> approval,
        String production) {

    /** How a run ended; the first three leave the version serving production. */
    public enum Result {
        PROMOTED, FIRST_RELEASE, ALREADY_PRODUCTION, SMOKE_FAILED, REJECTED, ROLLED_BACK, INCONCLUSIVE
    }

    /** True when the version serves production at the end. */
    public boolean succeeded() {
        return result == Result.PROMOTED || result == Result.FIRST_RELEASE || result == Result.ALREADY_PRODUCTION;
    }
}
