package io.jenkins.plugins.modeldeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan;
import io.jenkins.plugins.modeldeploy.abtest.GatedMetric;
import io.jenkins.plugins.modeldeploy.pipeline.DeployPlan;
import io.jenkins.plugins.modeldeploy.testing.TestModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --quality-metric}, {@code --mode} and {@code --sticky-header}: parsed into the settings, errors name them. */
class ExperimentOptionsTest {
    @TempDir
    Path dir;

    private static DeployPlan.ExperimentSettings settings(String... args) {
        ExperimentOptions options = new ExperimentOptions();
        CommandLine commandLine = new CommandLine(options);
        commandLine.parseArgs(args);
        return options.settings(commandLine);
    }

    @Test
    void qualityMetricsModeAndStickyHeaderReachTheSettings() {
        DeployPlan.ExperimentSettings defaults = settings();
        assertThat(defaults.qualityMetrics()).isEmpty();
        assertThat(defaults.mode()).isEqualTo(ExperimentPlan.Mode.AB);
        assertThat(defaults.stickyHeader()).isEmpty();

        DeployPlan.ExperimentSettings given = settings(
                "--quality-metric",
                "accuracy;margin=0.02",
                "--quality-metric",
                "rmse;margin=4",
                "--mode",
                "AB",
                "--sticky-header",
                "X-User-Id");
        assertThat(given.qualityMetrics()).extracting(GatedMetric::name).containsExactly("accuracy", "rmse");
        assertThat(given.mode()).isEqualTo(ExperimentPlan.Mode.AB);
        assertThat(settings("--mode", "SHADOW").mode()).isEqualTo(ExperimentPlan.Mode.SHADOW);
        assertThat(given.stickyHeader()).contains("X-User-Id");
    }

    @Test
    void shadowModeGatesNoBuiltInQualityMetric() {
        // a declared built-in metric is left out: nothing scores the shadow's discarded answers
        ExperimentPlan plan =
                settings("--mode", "shadow").plan("m", "1", "2", 50, List.of(GatedMetric.parse("accuracy"), custom()));
        assertThat(plan.qualityMetrics()).extracting(GatedMetric::name).containsExactly("latency-score");

        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> settings("--mode", "shadow", "--quality-metric", "mae;margin=1"))
                .hasMessageStartingWith(
                        "--quality-metric with --mode shadow: quality metric mae cannot be gated in" + " shadow mode");
    }

    private static GatedMetric custom() {
        return GatedMetric.parse("latency-score;kind=mean;direction=lower;count=c{v=\"{{variant}}\"};"
                + "sum=s{v=\"{{variant}}\"};squares=q{v=\"{{variant}}\"};margin=1");
    }

    @Test
    void theRunsMetricsOverrideTheModelsByName() {
        DeployPlan.ExperimentSettings given = settings("--quality-metric", "accuracy;margin=0.05");
        List<GatedMetric> declared = List.of(GatedMetric.parse("mae;margin=1"), GatedMetric.parse("accuracy"));

        ExperimentPlan plan = given.plan("m", "1", "2", 50, declared);

        assertThat(plan.qualityMetrics()).extracting(GatedMetric::name).containsExactly("mae", "accuracy");
        assertThat(plan.qualityMetrics().get(1).margin().getAsDouble()).isEqualTo(0.05);
        assertThat(plan.mode()).isEqualTo(ExperimentPlan.Mode.AB);
        assertThat(plan.stickyHeader()).isEqualTo(Optional.empty());
    }

    @Test
    void badValuesAreUsageErrorsNamingTheOption() throws Exception {
        Path model = TestModels.testModel("knobs-python", dir);
        String[] base = {"deploy", model.toString(), "--version", "2", "--target", "local", "--state", dir.toString()};

        InProcessCli.Run metric = InProcessCli.run(concat(base, "--quality-metric", "precision"));
        assertThat(metric.exitCode()).as(metric.err()).isEqualTo(2);
        assertThat(metric.err())
                .contains("--quality-metric: ")
                .contains("needs kind=")
                .doesNotContain("precision");

        InProcessCli.Run twice =
                InProcessCli.run(concat(base, "--quality-metric", "accuracy", "--quality-metric", "accuracy"));
        assertThat(twice.exitCode()).isEqualTo(2);
        assertThat(twice.err()).contains("--quality-metric: one metric is given twice");

        InProcessCli.Run mode = InProcessCli.run(concat(base, "--mode", "canary"));
        assertThat(mode.exitCode()).isEqualTo(2);
        assertThat(mode.err()).contains("--mode must be ab or shadow");

        InProcessCli.Run sticky = InProcessCli.run(concat(base, "--sticky-header", "X User"));
        assertThat(sticky.exitCode()).isEqualTo(2);
        assertThat(sticky.err()).contains("--sticky-header must be an HTTP header name");
    }

    private static String[] concat(String[] base, String... more) {
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }
}
