package io.jenkins.plugins.modeldeploy.abtest;

import io.jenkins.plugins.modeldeploy.model.AbTestSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The quality metrics a {@code model.yaml} declares ({@code abTest.metrics}, see {@link AbTestSpec}) as
 * {@link GatedMetric}s. The model package cannot depend on this one (model → abtest → smoke → model would be a
 * cycle), so the loader keeps them as plain validated values and the pipeline converts them here.
 */
public final class ModelMetrics {
    private ModelMetrics() {}

    /** Every metric of {@code spec}, in order. */
    public static List<GatedMetric> gated(AbTestSpec spec) {
        List<GatedMetric> metrics = new ArrayList<>(spec.metrics().size());
        for (AbTestSpec.Metric metric : spec.metrics()) {
            metrics.add(gated(metric));
        }
        return metrics;
    }

    /**
     * One metric: a built-in one through {@link GatedMetric#builtIn} (accuracy's default margin applies), a custom
     * one with its queries.
     *
     * @throws IllegalArgumentException what {@link GatedMetric} refuses (the loader checks the same rules first)
     */
    public static GatedMetric gated(AbTestSpec.Metric metric) {
        ExperimentPlan.Gate.Kind gate = metric.gate() == AbTestSpec.Gate.SUPERIOR
                ? ExperimentPlan.Gate.Kind.SUPERIORITY
                : ExperimentPlan.Gate.Kind.NON_INFERIORITY;
        if (metric.builtIn()) {
            return GatedMetric.builtIn(metric.name(), metric.margin(), gate);
        }
        GatedMetric.Kind kind =
                metric.kind().get() == AbTestSpec.Kind.PROPORTION ? GatedMetric.Kind.PROPORTION : GatedMetric.Kind.MEAN;
        GatedMetric.Direction direction = metric.direction().orElseThrow() == AbTestSpec.Direction.HIGHER
                ? GatedMetric.Direction.HIGHER_IS_BETTER
                : GatedMetric.Direction.LOWER_IS_BETTER;
        return new GatedMetric(
                metric.name(),
                kind,
                direction,
                metric.margin(),
                gate,
                Optional.of(new GatedMetric.Queries(
                        metric.count().orElseThrow(), metric.sum().orElseThrow(), metric.squares())));
    }
}
