package io.jenkins.plugins.modeldeploy.model;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The {@code abTest:} section of a {@code model.yaml}: the quality metrics an A/B test of this model gates on besides
 * the error and SLO-violation rates, and labelled request files the synthetic A/B traffic and the smoke test score.
 *
 * <p>This package cannot depend on {@code abtest} (that would close the cycle model → abtest → smoke → model), so
 * the metrics are kept here as validated plain values; {@code abtest.ModelMetrics.gated(AbTestSpec)} turns them into
 * {@code GatedMetric}s.
 *
 * @param metrics  the gated quality metrics, in the order given
 * @param labelled labelled request files (JSON or JSONL, entries with {@code "expected"}), relative to the model
 *                 directory
 */
public record AbTestSpec(List<Metric> metrics, List<Path> labelled) {
    /** No {@code abTest:} section. */
    public static final AbTestSpec NONE = new AbTestSpec(List.of(), List.of());

    public static final String ACCURACY = "accuracy";
    public static final String MAE = "mae";
    public static final String RMSE = "rmse";
    public static final String REWARD = "reward";
    public static final List<String> BUILT_IN = List.of(ACCURACY, MAE, RMSE, REWARD);

    /** How the challenger is judged on a metric. */
    public enum Gate {
        NON_INFERIOR,
        SUPERIOR
    }

    /** What a metric's observations are. */
    public enum Kind {
        PROPORTION,
        MEAN
    }

    /** Which values are better. */
    public enum Direction {
        HIGHER,
        LOWER
    }

    /**
     * One gated metric: a built-in one (name, optional margin and gate) or a custom one read from Prometheus (kind,
     * direction and queries with {@code {{variant}}}).
     *
     * @param margin  the non-inferiority margin in the metric's units; empty for accuracy's default or under the
     *                superiority gate
     * @param kind    a custom metric's kind, empty for a built-in one
     * @param count   a custom metric's PromQL for its number of observations
     * @param sum     its sum of observations
     * @param squares its sum of squared observations (a custom mean)
     */
    public record Metric(
            String name,
            OptionalDouble margin,
            Gate gate,
            Optional<Kind> kind,
            Optional<Direction> direction,
            Optional<String> count,
            Optional<String> sum,
            Optional<String> squares) {
        public Metric {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(margin, "margin");
            Objects.requireNonNull(gate, "gate");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(direction, "direction");
            Objects.requireNonNull(count, "count");
            Objects.requireNonNull(sum, "sum");
            Objects.requireNonNull(squares, "squares");
        }

        public boolean builtIn() {
            return kind.isEmpty();
        }
    }

    public AbTestSpec {
        metrics = List.copyOf(metrics);
        labelled = List.copyOf(labelled);
    }
}
