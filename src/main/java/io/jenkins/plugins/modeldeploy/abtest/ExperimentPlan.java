package io.jenkins.plugins.modeldeploy.abtest;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * An A/B test of {@code challenger} against {@code champion} on the model's stable route.
 *
 * @param challengerWeight   percent of the stable route's traffic sent to the challenger (1..99)
 * @param minDuration        no decision before this, even with a clear signal
 * @param maxDuration        INCONCLUSIVE when still undecided
 * @param minSamples         per variant, no decision before this many requests
 * @param alpha              false decision rate the test keeps to (e.g. 0.05)
 * @param method             sequential (may be checked continuously) or fixed-horizon
 * @param syntheticRate      requests/second of generated traffic on the stable route, when real traffic is thin
 * @param sloP99Ms           answers slower than this count as SLO violations
 * @param minimumDetectableEffect the smallest absolute difference of rates worth detecting (0.01 = one percentage
 *                           point): the sequential test is tuned for it, the fixed-horizon test sized by it
 * @param gate               what the challenger must show to be promoted (default: not worse than production by more
 *                           than a margin on every gated metric)
 */
public record ExperimentPlan(String model, String champion, String challenger, int challengerWeight,
        Duration minDuration, Duration maxDuration, long minSamples, double alpha, Method method,
        OptionalDouble syntheticRate, double sloP99Ms, double minimumDetectableEffect, Gate gate) {
    public static final double DEFAULT_MINIMUM_DETECTABLE_EFFECT = 0.01;

    /** A plan with the default gate (non-inferiority, one percentage point on each metric). */
    public ExperimentPlan(String model, String champion, String challenger, int challengerWeight,
            Duration minDuration, Duration maxDuration, long minSamples, double alpha, Method method,
            OptionalDouble syntheticRate, double sloP99Ms, double minimumDetectableEffect) {
        this(model, champion, challenger, challengerWeight, minDuration, maxDuration, minSamples, alpha, method,
                syntheticRate, sloP99Ms, minimumDetectableEffect, Gate.DEFAULT);
    }

    /** A plan with the default minimum detectable effect of one percentage point and the default gate. */
    public ExperimentPlan(String model, String champion, String challenger, int challengerWeight,
            Duration minDuration, Duration maxDuration, long minSamples, double alpha, Method method,
            OptionalDouble syntheticRate, double sloP99Ms) {
        this(model, champion, challenger, challengerWeight, minDuration, maxDuration, minSamples, alpha, method,
                syntheticRate, sloP99Ms, DEFAULT_MINIMUM_DETECTABLE_EFFECT);
    }

    public enum Method { SEQUENTIAL, FIXED_HORIZON }

    /**
     * The promotion gate.
     *
     * @param kind                {@code NON_INFERIORITY}: promote when the challenger is shown not worse than the
     *                            champion by more than the margin on every metric, roll back when shown worse by more
     *                            than the margin; {@code SUPERIORITY}: promote only when shown better on a metric and
     *                            not worse on any
     * @param errorRateMargin     the margin on the error rate, an absolute difference of rates (0.01 = one point)
     * @param sloViolationMargin  the margin on the rate of SLO violations
     */
    public record Gate(Kind kind, double errorRateMargin, double sloViolationMargin) {
        public static final double DEFAULT_MARGIN = 0.01;
        public static final Gate DEFAULT = new Gate(Kind.NON_INFERIORITY, DEFAULT_MARGIN, DEFAULT_MARGIN);

        public enum Kind { NON_INFERIORITY, SUPERIORITY }

        /**
         * The gate of {@code kind} with margins from specs: {@code RATE} sets every metric's margin,
         * {@code error-rate=RATE} or {@code slo-violations=RATE} one metric's; unnamed metrics keep the default.
         */
        public static Gate withMargins(Kind kind, java.util.List<String> specs) {
            double errors = DEFAULT_MARGIN;
            double slo = DEFAULT_MARGIN;
            for (String spec : specs) {
                String text = spec.strip();
                int equals = text.indexOf('=');
                String metric = equals < 0 ? "" : text.substring(0, equals).strip();
                double rate;
                try {
                    rate = Double.parseDouble(text.substring(equals + 1).strip());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("margin \"" + spec + "\" must be RATE, error-rate=RATE or"
                            + " slo-violations=RATE with RATE a number in [0, 1), e.g. 0.01");
                }
                switch (metric) {
                    case "" -> {
                        errors = rate;
                        slo = rate;
                    }
                    case "error-rate" -> errors = rate;
                    case "slo-violations" -> slo = rate;
                    default -> throw new IllegalArgumentException("margin \"" + spec + "\": unknown metric \""
                            + metric + "\"; known: error-rate, slo-violations");
                }
            }
            return new Gate(kind, errors, slo);
        }

        public Gate {
            Objects.requireNonNull(kind, "kind");
            if (!(errorRateMargin >= 0 && errorRateMargin < 1)) {
                throw new IllegalArgumentException("the error-rate margin must be in [0, 1), was " + errorRateMargin);
            }
            if (!(sloViolationMargin >= 0 && sloViolationMargin < 1)) {
                throw new IllegalArgumentException("the SLO-violation margin must be in [0, 1), was "
                        + sloViolationMargin);
            }
        }
    }

    public ExperimentPlan {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(champion, "champion");
        Objects.requireNonNull(challenger, "challenger");
        if (champion.equals(challenger)) {
            throw new IllegalArgumentException("champion and challenger are the same version " + champion);
        }
        if (challengerWeight < 1 || challengerWeight > 99) {
            throw new IllegalArgumentException("challengerWeight must be between 1 and 99, was " + challengerWeight);
        }
        if (minDuration.isNegative() || maxDuration.compareTo(minDuration) < 0 || maxDuration.isZero()) {
            throw new IllegalArgumentException("experiment durations must satisfy 0 <= min <= max and max > 0, were "
                    + minDuration + " and " + maxDuration);
        }
        if (!(alpha > 0 && alpha < 0.5)) {
            throw new IllegalArgumentException("alpha must be in (0, 0.5), was " + alpha);
        }
        if (minSamples < 0) {
            throw new IllegalArgumentException("minSamples must not be negative, was " + minSamples);
        }
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(syntheticRate, "syntheticRate");
        if (!(minimumDetectableEffect > 0 && minimumDetectableEffect < 1)) {
            throw new IllegalArgumentException("minimumDetectableEffect must be in (0, 1), was "
                    + minimumDetectableEffect);
        }
        Objects.requireNonNull(gate, "gate");
        if (!(sloP99Ms > 0)) {
            throw new IllegalArgumentException("sloP99Ms must be positive, was " + sloP99Ms);
        }
    }

    public double challengerShare() {
        return challengerWeight / 100.0;
    }
}
