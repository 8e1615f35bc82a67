package io.jenkins.plugins.modeldeploy.pipeline;

import io.jenkins.plugins.modeldeploy.abtest.ExperimentResult;
import io.jenkins.plugins.modeldeploy.abtest.Verdict;
import io.jenkins.plugins.modeldeploy.smoke.SmokeResult;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What an approver decides on: the versions, their images and the evidence.
 *
 * @param smoke      the smoke test, when this process ran it
 * @param experiment the A/B test, when this process ran it (a run resumed after a restart has only the stored
 *                   verdict and its reasons)
 * @param reasons    the figures behind the verdict, as stored
 */
public record PromotionRequest(
        String model,
        String champion,
        String challenger,
        Optional<String> championImage,
        Optional<String> challengerImage,
        Optional<SmokeResult> smoke,
        Optional<ExperimentResult> experiment,
        Verdict verdict,
        List<String> reasons) {
    public PromotionRequest {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(champion, "champion");
        Objects.requireNonNull(challenger, "challenger");
        Objects.requireNonNull(championImage, "championImage");
        Objects.requireNonNull(challengerImage, "challengerImage");
        Objects.requireNonNull(smoke, "smoke");
        Objects.requireNonNull(experiment, "experiment");
        Objects.requireNonNull(verdict, "verdict");
        reasons = List.copyOf(reasons);
    }

    /** One line: the verdict and its reasons. */
    public String summary() {
        return verdict + ": " + String.join("; ", reasons);
    }
}
