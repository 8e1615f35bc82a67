package io.jenkins.plugins.modeldeploy.abtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GatedMetricTest {
    @Test
    void aBuiltInMetricTakesItsDefaultsAndItsSettings() {
        GatedMetric accuracy = GatedMetric.parse("accuracy");
        assertThat(accuracy.kind()).isEqualTo(GatedMetric.Kind.PROPORTION);
        assertThat(accuracy.direction()).isEqualTo(GatedMetric.Direction.HIGHER_IS_BETTER);
        assertThat(accuracy.margin()).hasValue(0.01);

        GatedMetric mae = GatedMetric.parse("mae;margin=0.5;gate=superior");
        assertThat(mae.direction()).isEqualTo(GatedMetric.Direction.LOWER_IS_BETTER);
        assertThat(mae.margin()).hasValue(0.5);
        assertThat(mae.gate()).isEqualTo(ExperimentPlan.Gate.Kind.SUPERIORITY);
    }

    @Test
    void aCustomMetricNeedsQueriesNamingTheVariantAndANameOfItsOwn() {
        GatedMetric custom = GatedMetric.parse("latency-score;kind=mean;direction=lower;margin=0.1;"
                + "count=sum(c{version=\"{{variant}}\"});sum=sum(s{version=\"{{variant}}\"});"
                + "squares=sum(q{version=\"{{variant}}\"})");
        assertThat(custom.builtIn()).isFalse();
        assertThat(custom.queries().orElseThrow().squares()).isPresent();

        assertThatThrownBy(() -> GatedMetric.parse("accuracy;kind=mean;direction=lower;margin=0.1;"
                        + "count=c{v=\"{{variant}}\"};sum=s{v=\"{{variant}}\"};squares=q{v=\"{{variant}}\"}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("built-in metric accuracy")
                .hasMessageContaining("unknown setting kind");
        assertThatThrownBy(() -> GatedMetric.parse("score;kind=proportion;direction=higher;margin=0.1;count=c;sum=s"))
                .hasMessageContaining("count= query must name the variant as {{variant}}");
        assertThatThrownBy(() -> GatedMetric.parse("mae"))
                .hasMessageContaining("mae needs a margin for the non-inferiority gate");
    }
}
