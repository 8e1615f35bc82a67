package io.jenkins.plugins.modeldeploy.jenkins.steps;

import hudson.Extension;
import hudson.model.AbstractDescribableImpl;
import hudson.model.Descriptor;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan;
import io.jenkins.plugins.modeldeploy.abtest.GatedMetric;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.jenkins.config.Durations;
import io.jenkins.plugins.modeldeploy.jenkins.config.Validation;
import io.jenkins.plugins.modeldeploy.pipeline.DeployPlan;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

/**
 * How to A/B test a new version against the one in production (see docs/ab-testing.md for the statistics). Every
 * field is optional; setters take boxed numbers and treat {@code null} or a blank string (an empty form field) as
 * "the default", so ticking "A/B test" in the Snippet Generator or the freestyle form and leaving fields empty binds.
 */
public final class AbTestOptions extends AbstractDescribableImpl<AbTestOptions> implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final int DEFAULT_CHALLENGER_WEIGHT = 10;
    public static final String DEFAULT_MIN_DURATION = "5m";
    public static final String DEFAULT_MAX_DURATION = "30m";
    public static final int DEFAULT_MIN_SAMPLES = 1000;
    public static final double DEFAULT_ALPHA = 0.05;

    private int challengerWeight = DEFAULT_CHALLENGER_WEIGHT;
    private String minDuration = DEFAULT_MIN_DURATION;
    private String maxDuration = DEFAULT_MAX_DURATION;
    private long minSamples = DEFAULT_MIN_SAMPLES;
    private double alpha = DEFAULT_ALPHA;
    private String method = ExperimentPlan.Method.SEQUENTIAL.name();
    private Double syntheticRate;
    private double minimumDetectableEffect = ExperimentPlan.DEFAULT_MINIMUM_DETECTABLE_EFFECT;
    private String gate = ExperimentPlan.Gate.DEFAULT.kind().name();
    private double errorRateMargin = ExperimentPlan.Gate.DEFAULT_MARGIN;
    private double sloViolationMargin = ExperimentPlan.Gate.DEFAULT_MARGIN;
    /** An ArrayList: stored with the job's configuration (XStream), like every field here. */
    private ArrayList<String> qualityMetrics = new ArrayList<>();

    private String mode = "ab";
    private String stickyHeader;

    @DataBoundConstructor
    public AbTestOptions() {}

    public int getChallengerWeight() {
        return challengerWeight;
    }

    /** Percent of the stable route's traffic sent to the new version, 1..99; null: 10. */
    @DataBoundSetter
    public void setChallengerWeight(Integer challengerWeight) {
        int value = challengerWeight == null ? DEFAULT_CHALLENGER_WEIGHT : challengerWeight;
        Validation.require(Validation.range("abTest.challengerWeight", value, 1, 99));
        this.challengerWeight = value;
    }

    public String getMinDuration() {
        return minDuration;
    }

    /** Blank: {@value #DEFAULT_MIN_DURATION}. */
    @DataBoundSetter
    public void setMinDuration(String minDuration) {
        Validation.require(Validation.duration("abTest.minDuration", minDuration, false));
        this.minDuration = Validation.blank(minDuration) ? DEFAULT_MIN_DURATION : minDuration.trim();
    }

    public String getMaxDuration() {
        return maxDuration;
    }

    /** Blank: {@value #DEFAULT_MAX_DURATION}. */
    @DataBoundSetter
    public void setMaxDuration(String maxDuration) {
        Validation.require(Validation.duration("abTest.maxDuration", maxDuration, false));
        this.maxDuration = Validation.blank(maxDuration) ? DEFAULT_MAX_DURATION : maxDuration.trim();
    }

    public long getMinSamples() {
        return minSamples;
    }

    /**
     * Requests per arm before the test may decide; null: 1000. An {@code Integer} (not {@code Long}): Stapler binds
     * an empty field to null only for Integer, Float and Double (its {@code CONVERT_UTILS}), to 0 for a long.
     */
    @DataBoundSetter
    public void setMinSamples(Integer minSamples) {
        int value = minSamples == null ? DEFAULT_MIN_SAMPLES : minSamples;
        Validation.require(Validation.range("abTest.minSamples", value, 0, Integer.MAX_VALUE));
        this.minSamples = value;
    }

    public double getAlpha() {
        return alpha;
    }

    /** Null: 0.05. */
    @DataBoundSetter
    public void setAlpha(Double alpha) {
        double value = alpha == null ? DEFAULT_ALPHA : alpha;
        Validation.require(Validation.range("abTest.alpha", value, 0.0001, 0.4999));
        this.alpha = value;
    }

    /** {@code SEQUENTIAL} (checked continuously, always valid) or {@code FIXED_HORIZON}. */
    public String getMethod() {
        return method;
    }

    /** Blank: {@code SEQUENTIAL}. */
    @DataBoundSetter
    public void setMethod(String method) {
        if (Validation.blank(method)) {
            this.method = ExperimentPlan.Method.SEQUENTIAL.name();
            return;
        }
        Validation.require(checkMethod(method));
        this.method = ExperimentPlan.Method.valueOf(method.trim().toUpperCase(Locale.ROOT))
                .name();
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
    public void setMinimumDetectableEffect(Double minimumDetectableEffect) {
        double value = minimumDetectableEffect == null
                ? ExperimentPlan.DEFAULT_MINIMUM_DETECTABLE_EFFECT
                : minimumDetectableEffect;
        Validation.require(Validation.rate("abTest.minimumDetectableEffect", value, 0.0001));
        this.minimumDetectableEffect = value;
    }

    /** {@code NON_INFERIORITY} (the default) or {@code SUPERIORITY}: what the challenger must show to be promoted. */
    public String getGate() {
        return gate;
    }

    /** Blank: {@code NON_INFERIORITY}. */
    @DataBoundSetter
    public void setGate(String gate) {
        if (Validation.blank(gate)) {
            this.gate = ExperimentPlan.Gate.DEFAULT.kind().name();
            return;
        }
        Validation.require(checkGate(gate));
        this.gate = ExperimentPlan.Gate.Kind.valueOf(gate.trim().toUpperCase(Locale.ROOT))
                .name();
    }

    static Optional<String> checkGate(String value) {
        return oneOf("abTest.gate", value, ExperimentPlan.Gate.Kind.values());
    }

    public double getErrorRateMargin() {
        return errorRateMargin;
    }

    /** How much worse than production the challenger's error rate may be and still pass the gate (0.01: a point). */
    @DataBoundSetter
    public void setErrorRateMargin(Double errorRateMargin) {
        double value = errorRateMargin == null ? ExperimentPlan.Gate.DEFAULT_MARGIN : errorRateMargin;
        Validation.require(Validation.rate("abTest.errorRateMargin", value, 0));
        this.errorRateMargin = value;
    }

    public double getSloViolationMargin() {
        return sloViolationMargin;
    }

    /** How much higher the challenger's share of SLO violations may be and still pass the gate. */
    @DataBoundSetter
    public void setSloViolationMargin(Double sloViolationMargin) {
        double value = sloViolationMargin == null ? ExperimentPlan.Gate.DEFAULT_MARGIN : sloViolationMargin;
        Validation.require(Validation.rate("abTest.sloViolationMargin", value, 0));
        this.sloViolationMargin = value;
    }

    /** The {@code --quality-metric} forms gated besides the error and SLO-violation rates; empty: none. */
    public List<String> getQualityMetrics() {
        return qualityMetrics == null ? List.of() : List.copyOf(qualityMetrics);
    }

    /** The quality metrics one per line, as the form's text area shows them. */
    public String getQualityMetricsText() {
        return String.join("\n", getQualityMetrics());
    }

    /**
     * Quality metrics to gate on (e.g. {@code ['accuracy', 'mae;margin=0.5']}; see {@link GatedMetric#FORMS}), added
     * to and overriding by name the model's {@code abTest.metrics}. Null: none. An entry may hold several metrics one
     * per line (the form's text area arrives as one string); blank lines are skipped.
     */
    @DataBoundSetter
    public void setQualityMetrics(List<String> qualityMetrics) {
        ArrayList<String> specs = new ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        if (qualityMetrics != null) {
            for (String entry : qualityMetrics) {
                if (entry == null) {
                    continue;
                }
                for (String line : entry.split("\\R")) {
                    if (Validation.blank(line)) {
                        continue;
                    }
                    String field = "abTest.qualityMetrics[" + specs.size() + "]";
                    Validation.require(checkQualityMetric(field, line));
                    String name = GatedMetric.parse(line.trim()).name();
                    if (!names.add(name)) {
                        Validation.require(Optional.of(field + ": metric " + name + " is given twice"));
                    }
                    specs.add(line.trim());
                }
            }
        }
        this.qualityMetrics = specs;
    }

    static Optional<String> checkQualityMetric(String field, String spec) {
        try {
            GatedMetric.parse(spec.trim());
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(field + ": " + e.getMessage());
        }
    }

    /** {@code ab} (the default: a split of the stable route) or {@code shadow} (mirrored copies). */
    public String getMode() {
        return mode;
    }

    /** Blank: {@code ab}. */
    @DataBoundSetter
    public void setMode(String mode) {
        if (Validation.blank(mode)) {
            this.mode = "ab";
            return;
        }
        Validation.require(checkMode(mode));
        this.mode = mode.trim().toLowerCase(Locale.ROOT);
    }

    static Optional<String> checkMode(String value) {
        String mode = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        return mode.equals("ab") || mode.equals("shadow")
                ? Optional.empty()
                : Optional.of("abTest.mode: \"" + value + "\" must be ab or shadow");
    }

    public String getStickyHeader() {
        return stickyHeader;
    }

    /** Keeps each client on one variant by a hash of this request header's value; blank: no stickiness. */
    @DataBoundSetter
    public void setStickyHeader(String stickyHeader) {
        if (Validation.blank(stickyHeader)) {
            this.stickyHeader = null;
            return;
        }
        Validation.require(checkStickyHeader(stickyHeader));
        this.stickyHeader = stickyHeader.trim();
    }

    static Optional<String> checkStickyHeader(String value) {
        return value.trim().matches("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}")
                ? Optional.empty()
                : Optional.of("abTest.stickyHeader: \"" + value + "\" is not an HTTP header name");
    }

    private static Optional<String> oneOf(String field, String value, Enum<?>[] values) {
        List<String> names = Arrays.stream(values).map(Enum::name).toList();
        if (value != null && names.contains(value.trim().toUpperCase(Locale.ROOT))) {
            return Optional.empty();
        }
        return Optional.of(field + ": \"" + value + "\" must be " + String.join(" or ", names));
    }

    /** Options stored before quality metrics, mode and stickiness existed read as their defaults. */
    protected Object readResolve() {
        if (qualityMetrics == null) {
            qualityMetrics = new ArrayList<>();
        }
        if (mode == null) {
            mode = "ab";
        }
        return this;
    }

    /** The experiment's settings for the lifecycle. */
    public DeployPlan.ExperimentSettings settings() {
        var min = Durations.parsePositive(minDuration, "abTest.minDuration");
        var max = Durations.parsePositive(maxDuration, "abTest.maxDuration");
        if (max.compareTo(min) < 0) {
            throw new IllegalArgumentException(
                    "abTest.maxDuration: " + maxDuration + " is shorter than" + " abTest.minDuration " + minDuration);
        }
        List<GatedMetric> metrics =
                getQualityMetrics().stream().map(GatedMetric::parse).toList();
        ExperimentPlan.Mode experimentMode =
                "shadow".equals(mode) ? ExperimentPlan.Mode.SHADOW : ExperimentPlan.Mode.AB;
        if (experimentMode == ExperimentPlan.Mode.SHADOW) {
            metrics.stream().filter(GatedMetric::builtIn).findFirst().ifPresent(metric -> {
                throw new IllegalArgumentException("abTest.qualityMetrics: quality metric " + metric.name()
                        + " cannot be gated in shadow mode: the shadow's answers are discarded, so neither labelled"
                        + " samples nor feedback score them (its agreement with production is reported instead)");
            });
        }
        return new DeployPlan.ExperimentSettings(
                challengerWeight,
                min,
                max,
                minSamples,
                alpha,
                ExperimentPlan.Method.valueOf(method),
                SmokeOptions.optional(syntheticRate),
                minimumDetectableEffect,
                new ExperimentPlan.Gate(ExperimentPlan.Gate.Kind.valueOf(gate), errorRateMargin, sloViolationMargin),
                metrics,
                experimentMode,
                Optional.ofNullable(stickyHeader));
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
            return Validation.form(Validation.duration("abTest.minDuration", value, false));
        }

        public FormValidation doCheckMaxDuration(@QueryParameter String value) {
            return Validation.form(Validation.duration("abTest.maxDuration", value, false));
        }

        public FormValidation doCheckAlpha(@QueryParameter String value) {
            return Validation.form(Validation.number("abTest.alpha", value, 0.0001, 0.4999));
        }

        public FormValidation doCheckSyntheticRate(@QueryParameter String value) {
            return Validation.form(Validation.number("abTest.syntheticRate", value, 0.1, 100_000));
        }

        public FormValidation doCheckMinSamples(@QueryParameter String value) {
            return Validation.form(Validation.number("abTest.minSamples", value, 0, Integer.MAX_VALUE));
        }

        public FormValidation doCheckMethod(@QueryParameter String value) {
            return Validation.form(Validation.blank(value) ? Optional.empty() : checkMethod(value));
        }

        public FormValidation doCheckMinimumDetectableEffect(@QueryParameter String value) {
            return Validation.form(number("abTest.minimumDetectableEffect", value, 0.0001));
        }

        /** The methods, the default ({@code SEQUENTIAL}) first. */
        public ListBoxModel doFillMethodItems() {
            return names(ExperimentPlan.Method.SEQUENTIAL, ExperimentPlan.Method.values());
        }

        /** The gates, the default ({@code NON_INFERIORITY}) first. */
        public ListBoxModel doFillGateItems() {
            return names(ExperimentPlan.Gate.DEFAULT.kind(), ExperimentPlan.Gate.Kind.values());
        }

        private static ListBoxModel names(Enum<?> first, Enum<?>[] values) {
            ListBoxModel items = new ListBoxModel();
            items.add(first.name());
            for (Enum<?> value : values) {
                if (value != first) {
                    items.add(value.name());
                }
            }
            return items;
        }

        public FormValidation doCheckGate(@QueryParameter String value) {
            return Validation.form(Validation.blank(value) ? Optional.empty() : checkGate(value));
        }

        public FormValidation doCheckMode(@QueryParameter String value) {
            return Validation.form(Validation.blank(value) ? Optional.empty() : checkMode(value));
        }

        /** ab first (the default). */
        public ListBoxModel doFillModeItems() {
            ListBoxModel items = new ListBoxModel();
            items.add("ab");
            items.add("shadow");
            return items;
        }

        /** Each non-blank line of the text area is one metric. */
        public FormValidation doCheckQualityMetrics(@QueryParameter String value) {
            if (value == null) {
                return FormValidation.ok();
            }
            int index = 0;
            for (String line : value.split("\\R")) {
                if (!Validation.blank(line)) {
                    Optional<String> problem = checkQualityMetric("abTest.qualityMetrics[" + index++ + "]", line);
                    if (problem.isPresent()) {
                        return Validation.form(problem);
                    }
                }
            }
            return FormValidation.ok();
        }

        public FormValidation doCheckStickyHeader(@QueryParameter String value) {
            return Validation.form(Validation.blank(value) ? Optional.empty() : checkStickyHeader(value));
        }

        public FormValidation doCheckErrorRateMargin(@QueryParameter String value) {
            return Validation.form(number("abTest.errorRateMargin", value, 0));
        }

        public FormValidation doCheckSloViolationMargin(@QueryParameter String value) {
            return Validation.form(number("abTest.sloViolationMargin", value, 0));
        }

        private static Optional<String> number(String field, String value, double min) {
            Optional<String> problem =
                    Validation.number(field, value, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
            return problem.isPresent() || Validation.blank(value)
                    ? problem
                    : Validation.rate(field, Double.parseDouble(value.trim()), min);
        }
    }
}
