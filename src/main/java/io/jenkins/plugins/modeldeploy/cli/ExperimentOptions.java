package io.jenkins.plugins.modeldeploy.cli;

import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan;
import io.jenkins.plugins.modeldeploy.abtest.GatedMetric;
import io.jenkins.plugins.modeldeploy.pipeline.DeployPlan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** How {@code deploy} A/B tests a version against production, and the gate it must pass. */
final class ExperimentOptions {
    @Option(
            names = "--ab-weight",
            paramLabel = "PERCENT",
            defaultValue = "10",
            description = "Share of the stable route sent to the new version. Default: ${DEFAULT-VALUE}.")
    int weight;

    @Option(
            names = "--ab-min",
            paramLabel = "DURATION",
            defaultValue = "1m",
            converter = DurationConverter.class,
            description = "No decision before this. Default: ${DEFAULT-VALUE}.")
    Duration min;

    @Option(
            names = "--ab-max",
            paramLabel = "DURATION",
            defaultValue = "30m",
            converter = DurationConverter.class,
            description = "INCONCLUSIVE (the version is taken out) after this. Default: ${DEFAULT-VALUE}.")
    Duration max;

    @Option(
            names = "--ab-min-samples",
            paramLabel = "N",
            defaultValue = "500",
            description = "Requests per variant before any decision. Default: ${DEFAULT-VALUE}.")
    long minSamples;

    @Option(names = "--alpha", defaultValue = "0.05", description = "False decision rate. Default: ${DEFAULT-VALUE}.")
    double alpha;

    @Option(
            names = "--method",
            paramLabel = "SEQUENTIAL|FIXED_HORIZON",
            defaultValue = "SEQUENTIAL",
            description = "Default: ${DEFAULT-VALUE}.")
    ExperimentPlan.Method method;

    @Option(
            names = "--synthetic-rate",
            paramLabel = "REQ/S",
            description = "Send the model's samples to the stable route at this rate during the A/B test.")
    Double syntheticRate;

    @Option(
            names = "--mde",
            paramLabel = "RATE",
            defaultValue = "0.01",
            description = "Minimum detectable effect, an absolute difference of rates. Default: ${DEFAULT-VALUE}.")
    double minimumDetectableEffect;

    @Option(
            names = "--gate",
            paramLabel = "NON_INFERIORITY|SUPERIORITY",
            defaultValue = "NON_INFERIORITY",
            description = "NON_INFERIORITY: promote a version shown not worse than production by more than the margin"
                    + " on every metric; SUPERIORITY: only one shown better. Default: ${DEFAULT-VALUE}.")
    ExperimentPlan.Gate.Kind gate;

    @Option(
            names = "--non-inferiority-margin",
            paramLabel = "[METRIC=]RATE",
            description = "The margin, an absolute difference of rates: RATE for every metric, or error-rate=RATE /"
                    + " slo-violations=RATE for one (repeatable). Default: 0.01 (one percentage point) on each.")
    List<String> margins = new ArrayList<>();

    @Option(
            names = "--quality-metric",
            paramLabel = "SPEC",
            description = "Also gate on a quality metric (repeatable): " + GatedMetric.FORMS + ". Scored from labelled"
                    + " samples (\"expected\") sent by synthetic traffic and from clients' feedback; adds to and"
                    + " overrides by name model.yaml's abTest.metrics.")
    List<String> qualityMetrics = new ArrayList<>();

    @Option(
            names = "--mode",
            paramLabel = "ab|shadow",
            defaultValue = "ab",
            description = "ab: the new version serves --ab-weight percent of the stable route; shadow: it gets a copy"
                    + " of --ab-weight percent of the requests, its answers discarded and compared with production's."
                    + " Default: ${DEFAULT-VALUE}.")
    String mode;

    @Option(
            names = "--sticky-header",
            paramLabel = "NAME",
            description = "Keep each client on one variant by a hash of this request header's value (e.g. X-User-Id);"
                    + " on Traefik by a sticky cookie.")
    String stickyHeader;

    DeployPlan.ExperimentSettings settings(CommandLine commandLine) {
        List<GatedMetric> metrics = new ArrayList<>();
        for (String spec : qualityMetrics) {
            GatedMetric metric;
            try {
                metric = GatedMetric.parse(spec);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(commandLine, "--quality-metric: " + e.getMessage());
            }
            if (metrics.stream().anyMatch(m -> m.name().equals(metric.name()))) {
                throw new CommandLine.ParameterException(
                        commandLine, "--quality-metric: one metric is given twice (each name once)");
            }
            metrics.add(metric);
        }
        ExperimentPlan.Mode parsedMode =
                switch (mode.trim().toLowerCase(Locale.ROOT)) {
                    case "ab", "a/b" -> ExperimentPlan.Mode.AB;
                    case "shadow" -> ExperimentPlan.Mode.SHADOW;
                    default -> throw new CommandLine.ParameterException(commandLine, "--mode must be ab or shadow");
                };
        if (stickyHeader != null && !stickyHeader.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}")) {
            throw new CommandLine.ParameterException(
                    commandLine, "--sticky-header must be an HTTP header name (letters, digits and !#$%&'*+.^_`|~-)");
        }
        try {
            return new DeployPlan.ExperimentSettings(
                    weight,
                    min,
                    max,
                    minSamples,
                    alpha,
                    method,
                    syntheticRate == null ? OptionalDouble.empty() : OptionalDouble.of(syntheticRate),
                    minimumDetectableEffect,
                    ExperimentPlan.Gate.withMargins(gate, margins),
                    metrics,
                    parsedMode,
                    Optional.ofNullable(stickyHeader));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(
                    commandLine,
                    parsedMode == ExperimentPlan.Mode.SHADOW && !metrics.isEmpty()
                            ? "--quality-metric with --mode shadow: " + e.getMessage()
                            : e.getMessage());
        }
    }
}
