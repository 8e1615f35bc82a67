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
import java.util.Locale;
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
        try {
            this.method = ExperimentPlan.Method.valueOf(method.trim().toUpperCase(Locale.ROOT)).name();
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("abTest.method: \"" + method + "\" must be SEQUENTIAL or FIXED_HORIZON");
        }
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

    /** The experiment's settings for the lifecycle. */
    public DeployPlan.ExperimentSettings settings() {
        var min = Durations.parsePositive(minDuration, "abTest.minDuration");
        var max = Durations.parsePositive(maxDuration, "abTest.maxDuration");
        if (max.compareTo(min) < 0) {
            throw new IllegalArgumentException("abTest.maxDuration: " + maxDuration + " is shorter than"
                    + " abTest.minDuration " + minDuration);
        }
        return new DeployPlan.ExperimentSettings(challengerWeight, min, max, minSamples, alpha,
                ExperimentPlan.Method.valueOf(method), SmokeOptions.optional(syntheticRate),
                ExperimentPlan.DEFAULT_MINIMUM_DETECTABLE_EFFECT, ExperimentPlan.Gate.DEFAULT);
    }

    @Extension
    @Symbol("modelAbTest")
    public static final class DescriptorImpl extends Descriptor<AbTestOptions> {
        @Override
        public String getDisplayName() {
            return Messages.format("Options.abTest.displayName");
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
    }
}
