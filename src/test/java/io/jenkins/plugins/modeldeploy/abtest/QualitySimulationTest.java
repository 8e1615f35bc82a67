package io.jenkins.plugins.modeldeploy.abtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan.Gate;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentSimulator.Quality;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentSimulator.Scenario;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentSimulator.Summary;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** bench/abtest.sh's quality-metric figures, with fewer experiments, on every build. */
class QualitySimulationTest {
    private static final Gate SUPERIORITY = new Gate(Gate.Kind.SUPERIORITY, 0.01, 0.01);

    @Test
    void aaWithThreeMetricsReadEverySecondDecidesFalselyAtMostAlpha() {
        Scenario scenario = new Scenario(
                90,
                10,
                Duration.ofSeconds(60),
                Duration.ofMinutes(10),
                500,
                0.005,
                0.01,
                0.01,
                0.05,
                ExperimentPlan.Method.SEQUENTIAL,
                SUPERIORITY);
        GatedMetric accuracy =
                GatedMetric.builtIn(GatedMetric.ACCURACY, OptionalDouble.of(0.01), Gate.Kind.SUPERIORITY);
        Summary aa = ExperimentSimulator.run(scenario, 0, 0, List.of(new Quality(accuracy, 1.0, 0.9, 0.9, 0)), 300, 5);
        assertThat(aa.decisionRate()).isLessThanOrEqualTo(0.05);
        // every request labelled: 10 a second to the 10-minute maximum unless an experiment (falsely) decided earlier
        assertThat(aa.meanChallengerObservations()).isBetween(6000.0 * (1 - aa.decisionRate()), 6000.0);
        assertThat(aa.meanChallengerObservations()).isEqualTo(aa.meanChallengerSamples());
    }

    @Test
    void aMeanMetricWorseByTwiceTheMarginIsRolledBackWellBeforeTheFixedHorizon() {
        double margin = 0.1;
        // 2 (z(1 - 0.05/6) + z(0.8))^2 / 0.1^2 observations per variant for sd 1
        long fixed = FixedHorizonMeanInterval.sampleSize(1, margin, 0.05 / 3, 0.8);
        Scenario scenario = new Scenario(
                20,
                20,
                Duration.ZERO,
                Duration.ofSeconds(3 * fixed / 20),
                0,
                0.005,
                0.01,
                0.01,
                0.05,
                ExperimentPlan.Method.SEQUENTIAL,
                SUPERIORITY);
        GatedMetric mae = GatedMetric.builtIn(GatedMetric.MAE, OptionalDouble.of(margin), Gate.Kind.SUPERIORITY);
        Summary worse = ExperimentSimulator.run(scenario, 0, 0, List.of(new Quality(mae, 1.0, 0.5, 0.7, 1.0)), 60, 6);
        assertThat(worse.rolledBackRate()).isGreaterThanOrEqualTo(0.95);
        assertThat(worse.meanChallengerObservations() / fixed).isLessThanOrEqualTo(0.6);
    }

    @Test
    void theWilsonIntervalBracketsTheObservedRate() {
        double[] none = ExperimentSimulator.wilson95(0, 2000);
        assertThat(none[0]).isCloseTo(0, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(none[1]).isBetween(0.0015, 0.0025); // about 3.84 / 2000
        double[] half = ExperimentSimulator.wilson95(50, 100);
        assertThat(half[0]).isBetween(0.40, 0.41);
        assertThat(half[1]).isBetween(0.59, 0.60);
    }
}
