package io.jenkins.plugins.modeldeploy.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentResult;
import io.jenkins.plugins.modeldeploy.abtest.GatedMetric;
import io.jenkins.plugins.modeldeploy.abtest.MetricComparison;
import io.jenkins.plugins.modeldeploy.abtest.Moments;
import io.jenkins.plugins.modeldeploy.abtest.ShadowStats;
import io.jenkins.plugins.modeldeploy.abtest.VariantStats;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * An experiment's result as JSON (a comparison's {@code championRate} and {@code challengerRate} are the variants'
 * values of the metric: a rate, or a mean in the metric's units), for {@code --output json} and the Jenkins steps' results: the verdict and its
 * reasons, every gated metric's comparison at the last reading, each variant's numbers with its quality metrics
 * (observations, mean, standard deviation), and in shadow mode the agreement with production.
 */
public final class ExperimentJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ExperimentJson() {}

    public static ObjectNode of(ExperimentResult result) {
        ObjectNode json = JSON.createObjectNode();
        json.put("verdict", result.verdict().name());
        json.put("mode", result.plan().mode().name().toLowerCase(Locale.ROOT));
        json.put("challengerWeight", result.plan().challengerWeight());
        result.plan().stickyHeader().ifPresent(header -> json.put("stickyHeader", header));
        json.put("seconds", result.took().toMillis() / 1000.0);
        json.put("alpha", result.plan().alpha());
        json.put("sampleRatioPValue", result.srmPValue());
        ArrayNode reasons = json.putArray("reasons");
        result.reasons().forEach(reasons::add);
        ArrayNode comparisons = json.putArray("comparisons");
        result.comparisons().forEach(c -> comparisons.add(comparison(c)));
        json.set("champion", variant(result.champion()));
        json.set("challenger", variant(result.challenger()));
        if (result.plan().mode() == io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan.Mode.SHADOW) {
            json.set("shadow", shadow(result.shadow()));
        }
        return json;
    }

    /**
     * The quality part of a result as plain maps for a Pipeline step's value (strings, numbers, maps only): by metric
     * name, each variant's mean and observation count, and the gate's finding when the metric was compared.
     */
    public static java.util.LinkedHashMap<String, Object> quality(ExperimentResult result) {
        java.util.LinkedHashMap<String, Object> quality = new java.util.LinkedHashMap<>();
        java.util.Set<String> names =
                new java.util.TreeSet<>(result.champion().quality().keySet());
        names.addAll(result.challenger().quality().keySet());
        result.plan().qualityMetrics().forEach(m -> names.add(m.name()));
        for (String name : names) {
            java.util.LinkedHashMap<String, Object> metric = new java.util.LinkedHashMap<>();
            Moments champion = result.champion().quality(name);
            Moments challenger = result.challenger().quality(name);
            metric.put("champion", champion.mean());
            metric.put("challenger", challenger.mean());
            metric.put("championCount", champion.count());
            metric.put("challengerCount", challenger.count());
            result.comparisons().stream()
                    .filter(c -> c.metric().equals(name))
                    .findFirst()
                    .ifPresent(c -> metric.put("finding", c.finding().name()));
            quality.put(name, metric);
        }
        return quality;
    }

    static ObjectNode comparison(MetricComparison c) {
        ObjectNode json = JSON.createObjectNode();
        json.put("metric", c.metric());
        json.put("championRate", c.championRate());
        json.put("challengerRate", c.challengerRate());
        json.put("difference", c.challengerRate() - c.championRate());
        ObjectNode interval = json.putObject("interval");
        interval.put("lower", c.interval().lower());
        interval.put("upper", c.interval().upper());
        interval.put("confidence", c.confidence());
        interval.put("alwaysValid", c.alwaysValid());
        json.put("margin", c.margin());
        json.put("gate", c.gate().name());
        json.put("finding", c.finding().name());
        return json;
    }

    static ObjectNode variant(VariantStats stats) {
        ObjectNode json = JSON.createObjectNode();
        json.put("version", stats.version());
        json.put("requests", stats.requests());
        json.put("errors", stats.errors());
        json.put("errorRate", stats.errorRate());
        json.put("sloViolations", stats.sloViolations());
        json.put("p50Ms", stats.p50Ms());
        json.put("p99Ms", stats.p99Ms());
        if (stats.units() >= 0) {
            json.put("units", stats.units());
        }
        ObjectNode quality = json.putObject("quality");
        for (Map.Entry<String, Moments> metric : new TreeMap<>(stats.quality()).entrySet()) {
            Moments m = metric.getValue();
            ObjectNode value = quality.putObject(metric.getKey());
            value.put("count", m.count());
            value.put("mean", m.mean());
            value.put("stddev", Math.sqrt(m.variance()));
            if (GatedMetric.RMSE.equals(metric.getKey())) {
                value.put("rmse", Math.sqrt(m.mean())); // the metric is gated as the mean squared error
            }
        }
        return json;
    }

    static ObjectNode shadow(ShadowStats stats) {
        ObjectNode json = JSON.createObjectNode();
        json.put("compared", stats.compared());
        json.put("agreed", stats.agreed());
        json.put("agreementRate", stats.agreementRate());
        json.put("failed", stats.failed());
        ArrayNode examples = json.putArray("disagreements");
        for (ShadowStats.Disagreement d : stats.examples()) {
            examples.addObject()
                    .put("request", d.request())
                    .put("production", d.production())
                    .put("shadow", d.shadow());
        }
        return json;
    }
}
