package io.jenkins.plugins.modeldeploy.pipeline;

import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan;
import io.jenkins.plugins.modeldeploy.abtest.GatedMetric;
import io.jenkins.plugins.modeldeploy.image.ImagePlan;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.target.RetireMode;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * The whole path for one version: what to build, how to roll out, smoke-test and A/B test it, and what happens to
 * the versions it replaces or that fail.
 *
 * @param image          the image to build; empty for targets that run the model directory (local processes)
 * @param prebuiltImage  an image built earlier ({@code repo@sha256:…}), used when {@code image} is empty
 * @param annotations    metadata recorded on the version (git-commit, build-url, created-by …)
 * @param smoke          empty: no smoke test
 * @param experiment     how to test against production; champion and challenger are filled in by the run
 * @param keepPrevious   how long the replaced production version keeps running for instant rollback
 * @param onFailure      what happens to a version whose rollout or smoke test failed (REMOVE, or SCALE_TO_ZERO to
 *                       keep its objects for inspection)
 * @param by             who or what runs this (a build URL, user@host): recorded in the history
 * @param verify         run the built image and send it the model's samples before it is pushed or rolled out
 *                       ({@link DeploymentEngine#buildImage(ImagePlan, boolean)}); only with {@code image}
 */
public record DeployPlan(
        ModelVersion version,
        Optional<ImagePlan> image,
        Optional<String> prebuiltImage,
        Map<String, String> annotations,
        Duration rolloutTimeout,
        Optional<SmokeSettings> smoke,
        ExperimentSettings experiment,
        Duration approvalTimeout,
        Duration keepPrevious,
        RetireMode onFailure,
        String by,
        boolean verify) {

    /** A plan whose image, if it builds one, is not verified. */
    public DeployPlan(
            ModelVersion version,
            Optional<ImagePlan> image,
            Optional<String> prebuiltImage,
            Map<String, String> annotations,
            Duration rolloutTimeout,
            Optional<SmokeSettings> smoke,
            ExperimentSettings experiment,
            Duration approvalTimeout,
            Duration keepPrevious,
            RetireMode onFailure,
            String by) {
        this(
                version,
                image,
                prebuiltImage,
                annotations,
                rolloutTimeout,
                smoke,
                experiment,
                approvalTimeout,
                keepPrevious,
                onFailure,
                by,
                false);
    }

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
        if (keepPrevious.isNegative()) {
            throw new IllegalArgumentException("keepPrevious must not be negative, was " + keepPrevious);
        }
        Objects.requireNonNull(onFailure, "onFailure");
        Objects.requireNonNull(by, "by");
    }

    /**
     * The experiment's settings without its versions.
     *
     * @param qualityMetrics gated besides the error and SLO-violation rates, as given for this run; merged with the
     *                       model's {@code abTest.metrics} when the plan is made (these win per name)
     * @param mode           A/B split or shadow (mirrored copies, {@code challengerWeight} percent)
     * @param stickyHeader   keep a client on one variant by this request header's value
     */
    public record ExperimentSettings(
            int challengerWeight,
            Duration minDuration,
            Duration maxDuration,
            long minSamples,
            double alpha,
            ExperimentPlan.Method method,
            OptionalDouble syntheticRate,
            double minimumDetectableEffect,
            ExperimentPlan.Gate gate,
            List<GatedMetric> qualityMetrics,
            ExperimentPlan.Mode mode,
            Optional<String> stickyHeader) {
        public ExperimentSettings {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(syntheticRate, "syntheticRate");
            Objects.requireNonNull(gate, "gate");
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(stickyHeader, "stickyHeader");
            qualityMetrics = List.copyOf(qualityMetrics);
            Set<String> names = new HashSet<>();
            for (GatedMetric metric : qualityMetrics) {
                if (!names.add(metric.name())) {
                    throw new IllegalArgumentException("quality metric " + metric.name() + " is given twice");
                }
            }
            if (mode == ExperimentPlan.Mode.SHADOW) {
                for (GatedMetric metric : qualityMetrics) {
                    if (metric.builtIn()) {
                        throw new IllegalArgumentException("quality metric " + metric.name() + " cannot be gated in"
                                + " shadow mode: the shadow's answers are discarded, so neither labelled samples"
                                + " nor feedback score them (its agreement with production is reported instead)");
                    }
                }
            }
        }

        /** Operational gates only (error and SLO-violation rates), an A/B split without stickiness. */
        public ExperimentSettings(
                int challengerWeight,
                Duration minDuration,
                Duration maxDuration,
                long minSamples,
                double alpha,
                ExperimentPlan.Method method,
                OptionalDouble syntheticRate,
                double minimumDetectableEffect,
                ExperimentPlan.Gate gate) {
            this(
                    challengerWeight,
                    minDuration,
                    maxDuration,
                    minSamples,
                    alpha,
                    method,
                    syntheticRate,
                    minimumDetectableEffect,
                    gate,
                    List.of(),
                    ExperimentPlan.Mode.AB,
                    Optional.empty());
        }

        public static ExperimentSettings defaults() {
            return new ExperimentSettings(
                    10,
                    Duration.ofMinutes(1),
                    Duration.ofMinutes(30),
                    500,
                    0.05,
                    ExperimentPlan.Method.SEQUENTIAL,
                    OptionalDouble.empty(),
                    ExperimentPlan.DEFAULT_MINIMUM_DETECTABLE_EFFECT,
                    ExperimentPlan.Gate.DEFAULT);
        }

        /** The plan of one experiment; {@code sloP99Ms} is the latency that counts as an SLO violation. */
        public ExperimentPlan plan(String model, String champion, String challenger, double sloP99Ms) {
            return plan(model, champion, challenger, sloP99Ms, List.of());
        }

        /**
         * The plan of one experiment, gating on {@code declared} (the model's {@code abTest.metrics}) and this run's
         * quality metrics, this run's replacing a declared one of the same name. In shadow mode the declared built-in
         * metrics are left out: nothing scores a shadow's discarded answers.
         */
        public ExperimentPlan plan(
                String model, String champion, String challenger, double sloP99Ms, List<GatedMetric> declared) {
            return new ExperimentPlan(
                    model,
                    champion,
                    challenger,
                    challengerWeight,
                    minDuration,
                    maxDuration,
                    minSamples,
                    alpha,
                    method,
                    syntheticRate,
                    sloP99Ms,
                    minimumDetectableEffect,
                    gate,
                    merge(
                            mode == ExperimentPlan.Mode.SHADOW
                                    ? declared.stream()
                                            .filter(metric -> !metric.builtIn())
                                            .toList()
                                    : declared,
                            qualityMetrics),
                    mode,
                    stickyHeader);
        }

        public ExperimentPlan plan(ModelVersion challenger, String champion) {
            return plan(
                    challenger.name(),
                    champion,
                    challenger.version(),
                    challenger.spec().slo().p99Ms(),
                    AbTestInputs.declaredMetrics(challenger.spec()));
        }

        /** {@code declared} with {@code given} added, a given metric replacing a declared one of its name. */
        static List<GatedMetric> merge(List<GatedMetric> declared, List<GatedMetric> given) {
            Map<String, GatedMetric> byName = new LinkedHashMap<>();
            declared.forEach(metric -> byName.put(metric.name(), metric));
            given.forEach(metric -> byName.put(metric.name(), metric));
            return List.copyOf(byName.values());
        }
    }
}
