package io.jenkins.plugins.modeldeploy.abtest;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A quality metric an experiment gates on besides the error rate and the SLO-violation rate: a built-in one scored
 * from labelled samples and clients' feedback ({@value #ACCURACY}, {@value #MAE}, {@value #RMSE}, {@value #REWARD}),
 * or a custom one read from Prometheus with queries that name the variant as {@code {{variant}}}.
 *
 * @param name      how reports and {@link VariantStats#quality()} name it
 * @param kind      a proportion (observations are 0 or 1) or a mean of unbounded observations
 * @param direction whether a higher or a lower value is better
 * @param margin    the non-inferiority margin, in the metric's units (for a proportion an absolute difference, 0.01
 *                  = one percentage point); empty under the superiority gate
 * @param gate      what the challenger must show on this metric
 * @param queries   for a custom metric: the PromQL of its observation count, sum and (for a mean) sum of squares
 */
public record GatedMetric(
        String name,
        Kind kind,
        Direction direction,
        OptionalDouble margin,
        ExperimentPlan.Gate.Kind gate,
        Optional<Queries> queries) {
    /** Share of labelled instances predicted exactly (classification). */
    public static final String ACCURACY = "accuracy";
    /** Mean absolute error of numeric predictions against their labels (regression). */
    public static final String MAE = "mae";
    /** Gated as the mean squared error (its square root is reported); margins are in squared units. */
    public static final String RMSE = "rmse";
    /** Mean reward clients reported in feedback. */
    public static final String REWARD = "reward";

    /** The forms {@link #parse} accepts, for option descriptions and error messages. */
    public static final String FORMS = "accuracy|mae|rmse|reward[;margin=X][;gate=non-inferior|superior], or"
            + " NAME;kind=proportion|mean;direction=higher|lower;count=PROMQL;sum=PROMQL[;squares=PROMQL]"
            + "[;margin=X][;gate=…] with {{variant}} in each query";

    public enum Kind {
        PROPORTION,
        MEAN
    }

    public enum Direction {
        HIGHER_IS_BETTER,
        LOWER_IS_BETTER
    }

    /**
     * A custom metric's queries, each with {@code {{variant}}} where the version goes; each gives one number per
     * variant, a cumulative counter (the experiment subtracts its value at the window's start).
     *
     * @param count   the number of observations
     * @param sum     their sum (for a proportion: how many were 1)
     * @param squares the sum of their squares, for a mean; empty for a proportion (its squares are its sum)
     */
    public record Queries(String count, String sum, Optional<String> squares) {
        public static final String VARIANT = "{{variant}}";

        public Queries {
            Objects.requireNonNull(count, "count");
            Objects.requireNonNull(sum, "sum");
            Objects.requireNonNull(squares, "squares");
        }
    }

    public GatedMetric {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(margin, "margin");
        Objects.requireNonNull(gate, "gate");
        Objects.requireNonNull(queries, "queries");
        if (!name.matches("[a-z][a-z0-9_-]{0,62}")) {
            throw new IllegalArgumentException("invalid metric name '" + name
                    + "': lower-case letters, digits, '-' and '_', starting with a letter, at most 63");
        }
        if (margin.isPresent() && !(margin.getAsDouble() >= 0 && Double.isFinite(margin.getAsDouble()))) {
            throw new IllegalArgumentException(
                    "the margin of metric " + name + " must be a finite number >= 0, was " + margin.getAsDouble());
        }
        if (kind == Kind.PROPORTION && margin.isPresent() && margin.getAsDouble() >= 1) {
            throw new IllegalArgumentException(
                    "the margin of proportion metric " + name + " must be below 1, was " + margin.getAsDouble());
        }
        if (gate == ExperimentPlan.Gate.Kind.NON_INFERIORITY && margin.isEmpty()) {
            throw new IllegalArgumentException(
                    "metric " + name + " needs a margin for the non-inferiority gate (;margin=X"
                            + " in the metric's units), or ;gate=superior");
        }
        if (queries.isPresent() && kind == Kind.MEAN && queries.get().squares().isEmpty()) {
            throw new IllegalArgumentException("custom mean metric " + name + " needs a squares= query (the sum of the"
                    + " squares of its observations): a sequential test of a mean needs its variance");
        }
        if (queries.isEmpty() && !isBuiltIn(name)) {
            throw new IllegalArgumentException("unknown metric '" + name + "': built-in metrics are accuracy, mae, rmse"
                    + " and reward; a custom metric needs kind=, direction=, count= and sum= queries");
        }
    }

    public static boolean isBuiltIn(String name) {
        return switch (name) {
            case ACCURACY, MAE, RMSE, REWARD -> true;
            default -> false;
        };
    }

    /** A built-in metric under the non-inferiority gate; accuracy's default margin is one percentage point. */
    public static GatedMetric builtIn(String name, OptionalDouble margin, ExperimentPlan.Gate.Kind gate) {
        OptionalDouble chosen =
                margin.isEmpty() && ACCURACY.equals(name) && gate == ExperimentPlan.Gate.Kind.NON_INFERIORITY
                        ? OptionalDouble.of(ExperimentPlan.Gate.DEFAULT_MARGIN)
                        : margin;
        return switch (name) {
            case ACCURACY ->
                new GatedMetric(name, Kind.PROPORTION, Direction.HIGHER_IS_BETTER, chosen, gate, Optional.empty());
            case MAE, RMSE ->
                new GatedMetric(name, Kind.MEAN, Direction.LOWER_IS_BETTER, chosen, gate, Optional.empty());
            case REWARD -> new GatedMetric(name, Kind.MEAN, Direction.HIGHER_IS_BETTER, chosen, gate, Optional.empty());
            default ->
                throw new IllegalArgumentException(
                        "unknown metric '" + name + "': built-in metrics are accuracy," + " mae, rmse and reward");
        };
    }

    public boolean builtIn() {
        return queries.isEmpty();
    }

    /**
     * Reads one {@code --quality-metric} value (see {@link #FORMS}): a name and {@code key=value} settings separated
     * by {@code ;} (PromQL has commas).
     *
     * @throws IllegalArgumentException naming the setting that is wrong and the forms accepted
     */
    public static GatedMetric parse(String spec) {
        Objects.requireNonNull(spec, "spec");
        String[] parts = spec.split(";");
        String name = parts[0].trim().toLowerCase(Locale.ROOT);
        Map<String, String> settings = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i].trim();
            int equals = part.indexOf('=');
            if (equals <= 0) {
                throw invalid(spec, "'" + part + "' is not key=value");
            }
            String key = part.substring(0, equals).trim().toLowerCase(Locale.ROOT);
            if (settings.put(key, part.substring(equals + 1).trim()) != null) {
                throw invalid(spec, key + " is given twice");
            }
        }
        try {
            OptionalDouble margin = settings.containsKey("margin")
                    ? OptionalDouble.of(number(settings.remove("margin"), "margin"))
                    : OptionalDouble.empty();
            ExperimentPlan.Gate.Kind gate = settings.containsKey("gate")
                    ? gate(settings.remove("gate"))
                    : ExperimentPlan.Gate.Kind.NON_INFERIORITY;
            if (isBuiltIn(name)) {
                if (!settings.isEmpty()) {
                    throw new IllegalArgumentException(
                            "unknown setting " + settings.keySet().iterator().next() + " for built-in metric " + name
                                    + " (margin= and gate= only)");
                }
                return builtIn(name, margin, gate);
            }
            Kind kind =
                    switch (required(settings, "kind", name).toLowerCase(Locale.ROOT)) {
                        case "proportion" -> Kind.PROPORTION;
                        case "mean" -> Kind.MEAN;
                        default -> throw new IllegalArgumentException("kind must be proportion or mean");
                    };
            Direction direction =
                    switch (required(settings, "direction", name).toLowerCase(Locale.ROOT)) {
                        case "higher", "higher-is-better" -> Direction.HIGHER_IS_BETTER;
                        case "lower", "lower-is-better" -> Direction.LOWER_IS_BETTER;
                        default -> throw new IllegalArgumentException("direction must be higher or lower");
                    };
            Queries queries = new Queries(
                    query(required(settings, "count", name), "count"),
                    query(required(settings, "sum", name), "sum"),
                    Optional.ofNullable(settings.remove("squares")).map(q -> query(q, "squares")));
            if (!settings.isEmpty()) {
                throw new IllegalArgumentException(
                        "unknown setting " + settings.keySet().iterator().next());
            }
            return new GatedMetric(name, kind, direction, margin, gate, Optional.of(queries));
        } catch (IllegalArgumentException e) {
            throw invalid(spec, e.getMessage());
        }
    }

    private static String required(Map<String, String> settings, String key, String name) {
        String value = settings.remove(key);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("custom metric " + name + " needs " + key + "=");
        }
        return value;
    }

    private static String query(String promql, String key) {
        if (!promql.contains(Queries.VARIANT)) {
            throw new IllegalArgumentException("the " + key + "= query must name the variant as " + Queries.VARIANT);
        }
        return promql;
    }

    private static double number(String text, String key) {
        try {
            double value = Double.parseDouble(text);
            if (!Double.isFinite(value)) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " '" + text + "' is not a number");
        }
    }

    private static ExperimentPlan.Gate.Kind gate(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "non-inferior", "non-inferiority" -> ExperimentPlan.Gate.Kind.NON_INFERIORITY;
            case "superior", "superiority" -> ExperimentPlan.Gate.Kind.SUPERIORITY;
            default -> throw new IllegalArgumentException("gate must be non-inferior or superior, was '" + text + "'");
        };
    }

    private static IllegalArgumentException invalid(String spec, String detail) {
        return new IllegalArgumentException("invalid quality metric '" + spec + "': " + detail + "; expected " + FORMS);
    }
}
