package io.jenkins.plugins.modeldeploy.jenkins.steps;

import hudson.Extension;
import hudson.model.AbstractDescribableImpl;
import hudson.model.Descriptor;
import hudson.util.FormValidation;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.jenkins.config.Durations;
import io.jenkins.plugins.modeldeploy.jenkins.config.Validation;
import io.jenkins.plugins.modeldeploy.pipeline.SmokeSettings;
import java.io.Serializable;
import java.util.OptionalDouble;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

/**
 * How to smoke-test a new version before it gets production traffic. Every field is optional: the load defaults
 * to the model's {@code slo.rps} for 30 s after 5 s of warm-up, the limits to the model's SLO. A blank value (what a
 * form sends for an empty field) means the default, so ticking "Smoke test" and leaving every field empty binds.
 */
public final class SmokeOptions extends AbstractDescribableImpl<SmokeOptions> implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The default load duration. */
    public static final String DEFAULT_DURATION = "30s";
    /** The default warm-up, not judged. */
    public static final String DEFAULT_WARMUP = "5s";

    private Double rate;
    private String duration = DEFAULT_DURATION;
    private String warmup = DEFAULT_WARMUP;
    private Double p99Ms;
    private Double maxErrorRate;

    @DataBoundConstructor
    public SmokeOptions() {}

    public Double getRate() {
        return rate;
    }

    /** Requests per second; default: the model's {@code slo.rps}. */
    @DataBoundSetter
    public void setRate(Double rate) {
        if (rate != null) {
            Validation.require(Validation.range("smoke.rate", rate, 0.1, 100_000));
        }
        this.rate = rate;
    }

    public String getDuration() {
        return duration;
    }

    /** How long the load runs; blank: {@value #DEFAULT_DURATION}. */
    @DataBoundSetter
    public void setDuration(String duration) {
        Validation.require(Validation.duration("smoke.duration", duration, false));
        this.duration = Validation.blank(duration) ? DEFAULT_DURATION : duration.trim();
    }

    public String getWarmup() {
        return warmup;
    }

    /** Load at the start that is not judged; blank: {@value #DEFAULT_WARMUP}; {@code 0s}: none. */
    @DataBoundSetter
    public void setWarmup(String warmup) {
        Validation.require(Validation.durationOrZero("smoke.warmup", warmup));
        this.warmup = Validation.blank(warmup) ? DEFAULT_WARMUP : warmup.trim();
    }

    public Double getP99Ms() {
        return p99Ms;
    }

    /** 99th percentile latency limit in ms; default: the model's {@code slo.p99Ms}. */
    @DataBoundSetter
    public void setP99Ms(Double p99Ms) {
        if (p99Ms != null) {
            Validation.require(Validation.range("smoke.p99Ms", p99Ms, 0.001, 600_000));
        }
        this.p99Ms = p99Ms;
    }

    public Double getMaxErrorRate() {
        return maxErrorRate;
    }

    /** Largest acceptable share of failed requests, 0..1; default: the model's {@code slo.maxErrorRate}. */
    @DataBoundSetter
    public void setMaxErrorRate(Double maxErrorRate) {
        if (maxErrorRate != null) {
            Validation.require(Validation.range("smoke.maxErrorRate", maxErrorRate, 0, 1));
        }
        this.maxErrorRate = maxErrorRate;
    }

    /** The engine's settings; the warm-up must be shorter than the duration. */
    public SmokeSettings settings() {
        var d = Durations.parsePositive(duration, "smoke.duration");
        var w = Durations.parse(warmup, "smoke.warmup");
        if (w.compareTo(d) >= 0) {
            throw new IllegalArgumentException(
                    "smoke.warmup: " + warmup + " must be shorter than smoke.duration " + duration);
        }
        return new SmokeSettings(optional(rate), d, w, optional(p99Ms), optional(maxErrorRate));
    }

    static OptionalDouble optional(Double value) {
        return value == null ? OptionalDouble.empty() : OptionalDouble.of(value);
    }

    @Extension
    @Symbol("modelSmoke")
    public static final class DescriptorImpl extends Descriptor<SmokeOptions> {
        @Override
        public String getDisplayName() {
            return Messages.Options_smoke_displayName();
        }

        public FormValidation doCheckRate(@QueryParameter String value) {
            return Validation.form(Validation.number("smoke.rate", value, 0.1, 100_000));
        }

        public FormValidation doCheckDuration(@QueryParameter String value) {
            return Validation.form(Validation.duration("smoke.duration", value, false));
        }

        public FormValidation doCheckWarmup(@QueryParameter String value) {
            return Validation.form(Validation.durationOrZero("smoke.warmup", value));
        }

        public FormValidation doCheckP99Ms(@QueryParameter String value) {
            return Validation.form(Validation.number("smoke.p99Ms", value, 0.001, 600_000));
        }

        public FormValidation doCheckMaxErrorRate(@QueryParameter String value) {
            return Validation.form(Validation.number("smoke.maxErrorRate", value, 0, 1));
        }
    }
}
