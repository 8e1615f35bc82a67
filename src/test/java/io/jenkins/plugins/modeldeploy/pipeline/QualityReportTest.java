package io.jenkins.plugins.modeldeploy.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.modeldeploy.abtest.DifferenceInterval;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentResult;
import io.jenkins.plugins.modeldeploy.abtest.GatedMetric;
import io.jenkins.plugins.modeldeploy.abtest.MetricComparison;
import io.jenkins.plugins.modeldeploy.abtest.ShadowStats;
import io.jenkins.plugins.modeldeploy.abtest.VariantStats;
import io.jenkins.plugins.modeldeploy.abtest.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class QualityReportTest {
    private static final GatedMetric ACCURACY =
            GatedMetric.builtIn("accuracy", OptionalDouble.of(0.02), ExperimentPlan.Gate.Kind.NON_INFERIORITY);

    private static ExperimentPlan plan(ExperimentPlan.Mode mode) {
        return new ExperimentPlan(
                "iris",
                "1",
                "2",
                30,
                Duration.ofSeconds(10),
                Duration.ofSeconds(90),
                300,
                0.05,
                ExperimentPlan.Method.SEQUENTIAL,
                OptionalDouble.of(200),
                50,
                0.02,
                ExperimentPlan.Gate.DEFAULT,
                List.of(ACCURACY),
                mode,
                Optional.empty());
    }

    private static MetricComparison accuracy(double champion, double challenger, double halfWidth, boolean read) {
        double difference = challenger - champion;
        return new MetricComparison(
                "accuracy",
                champion,
                challenger,
                read
                        ? new DifferenceInterval(difference - halfWidth, difference + halfWidth)
                        : DifferenceInterval.UNBOUNDED,
                0.983,
                true,
                read ? 0 : 300,
                0.02,
                ExperimentPlan.Gate.Kind.NON_INFERIORITY,
                read ? MetricComparison.Finding.NOT_WORSE : MetricComparison.Finding.UNDECIDED);
    }

    private static MetricComparison errorRate() {
        return new MetricComparison(
                "error rate",
                0,
                0,
                new DifferenceInterval(-0.01, 0.01),
                0.983,
                true,
                0,
                0.01,
                ExperimentPlan.Gate.Kind.NON_INFERIORITY,
                MetricComparison.Finding.NOT_WORSE);
    }

    static ExperimentResult result(ExperimentPlan.Mode mode, ShadowStats shadow) {
        List<ExperimentResult.Checkpoint> timeline = new ArrayList<>();
        timeline.add(new ExperimentResult.Checkpoint(
                2, 100, 40, 0, 0, 1, List.of(errorRate(), accuracy(0.7, 0.95, 1, false))));
        timeline.add(new ExperimentResult.Checkpoint(
                4, 200, 80, 0, 0, 0.5, List.of(errorRate(), accuracy(0.73, 0.99, 0.30, true))));
        timeline.add(new ExperimentResult.Checkpoint(
                6, 300, 120, 0, 0, 0.1, List.of(errorRate(), accuracy(0.74, 1.0, 0.15, true))));
        return new ExperimentResult(
                plan(mode),
                Verdict.PROMOTE,
                List.of("accuracy 100.00% (challenger) vs 74.00% (champion): not worse"),
                new VariantStats("1", 300, 0, 0, 2, 5),
                new VariantStats("2", 120, 0, 0, 2, 5),
                1,
                1,
                0.5,
                Duration.ofSeconds(6),
                timeline,
                List.of(),
                shadow);
    }

    @Test
    void plotsEachQualityMetricsValuesAndTheIntervalOfTheDifferenceAtEveryReadCheck() {
        String html = DeployReport.experimentSection(result(ExperimentPlan.Mode.AB, ShadowStats.NONE));
        assertThat(html).contains("accuracy over time", "<svg id=\"quality-accuracy\"");
        // the unread first check (unbounded interval) is left out: two points per series
        assertThat(pointCount(html, "quality-accuracy-champion")).isEqualTo(2);
        assertThat(pointCount(html, "quality-accuracy-challenger")).isEqualTo(2);
        assertThat(pointCount(html, "quality-accuracy-difference")).isEqualTo(2);
        // the band runs along the upper bounds and back along the lower ones; one whisker per check
        assertThat(pointCount(html, "quality-accuracy-interval")).isEqualTo(4);
        assertThat(html.split("class=\"interval\"", -1).length - 1).isEqualTo(2);
        // accuracy is higher-is-better: the non-inferiority threshold is minus the margin
        assertThat(html).contains("id=\"quality-accuracy-threshold\"", "margin -0.02", "id=\"quality-accuracy-zero\"");
        assertThat(html).contains("last: champion 0.74, challenger 1, difference in [0.11, 0.41]");
        // the challenger's line lies above the champion's (SVG y grows downwards)
        assertThat(firstY(html, "quality-accuracy-challenger")).isLessThan(firstY(html, "quality-accuracy-champion"));
        assertThat(html).doesNotContain("Shadow agreement");
    }

    @Test
    void aShadowRunShowsItsAgreementAndTheDisagreeingInputsEscaped() {
        ShadowStats shadow = new ShadowStats(
                200,
                150,
                1,
                List.of(new ShadowStats.Disagreement(
                        "{\"instances\":[[5.9,3.0,4.2,1.5]]}",
                        "{\"predictions\":[\"versicolor\"]}",
                        "{\"predictions\":[\"<virginica>\"]}")));
        String html = DeployReport.experimentSection(result(ExperimentPlan.Mode.SHADOW, shadow));
        assertThat(html).contains("Shadow agreement", "<td id=\"shadow-agreement\">75.00%</td>");
        assertThat(html).contains("<td>200</td><td>150</td>", "<td>1</td>");
        assertThat(html)
                .contains("{&quot;instances&quot;:[[5.9,3.0,4.2,1.5]]}", "&lt;virginica&gt;")
                .doesNotContain("<virginica>");
    }

    @Test
    void anExperimentWithoutReadingsOrShadowSaysSo() {
        String html = QualityReport.plot(ACCURACY, List.of());
        assertThat(html).contains("no readings of accuracy");
        assertThat(QualityReport.shadow(ShadowStats.NONE)).contains("No mirrored request was compared.");
    }

    private static int pointCount(String html, String id) {
        Matcher m = Pattern.compile("id=\"" + id + "\"[^>]*points=\"([^\"]*)\"").matcher(html);
        assertThat(m.find()).as(id).isTrue();
        return m.group(1).trim().split(" ").length;
    }

    private static double firstY(String html, String id) {
        Matcher m = Pattern.compile("id=\"" + id + "\"[^>]*points=\"[0-9.]+,([0-9.]+)")
                .matcher(html);
        assertThat(m.find()).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
