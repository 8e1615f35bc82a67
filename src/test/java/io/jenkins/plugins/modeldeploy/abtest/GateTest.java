package io.jenkins.plugins.modeldeploy.abtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan.Gate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing the gate's margins and kind, as the CLI and the pipeline steps will. */
class GateTest {
    @Test
    void noSpecsIsTheDefaultMarginForTheKind() {
        assertThat(Gate.withMargins(Gate.Kind.NON_INFERIORITY, List.of())).isEqualTo(Gate.DEFAULT);
        assertThat(Gate.withMargins(Gate.Kind.SUPERIORITY, List.of()))
                .isEqualTo(new Gate(Gate.Kind.SUPERIORITY, 0.01, 0.01));
    }

    @Test
    void aBareRateSetsBothMetricsAndNamedOnesOneEachInOrder() {
        assertThat(Gate.withMargins(Gate.Kind.NON_INFERIORITY, List.of("0.02")))
                .isEqualTo(new Gate(Gate.Kind.NON_INFERIORITY, 0.02, 0.02));
        assertThat(Gate.withMargins(Gate.Kind.NON_INFERIORITY, List.of("error-rate=0.005")))
                .isEqualTo(new Gate(Gate.Kind.NON_INFERIORITY, 0.005, 0.01));
        assertThat(Gate.withMargins(Gate.Kind.NON_INFERIORITY, List.of(" slo-violations = .03 ")))
                .isEqualTo(new Gate(Gate.Kind.NON_INFERIORITY, 0.01, 0.03));
        assertThat(Gate.withMargins(Gate.Kind.NON_INFERIORITY, List.of("0.02", "slo-violations=0", "1e-3")))
                .isEqualTo(new Gate(Gate.Kind.NON_INFERIORITY, 0.001, 0.001));
        assertThat(Gate.withMargins(Gate.Kind.NON_INFERIORITY, List.of("0.02", "error-rate=0.001")))
                .isEqualTo(new Gate(Gate.Kind.NON_INFERIORITY, 0.001, 0.02));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "abc",
                "1%",
                "-0.01",
                "0.01d",
                "NaN",
                "Infinity",
                "0x1p-3",
                "errors=0.01",
                "error-rate",
                "error-rate=",
                "=0.01",
                "latency=0.01",
                "1",
                "1.5",
                "error-rate=2"
            })
    void rejectsAnythingElseNamingTheSpecAndTheForms(String spec) {
        assertThatThrownBy(() -> Gate.withMargins(Gate.Kind.NON_INFERIORITY, List.of("0.02", spec)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid margin '" + spec + "'")
                .hasMessageContaining("RATE (both metrics), error-rate=RATE or slo-violations=RATE");
    }

    @Test
    void theKindParsesFromItsOptionSpelling() {
        assertThat(Gate.Kind.parse("non-inferiority")).isEqualTo(Gate.Kind.NON_INFERIORITY);
        assertThat(Gate.Kind.parse("SUPERIORITY")).isEqualTo(Gate.Kind.SUPERIORITY);
        assertThatThrownBy(() -> Gate.Kind.parse("better"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid gate 'better': expected non-inferiority or superiority");
    }
}
