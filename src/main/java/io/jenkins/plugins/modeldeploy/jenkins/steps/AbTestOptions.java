package io.jenkins.plugins.modeldeploy.jenkins.steps;

import hudson.Extension;
import hudson.model.AbstractDescribableImpl;
import hudson.model.Descriptor;
import hudson.util.FormValidation;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.jenkins.config.Durations;
import io.jenkins.plugins.modeldeploy.jenkins.config.Validation;
import io.jenkins.plugins.modeldeploy.pipeline.DeployPlan;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

/** How to A/B test a new version against the one in production (see docs/ab-testing.md for the statistics). */
public final class AbTestOptions extends AbstractDescribableImpl<AbTestOptions> implements Serializable {
    private static final long serialVersionUID = 1L;

    private int challengerWeight = 10;
    private String minDuration = "5m";
    private String maxDuration = "30m";
    private long minSamples = 1000;
    private double alpha = 0.05;
    private String method = ExperimentPlan.Method.SEQUENTIAL.name();
    private Double syntheticRate;
    private double minimumDetectableEffect = ExperimentPlan.DEFAULT_MINIMUM_DETECTABLE_EFFECT;
    private String gate = ExperimentPlan.Gate.DEFAULT.kind().name();
    private double errorRateMargin = ExperimentPlan.Gate.DEFAULT_MARGIN;
    private double sloViolationMargin = ExperimentPlan.Gate.DEFAULT_MARGIN;

    @DataBoundConstructor
    public AbTestOptions() {}

    public int getChallengerWeight() {
        return challengerWeight;
    }

    /** Percent of the stable route's traffic sent to the new version, 1..99. */
    @DataBoundSetter
    public void setChallengerWeight(int challengerWeight) {
        Validation.require(Validation.range("abTest.challengerWeight", challengerWeight, 1, 99));
        this.challengerWeight = challengerWeight;
    }

    public String getMinDuration() {
        return minDuration;
    }

    @DataBoundSetter
    public void setMinDuration(String minDuration) {
        Validation.require(Validation.duration("abTest.minDuration", minDuration, true));
        this.minDuration = minDuration.trim();
    }

    public String getMaxDuration() {
        return maxDuration;
    }

    @DataBoundSetter
    public void setMaxDuration(String maxDuration) {
        Validation.require(Validation.duration("abTest.maxDuration", maxDuration, true));
        this.maxDuration = maxDuration.trim();
    }

    public long getMinSamples() {
        return minSamples;
    }

    @DataBoundSetter
    public void setMinSamples(long minSamples) {
        Validation.require(Validation.range("abTest.minSamples", minSamples, 0, 1e12));
        this.minSamples = minSamples;
    }

    public double getAlpha() {
        return alpha;
    }

    @DataBoundSetter
    public void setAlpha(double alpha) {
        Validation.require(Validation.range("abTest.alpha", alpha, 0.0001, 0.4999));
        this.alpha = alpha;
    }

    /** {@code SEQUENTIAL} (checked continuously, always valid) or {@code FIXED_HORIZON}. */
    public String getMethod() {
        return method;
    }

    @DataBoundSetter
    public void setMethod(String method) {
        Validation.require(checkMethod(method));
        this.method = ExperimentPlan.Method.valueOf(method.trim().toUpperCase(Locale.ROOT)).name();
    }

    static Optional<String> checkMethod(String value) {
        return oneOf("abTest.method", value, ExperimentPlan.Method.values());
    }

    public Double getSyntheticRate() {
        return syntheticRate;
    }

    /** Requests per second of generated traffic on the stable route, for models without enough real traffic. */
    @DataBoundSetter
    public void setSyntheticRate(Double syntheticRate) {
        if (syntheticRate != null) {
            Validation.require(Validation.range("abTest.syntheticRate", syntheticRate, 0.1, 100_000));
        }
        this.syntheticRate = syntheticRate;
    }

    public double getMinimumDetectableEffect() {
        return minimumDetectableEffect;
    }

    /**
     * The smallest absolute difference of rates worth detecting (0.01: one percentage point): the sequential test is
     * tuned for it, the fixed-horizon test sized by it.
     */
    @DataBoundSetter
    public void setMinimumDetectableEffect(double minimumDetectableEffect) {
        Validation.require(Validation.rate("abTest.minimumDetectableEffect", minimumDetectableEffect, 0.0001));
        this.minimumDetectableEffect = minimumDetectableEffect;
    }

    /** {@code NON_INFERIORITY} (the default) or {@code SUPERIORITY}: what the challenger must show to be promoted. */
    public String getGate() {
        return gate;
    }

