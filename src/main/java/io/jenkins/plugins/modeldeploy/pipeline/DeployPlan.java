package io.jenkins.plugins.modeldeploy.pipeline;

import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan;
import io.jenkins.plugins.modeldeploy.image.ImagePlan;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The whole path for one version: what to build, how to roll out, smoke-test and A/B test it, and who approves.
 *
 * @param image          the image to build; empty for targets that run the model directory (local processes)
 * @param prebuiltImage  an image built earlier ({@code repo@sha256:…}), used when {@code image} is empty
 * @param annotations    metadata recorded on the version (git commit, build URL, created-by …)
 * @param smoke          empty: no smoke test
 * @param experiment     how to test against production; champion and challenger are filled in by the run
 * @param keepPrevious   how long the replaced production version keeps running for instant rollback
 */
public record DeployPlan(ModelVersion version, Optional<ImagePlan> image, Optional<String> prebuiltImage,
        Map<String, String> annotations,
        Duration rolloutTimeout, Optional<SmokeSettings> smoke, ExperimentSettings experiment,
        Duration approvalTimeout, Duration keepPrevious) {

    public DeployPlan {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(prebuiltImage, "prebuiltImage");
        if (image.isPresent() && prebuiltImage.isPresent()) {
            throw new IllegalArgumentException("either build an image or name a prebuilt one, not both");
        }
        annotations = Map.copyOf(annotations);
        Objects.requireNonNull(smoke, "smoke");
        Objects.requireNonNull(experiment, "experiment");
    }

    /** The experiment's settings without its versions. */
    public record ExperimentSettings(int challengerWeight, Duration minDuration, Duration maxDuration, long minSamples,
            double alpha, ExperimentPlan.Method method, OptionalDouble syntheticRate, double minimumDetectableEffect) {
        public static ExperimentSettings defaults() {
            return new ExperimentSettings(10, Duration.ofMinutes(1), Duration.ofMinutes(30), 500, 0.05,
                    ExperimentPlan.Method.SEQUENTIAL, OptionalDouble.empty(),
                    ExperimentPlan.DEFAULT_MINIMUM_DETECTABLE_EFFECT);
        }

        public ExperimentPlan plan(ModelVersion challenger, String champion) {
            return new ExperimentPlan(challenger.name(), champion, challenger.version(), challengerWeight, minDuration,
                    maxDuration, minSamples, alpha, method, syntheticRate, challenger.spec().slo().p99Ms(),
                    minimumDetectableEffect);
        }
    }
}
