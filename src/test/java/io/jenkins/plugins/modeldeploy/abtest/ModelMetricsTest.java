package io.jenkins.plugins.modeldeploy.abtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.modeldeploy.model.AbTestSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class ModelMetricsTest {
    @Test
    void convertsBuiltInAndCustomMetrics() {
        AbTestSpec spec = new AbTestSpec(
                List.of(
                        new AbTestSpec.Metric(
                                "accuracy",
                                OptionalDouble.empty(),
                                AbTestSpec.Gate.NON_INFERIOR,
                                Optional.empty(),
                                Optional.empty(),
                                Optional.empty(),
                                Optional.empty(),
                                Optional.empty()),
                        new AbTestSpec.Metric(
                                "score",
                                OptionalDouble.of(0.5),
                                AbTestSpec.Gate.SUPERIOR,
                                Optional.of(AbTestSpec.Kind.MEAN),
                                Optional.of(AbTestSpec.Direction.HIGHER),
                                Optional.of("c{v=\"{{variant}}\"}"),
                                Optional.of("s{v=\"{{variant}}\"}"),
                                Optional.of("q{v=\"{{variant}}\"}"))),
                List.of(Path.of("labelled/a.jsonl")));
        assertThat(ModelMetrics.gated(spec))
                .containsExactly(
                        GatedMetric.parse("accuracy"),
                        GatedMetric.parse("score;kind=mean;direction=higher;count=c{v=\"{{variant}}\"}"
                                + ";sum=s{v=\"{{variant}}\"};squares=q{v=\"{{variant}}\"};margin=0.5;gate=superior"));
        assertThat(ModelMetrics.gated(spec).get(0).margin()).hasValue(0.01);
    }
}
