package io.jenkins.plugins.modeldeploy.abtest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns the counts of one experiment, read as often as wanted, into a decision. Two metrics are compared, the error
 * rate and the SLO-violation rate, each at alpha/2 (Bonferroni), so the chance of any false decision in an A/A
 * experiment stays at most alpha. The challenger is promoted only when it is significantly better on a metric and
 * significantly worse on none; significantly worse on any metric rolls it back; everything else — no data, too little,
 * equal variants, an invalid split — is INCONCLUSIVE.
 */
public final class Analysis {
    /** Base rate assumed when sizing the fixed-horizon test (the variance of a rate peaks at 1/2; 5% is typical). */
    static final double FIXED_HORIZON_BASE_RATE = 0.05;
    static final double FIXED_HORIZON_POWER = 0.8;

    private final ExperimentPlan plan;
    private final ProportionTest errors;
    private final ProportionTest slo;
    private final long fixedHorizonSamples;

    /** One reading: the verdict if decided, the evidence either way. */
    public record Decision(boolean decided, Verdict verdict, List<String> reasons, double errorRatePValue,
            double sloPValue, double srmPValue) {
        public Decision {
            reasons = List.copyOf(reasons);
        }
    }

    public Analysis(ExperimentPlan plan) {
        this.plan = plan;
        double perMetricAlpha = plan.alpha() / 2;
        this.fixedHorizonSamples = FixedHorizonTest.sampleSize(FIXED_HORIZON_BASE_RATE,
                plan.minimumDetectableEffect(), perMetricAlpha, FIXED_HORIZON_POWER);
        if (plan.method() == ExperimentPlan.Method.SEQUENTIAL) {
            errors = new MixtureSequentialTest(plan.minimumDetectableEffect());
            slo = new MixtureSequentialTest(plan.minimumDetectableEffect());
        } else {
            errors = new FixedHorizonTest(fixedHorizonSamples);
            slo = new FixedHorizonTest(fixedHorizonSamples);
        }
    }

    /** Samples per variant the fixed-horizon test waits for. */
    public long fixedHorizonSamples() {
        return fixedHorizonSamples;
    }

    /**
     * Reads the counts since the experiment started.
     *
     * @param finalReading true at the experiment's maximum duration: undecided becomes INCONCLUSIVE
     */
    public Decision update(VariantStats champion, VariantStats challenger, Duration elapsed, boolean finalReading) {
        double errorP = errors.update(champion.requests(), champion.errors(), challenger.requests(),
                challenger.errors());
        double sloP = slo.update(champion.requests(), champion.sloViolations(), challenger.requests(),
                challenger.sloViolations());
        double srmP = SampleRatioCheck.pValue(champion.requests(), challenger.requests(), plan.challengerShare());
        List<String> reasons = new ArrayList<>();
        String counts = String.format(Locale.ROOT, "%d champion and %d challenger requests in %d s",
                champion.requests(), challenger.requests(), elapsed.toSeconds());

        if (srmP < SampleRatioCheck.THRESHOLD) {
            reasons.add(String.format(Locale.ROOT, "invalid experiment: sample ratio mismatch, %s for a configured"
                    + " %d%% challenger share (chi-square p = %.2g < %s)", counts, plan.challengerWeight(), srmP,
                    SampleRatioCheck.THRESHOLD));
            return new Decision(true, Verdict.INCONCLUSIVE, reasons, errorP, sloP, srmP);
        }
        boolean enoughData = champion.requests() >= plan.minSamples() && challenger.requests() >= plan.minSamples()
                && champion.requests() > 0 && challenger.requests() > 0;
        boolean longEnough = elapsed.compareTo(plan.minDuration()) >= 0;
        double perMetricAlpha = plan.alpha() / 2;
        String errorLine = line("error rate", champion.errorRate(), challenger.errorRate(), errorP, perMetricAlpha);
        String sloLine = line("SLO violations (> " + trim(plan.sloP99Ms()) + " ms)", champion.sloViolationRate(),
                challenger.sloViolationRate(), sloP, perMetricAlpha);
        boolean errorSignificant = errorP <= perMetricAlpha;
        boolean sloSignificant = sloP <= perMetricAlpha;
        boolean worse = errorSignificant && errors.difference() > 0 || sloSignificant && slo.difference() > 0;
        boolean better = errorSignificant && errors.difference() < 0 || sloSignificant && slo.difference() < 0;

        if (enoughData && longEnough && (worse || better)) {
            reasons.add(errorLine);
            reasons.add(sloLine);
            reasons.add(counts);
            return new Decision(true, worse ? Verdict.ROLLBACK : Verdict.PROMOTE, reasons, errorP, sloP, srmP);
        }
        if (finalReading) {
            if (!enoughData) {
                reasons.add("too little data: " + counts + ", at least " + plan.minSamples() + " per variant needed");
            } else {
                reasons.add("no significant difference within " + plan.maxDuration().toSeconds() + " s");
                reasons.add(errorLine);
                reasons.add(sloLine);
                reasons.add(counts);
            }
            return new Decision(true, Verdict.INCONCLUSIVE, reasons, errorP, sloP, srmP);
        }
        reasons.add(errorLine);
        reasons.add(sloLine);
        reasons.add(counts);
        return new Decision(false, Verdict.INCONCLUSIVE, reasons, errorP, sloP, srmP);
    }

    private String line(String metric, double champion, double challenger, double p, double alpha) {
        return String.format(Locale.ROOT, "%s %.2f%% (challenger) vs %.2f%% (champion), %s p = %.3g %s %s", metric,
                challenger * 100, champion * 100, plan.method() == ExperimentPlan.Method.SEQUENTIAL ? "always-valid"
                        : "fixed-horizon", p, p <= alpha ? "<=" : ">", trim(alpha));
    }

    private static String trim(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
