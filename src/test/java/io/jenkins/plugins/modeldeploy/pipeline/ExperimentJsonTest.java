package io.jenkins.plugins.modeldeploy.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.modeldeploy.abtest.DifferenceInterval;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentResult;
import io.jenkins.plugins.modeldeploy.abtest.GatedMetric;
import io.jenkins.plugins.modeldeploy.abtest.MetricComparison;
import io.jenkins.plugins.modeldeploy.abtest.Moments;
import io.jenkins.plugins.modeldeploy.abtest.ShadowStats;
import io.jenkins.plugins.modeldeploy.abtest.VariantStats;
import io.jenkins.plugins.modeldeploy.abtest.Verdict;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class ExperimentJsonTest {
    static ExperimentResult result(ExperimentPlan.Mode mode, ShadowStats shadow) {
        ExperimentPlan plan = new ExperimentPlan(
                "iris",
                "1",
                "2",
                20,
                Duration.ofSeconds(5),
                Duration.ofMinutes(2),
                100,
                0.05,
                ExperimentPlan.Method.SEQUENTIAL,
                OptionalDouble.of(100),
                50,
                0.01,
                ExperimentPlan.Gate.DEFAULT,
                List.of(GatedMetric.parse("accuracy"), GatedMetric.parse("rmse;margin=1")),
                mode,
                Optional.of("X-User-Id"));
        VariantStats champion = new VariantStats(
                "1",
                800,
                0,
                0,
                3,
                9,
                Map.of(GatedMetric.ACCURACY, new Moments(400, 380, 380), GatedMetric.RMSE, new Moments(4, 16, 64)),
                150);
        VariantStats challenger =
                new VariantStats("2", 200, 0, 0, 3, 9, Map.of(GatedMetric.ACCURACY, new Moments(100, 75, 75)), 50);
        MetricComparison accuracy = new MetricComparison(
                "accuracy",
                0.95,
                0.75,
                new DifferenceInterval(-0.3, -0.1),
                0.983,
                true,
                0,
                0.01,
                ExperimentPlan.Gate.Kind.NON_INFERIORITY,
                MetricComparison.Finding.WORSE);
        return new ExperimentResult(
                plan,
                Verdict.ROLLBACK,
                List.of("worse on accuracy"),
                champion,
                challenger,
                1,
                1,
                0.5,
                Duration.ofSeconds(12),
                List.of(),
                List.of(accuracy),
                shadow);
    }

    @Test
    void theJsonCarriesEveryComparisonAndEachVariantsQuality() {
        JsonNode json = ExperimentJson.of(result(ExperimentPlan.Mode.AB, ShadowStats.NONE));

        assertThat(json.path("verdict").asText()).isEqualTo("ROLLBACK");
        assertThat(json.path("mode").asText()).isEqualTo("ab");
        assertThat(json.path("stickyHeader").asText()).isEqualTo("X-User-Id");
        JsonNode accuracy = json.path("comparisons").get(0);
        assertThat(accuracy.path("metric").asText()).isEqualTo("accuracy");
        assertThat(accuracy.path("championRate").asDouble()).isEqualTo(0.95);
        assertThat(accuracy.path("challengerRate").asDouble()).isEqualTo(0.75);
        assertThat(accuracy.path("difference").asDouble()).isCloseTo(-0.2, within(1e-12));
        assertThat(accuracy.path("interval").path("lower").asDouble()).isEqualTo(-0.3);
        assertThat(accuracy.path("finding").asText()).isEqualTo("WORSE");
        JsonNode champion = json.path("champion");
        assertThat(champion.path("version").asText()).isEqualTo("1");
        assertThat(champion.path("units").asLong()).isEqualTo(150);
        assertThat(champion.path("quality").path("accuracy").path("count").asLong())
                .isEqualTo(400);
        assertThat(champion.path("quality").path("accuracy").path("mean").asDouble())
                .isEqualTo(0.95);
        assertThat(champion.path("quality").path("rmse").path("mean").asDouble())
                .isEqualTo(4);
        assertThat(champion.path("quality").path("rmse").path("rmse").asDouble())
                .isEqualTo(2);
        assertThat(json.path("challenger")
                        .path("quality")
                        .path("accuracy")
                        .path("mean")
                        .asDouble())
                .isEqualTo(0.75);
        assertThat(json.has("shadow")).isFalse();
    }

    @Test
    void shadowModeCarriesTheAgreementAndTheDisagreeingInputs() {
        ShadowStats shadow =
                new ShadowStats(10, 9, 0, List.of(new ShadowStats.Disagreement("{\"x\":1}", "[0]", "[1]")));

        JsonNode json = ExperimentJson.of(result(ExperimentPlan.Mode.SHADOW, shadow));

        assertThat(json.path("mode").asText()).isEqualTo("shadow");
        assertThat(json.path("shadow").path("agreementRate").asDouble()).isEqualTo(0.9);
        assertThat(json.path("shadow")
                        .path("disagreements")
                        .get(0)
                        .path("shadow")
                        .asText())
                .isEqualTo("[1]");
    }

    @Test
    void theStepsValueHasEachMetricsMeansPerVariant() {
        Map<String, Object> quality = ExperimentJson.quality(result(ExperimentPlan.Mode.AB, ShadowStats.NONE));

        assertThat(quality).containsOnlyKeys("accuracy", "rmse");
        assertThat(quality.get("accuracy"))
                .isEqualTo(Map.of(
                        "champion",
                        0.95,
                        "challenger",
                        0.75,
                        "championCount",
                        400L,
                        "challengerCount",
                        100L,
                        "finding",
                        "WORSE"));
        assertThat(quality.get("rmse"))
                .isEqualTo(Map.of("champion", 4.0, "challenger", 0.0, "championCount", 4L, "challengerCount", 0L));
    }
}
