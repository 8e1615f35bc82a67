package io.jenkins.plugins.modeldeploy.pipeline;

import io.jenkins.plugins.modeldeploy.abtest.ExperimentResult;
import io.jenkins.plugins.modeldeploy.image.BuiltImage;
import io.jenkins.plugins.modeldeploy.smoke.SmokeResult;
import io.jenkins.plugins.modeldeploy.target.DeployedVersion;
import java.util.Optional;

/**
 * What one run did.
 *
 * @param result     one word for the end: PROMOTED, FIRST_RELEASE, ALREADY_PRODUCTION, SMOKE_FAILED, REJECTED,
 *                   ROLLED_BACK or INCONCLUSIVE
 * @param production the version serving the stable route at the end
 */
public record DeployOutcome(String result, Optional<BuiltImage> image, DeployedVersion deployed,
        Optional<SmokeResult> smoke, Optional<ExperimentResult> experiment, Optional<Approval> approval,
        String production) {

    /** True when the run ended as it should: the version serves production, or was kept out for a good reason. */
    public boolean succeeded() {
        return switch (result) {
            case "PROMOTED", "FIRST_RELEASE", "ALREADY_PRODUCTION" -> true;
            default -> false;
        };
    }
}
