package io.jenkins.plugins.modeldeploy.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.modeldeploy.abtest.DifferenceInterval;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentResult;
import io.jenkins.plugins.modeldeploy.abtest.MetricComparison;
import io.jenkins.plugins.modeldeploy.abtest.ShadowStats;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The report's A/B section shows each quality metric, its interval over time, and shadow agreement. */
class DeployReportTest {
    private static MetricComparison accuracy(double lower, double upper) {
        return new MetricComparison(
                "accuracy",
                0.95,
                0.75,
                new DifferenceInterval(lower, upper),
                0.983,
                true,
                0,
                0.01,
                ExperimentPlan.Gate.Kind.NON_INFERIORITY,
                MetricComparison.Finding.UNDECIDED);
    }

    @Test
    void qualityMetricsAreTabledAndPlottedOverTime() {
        ExperimentResult base = ExperimentJsonTest.result(ExperimentPlan.Mode.AB, ShadowStats.NONE);
        List<ExperimentResult.Checkpoint> timeline = List.of(
                new ExperimentResult.Checkpoint(1, 100, 100, 0, 0, 1, List.of(accuracy(-0.6, 0.2))),
                new ExperimentResult.Checkpoint(2, 200, 200, 0, 0, 1, List.of(accuracy(-0.3, -0.1))));
        ExperimentResult result = new ExperimentResult(
                base.plan(),
                base.verdict(),
                base.reasons(),
                base.champion(),
                base.challenger(),
                1,
                1,
                0.5,
                base.took(),
                timeline,
                base.comparisons(),
                ShadowStats.NONE);

        String html = DeployReport.experimentSection(result);

        assertThat(html).contains("<table id=\"quality\">");
        assertThat(html).contains("<tr><td>accuracy</td><td>0.9500 (n=400)</td><td>0.7500 (n=100)</td><td>WORSE</td>");
        assertThat(html).contains("<tr><td>rmse</td><td>4.000 (n=4)</td><td>0.000 (n=0)</td><td>-</td>");
        assertThat(html).contains("accuracy over time: values and the confidence sequence of the difference");
        assertThat(html).doesNotContain("Shadow agreement");
    }

    @Test
    void shadowModeShowsAgreementAndTheDisagreeingInputsEscaped() {
        ShadowStats shadow =
                new ShadowStats(10, 9, 1, List.of(new ShadowStats.Disagreement("{\"x\":\"<b>\"}", "[0]", "[1]")));

        String html = DeployReport.experimentSection(ExperimentJsonTest.result(ExperimentPlan.Mode.SHADOW, shadow));

        assertThat(html).contains("<td id=\"shadow-agreement\">90.00%</td><td>1</td>");
        assertThat(html).contains("<code>{&quot;x&quot;:&quot;&lt;b&gt;&quot;}</code>");
    }
}