    @DataBoundSetter
    public void setGate(String gate) {
        Validation.require(checkGate(gate));
        this.gate = ExperimentPlan.Gate.Kind.valueOf(gate.trim().toUpperCase(Locale.ROOT)).name();
    }

    static Optional<String> checkGate(String value) {
        return oneOf("abTest.gate", value, ExperimentPlan.Gate.Kind.values());
    }

    public double getErrorRateMargin() {
        return errorRateMargin;
    }

    /** How much worse than production the challenger's error rate may be and still pass the gate (0.01: a point). */
    @DataBoundSetter
    public void setErrorRateMargin(double errorRateMargin) {
        Validation.require(Validation.rate("abTest.errorRateMargin", errorRateMargin, 0));
        this.errorRateMargin = errorRateMargin;
    }

    public double getSloViolationMargin() {
        return sloViolationMargin;
    }

    /** How much higher the challenger's share of SLO violations may be and still pass the gate. */
    @DataBoundSetter
    public void setSloViolationMargin(double sloViolationMargin) {
        Validation.require(Validation.rate("abTest.sloViolationMargin", sloViolationMargin, 0));
        this.sloViolationMargin = sloViolationMargin;
    }


    private static Optional<String> oneOf(String field, String value, Enum<?>[] values) {
        List<String> names = Arrays.stream(values).map(Enum::name).toList();
        if (value != null && names.contains(value.trim().toUpperCase(Locale.ROOT))) {
            return Optional.empty();
        }
        return Optional.of(field + ": \"" + value + "\" must be " + String.join(" or ", names));
    }

    /** The experiment's settings for the lifecycle. */
    public DeployPlan.ExperimentSettings settings() {
        var min = Durations.parsePositive(minDuration, "abTest.minDuration");
        var max = Durations.parsePositive(maxDuration, "abTest.maxDuration");
        if (max.compareTo(min) < 0) {
            throw new IllegalArgumentException("abTest.maxDuration: " + maxDuration + " is shorter than"
                    + " abTest.minDuration " + minDuration);
        }
        return new DeployPlan.ExperimentSettings(challengerWeight, min, max, minSamples, alpha,
                ExperimentPlan.Method.valueOf(method), SmokeOptions.optional(syntheticRate), minimumDetectableEffect,
                new ExperimentPlan.Gate(ExperimentPlan.Gate.Kind.valueOf(gate), errorRateMargin, sloViolationMargin));
    }

    @Extension
    @Symbol("modelAbTest")
    public static final class DescriptorImpl extends Descriptor<AbTestOptions> {
        @Override
        public String getDisplayName() {
            return Messages.Options_abTest_displayName();
        }

        public FormValidation doCheckChallengerWeight(@QueryParameter String value) {
            return Validation.form(Validation.number("abTest.challengerWeight", value, 1, 99));
        }

        public FormValidation doCheckMinDuration(@QueryParameter String value) {
            return Validation.form(Validation.duration("abTest.minDuration", value, true));
        }

        public FormValidation doCheckMaxDuration(@QueryParameter String value) {
            return Validation.form(Validation.duration("abTest.maxDuration", value, true));
        }

        public FormValidation doCheckAlpha(@QueryParameter String value) {
            return Validation.form(Validation.number("abTest.alpha", value, 0.0001, 0.4999));
        }

        public FormValidation doCheckSyntheticRate(@QueryParameter String value) {
            return Validation.form(Validation.number("abTest.syntheticRate", value, 0.1, 100_000));
        }

        public FormValidation doCheckMinSamples(@QueryParameter String value) {
            return Validation.form(Validation.number("abTest.minSamples", value, 0, 1e12));
        }

        public FormValidation doCheckMethod(@QueryParameter String value) {
            return Validation.form(Validation.blank(value) ? Optional.empty() : checkMethod(value));
        }

        public FormValidation doCheckMinimumDetectableEffect(@QueryParameter String value) {
            return Validation.form(number("abTest.minimumDetectableEffect", value, 0.0001));
        }

        public FormValidation doCheckGate(@QueryParameter String value) {
            return Validation.form(Validation.blank(value) ? Optional.empty() : checkGate(value));
        }

        public FormValidation doCheckErrorRateMargin(@QueryParameter String value) {
            return Validation.form(number("abTest.errorRateMargin", value, 0));
        }

        public FormValidation doCheckSloViolationMargin(@QueryParameter String value) {
            return Validation.form(number("abTest.sloViolationMargin", value, 0));
        }

        private static Optional<String> number(String field, String value, double min) {
            Optional<String> problem = Validation.number(field, value, Double.NEGATIVE_INFINITY,
                    Double.POSITIVE_INFINITY);
            return problem.isPresent() || Validation.blank(value) ? problem
                    : Validation.rate(field, Double.parseDouble(value.trim()), min);
        }
    }
}
