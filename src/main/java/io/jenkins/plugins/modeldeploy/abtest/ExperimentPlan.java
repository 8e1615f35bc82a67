package io.jenkins.plugins.modeldeploy.abtest;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Pattern;

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
 * @param qualityMetrics     gated besides the error and SLO-violation rates (accuracy, a custom query…), each with its
 *                           own margin and gate; alpha is split over all gated metrics
 * @param mode               {@code AB}: the challenger serves its weight of the stable route; {@code SHADOW}: it gets
 *                           a copy of {@code challengerWeight} percent of production's requests, its answers discarded
 * @param stickyHeader       when present, a client is kept on one variant by a hash of this request header's value
 *                           (locally; Traefik keeps it with a sticky cookie); absent: each request drawn by weight
 */
public record ExperimentPlan(
        String model,
        String champion,
        String challenger,
        int challengerWeight,
        Duration minDuration,
        Duration maxDuration,
        long minSamples,
        double alpha,
        Method method,
        OptionalDouble syntheticRate,
        double sloP99Ms,
        double minimumDetectableEffect,
        Gate gate,
        List<GatedMetric> qualityMetrics,
        Mode mode,
        Optional<String> stickyHeader) {
    public static final double DEFAULT_MINIMUM_DETECTABLE_EFFECT = 0.01;

    /** How the challenger gets traffic. */
    public enum Mode {
        AB,
        SHADOW
    }

    /** A plan gating on the error and SLO-violation rates only, split by weight without stickiness. */
    public ExperimentPlan(
            String model,
            String champion,
            String challenger,
            int challengerWeight,
            Duration minDuration,
            Duration maxDuration,
            long minSamples,
            double alpha,
            Method method,
            OptionalDouble syntheticRate,
            double sloP99Ms,
            double minimumDetectableEffect,
            Gate gate) {
        this(
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
                List.of(),
                Mode.AB,
                Optional.empty());
    }

    /** A plan with the default gate (non-inferiority, one percentage point on each metric). */
    public ExperimentPlan(
            String model,
            String champion,
            String challenger,
            int challengerWeight,
            Duration minDuration,
            Duration maxDuration,
            long minSamples,
            double alpha,
            Method method,
            OptionalDouble syntheticRate,
            double sloP99Ms,
            double minimumDetectableEffect) {
        this(
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
                Gate.DEFAULT);
    }

    /** A plan with the default minimum detectable effect of one percentage point and the default gate. */
    public ExperimentPlan(
            String model,
            String champion,
            String challenger,
            int challengerWeight,
            Duration minDuration,
            Duration maxDuration,
            long minSamples,
            double alpha,
            Method method,
            OptionalDouble syntheticRate,
            double sloP99Ms) {
        this(
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
                DEFAULT_MINIMUM_DETECTABLE_EFFECT);
    }

    public enum Method {
        SEQUENTIAL,
        FIXED_HORIZON
    }

    /**
     * The promotion gate.
     *
     * @param kind                {@code NON_INFERIORITY}: promote when the challenger is shown not worse than the
     *                            champion by more than the margin on every metric, roll back when shown worse by more
     *                            than the margin; {@code SUPERIORITY}: promote only when shown better on a metric and
     *                            not worse on any, roll back when shown worse at all (the margins are not used); see
     *                            {@link Analysis}
     * @param errorRateMargin     the margin on the error rate, an absolute difference of rates (0.01 = one point)
     * @param sloViolationMargin  the margin on the rate of SLO violations
     */
    public record Gate(Kind kind, double errorRateMargin, double sloViolationMargin) {
        public static final double DEFAULT_MARGIN = 0.01;
        public static final Gate DEFAULT = new Gate(Kind.NON_INFERIORITY, DEFAULT_MARGIN, DEFAULT_MARGIN);

        /** The forms {@link #withMargin} accepts, for error messages and option descriptions. */
        public static final String MARGIN_FORMS = "RATE (both metrics), error-rate=RATE or slo-violations=RATE, where"
                + " RATE is an absolute difference of rates in [0, 1), e.g. 0.01 for one percentage point";

        private static final Pattern RATE = Pattern.compile("(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?");

        public enum Kind {
            NON_INFERIORITY,
            SUPERIORITY;

            /** "non-inferiority" or "superiority" (any case, '_' for '-' accepted). */
            public static Kind parse(String text) {
                String normalized = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
                for (Kind kind : values()) {
                    if (kind.name().equals(normalized)) {
                        return kind;
                    }
                }
                throw new IllegalArgumentException(
                        "invalid gate '" + text + "': expected non-inferiority or" + " superiority");
            }
        }

        /**
         * A gate of {@code kind} with the default margin, changed by {@code specs} in order (a later spec overrides an
         * earlier one for the metrics it names), each {@code RATE} (both metrics), {@code error-rate=RATE} or
         * {@code slo-violations=RATE}. Meant for the CLI's and the pipeline steps' margin options.
         *
         * @throws IllegalArgumentException naming the spec that is not one of these forms or whose rate is out of
         *                                  range
         */
        public static Gate withMargins(Kind kind, List<String> specs) {
            Gate gate = new Gate(kind, DEFAULT_MARGIN, DEFAULT_MARGIN);
            for (String spec : specs) {
                gate = gate.withMargin(spec);
            }
            return gate;
        }

        /** This gate with one margin spec applied, see {@link #withMargins}. */
        public Gate withMargin(String spec) {
            Objects.requireNonNull(spec, "spec");
            String text = spec.trim();
            int equals = text.indexOf('=');
            String metric = equals < 0 ? "" : text.substring(0, equals).trim();
            String rate = equals < 0 ? text : text.substring(equals + 1).trim();
            if (!RATE.matcher(rate).matches()) {
                throw invalid(spec, "");
            }
            double margin = Double.parseDouble(rate);
            if (!(margin >= 0 && margin < 1)) {
                throw invalid(spec, " (" + rate + " is not below 1)");
            }
            if (equals < 0) {
                return new Gate(kind, margin, margin);
            }
            return switch (metric) {
                case "error-rate" -> new Gate(kind, margin, sloViolationMargin);
                case "slo-violations" -> new Gate(kind, errorRateMargin, margin);
                default -> throw invalid(spec, " (unknown metric '" + metric + "')");
            };
        }

        private static IllegalArgumentException invalid(String spec, String detail) {
            return new IllegalArgumentException(
                    "invalid margin '" + spec + "'" + detail + ": expected " + MARGIN_FORMS);
        }

        public Gate {
            Objects.requireNonNull(kind, "kind");
            if (!(errorRateMargin >= 0 && errorRateMargin < 1)) {
                throw new IllegalArgumentException("the error-rate margin must be in [0, 1), was " + errorRateMargin);
            }
            if (!(sloViolationMargin >= 0 && sloViolationMargin < 1)) {
                throw new IllegalArgumentException(
                        "the SLO-violation margin must be in [0, 1), was " + sloViolationMargin);
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
            throw new IllegalArgumentException(
                    "minimumDetectableEffect must be in (0, 1), was " + minimumDetectableEffect);
        }
        Objects.requireNonNull(gate, "gate");
        qualityMetrics = List.copyOf(qualityMetrics);
        java.util.Set<String> names = new java.util.HashSet<>();
        for (GatedMetric metric : qualityMetrics) {
            if (!names.add(metric.name())) {
                throw new IllegalArgumentException("quality metric " + metric.name() + " is gated twice");
            }
        }
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(stickyHeader, "stickyHeader");
        if (!(sloP99Ms > 0)) {
            throw new IllegalArgumentException("sloP99Ms must be positive, was " + sloP99Ms);
        }
    }

    public double challengerShare() {
        return challengerWeight / 100.0;
    }
}
