package io.jenkins.plugins.modeldeploy.pipeline;

import io.jenkins.plugins.modeldeploy.abtest.ExperimentResult;
import io.jenkins.plugins.modeldeploy.abtest.VariantStats;
import io.jenkins.plugins.modeldeploy.smoke.SmokeReports;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * One HTML page for a deployment: the outcome, the A/B comparison (table and plot of both variants' error rates
 * and the always-valid p-value over time) and the smoke test report. Self-contained (inline SVG, no scripts), so
 * it can be archived by a build or shown on the promotion page.
 */
public final class DeployReport {
    public static final String FILE = "deployment.html";
    private static final int WIDTH = 720;
    private static final int HEIGHT = 300;
    private static final int LEFT = 60;
    private static final int RIGHT = 60;
    private static final int TOP = 20;
    private static final int BOTTOM = 40;

    private DeployReport() {}

    public static Path write(DeployOutcome outcome, String model, Path dir) throws IOException {
        Files.createDirectories(dir);
        return SmokeReports.writeAtomically(dir.resolve(FILE), html(outcome, model));
    }

    public static String html(DeployOutcome outcome, String model) {
        StringBuilder page = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<title>Deployment of " + xml(model) + "</title>\n<style>" + SmokeReports.STYLE
                + "</style></head><body>\n");
        String version = outcome.version();
        page.append("<h1>")
                .append(xml(model))
                .append(' ')
                .append(xml(version))
                .append(": <span id=\"result\"" + " class=\"")
                .append(outcome.succeeded() ? "pass" : "fail")
                .append("\">")
                .append(outcome.outcome().map(Enum::name).orElse("IN PROGRESS"))
                .append("</span></h1>\n<p>Production now: <b id=\"production\">")
                .append(xml(outcome.production().orElse("none")))
                .append("</b>");
        if (!outcome.reason().isEmpty()) {
            page.append(" &middot; <span id=\"reason\">")
                    .append(xml(outcome.reason()))
                    .append("</span>");
        }
        outcome.image()
                .ifPresent(image -> page.append(" &middot; image <code>")
                        .append(xml(image.pinned()))
                        .append("</code>"));
        outcome.approval()
                .ifPresent(approval -> page.append(" &middot; ")
                        .append(approval.approved() ? "approved" : "rejected")
                        .append(" by ")
                        .append(xml(approval.approver()))
                        .append(" at ")
                        .append(approval.at()));
        page.append("</p>\n");
        outcome.experiment().ifPresent(experiment -> page.append(experimentSection(experiment)));
        outcome.smoke().ifPresent(smoke -> page.append("<hr>\n").append(SmokeReports.section(smoke)));
        return page.append("</body></html>\n").toString();
    }

    static String experimentSection(ExperimentResult experiment) {
        StringBuilder section = new StringBuilder();
        section.append("<h2>A/B test: <span id=\"verdict\">")
                .append(experiment.verdict())
                .append("</span></h2>\n<ul" + " id=\"reasons\">");
        experiment
                .reasons()
                .forEach(reason -> section.append("<li>").append(xml(reason)).append("</li>"));
        section.append("</ul>\n")
                .append(String.format(
                        Locale.ROOT,
                        "<p>%s test, alpha %s, challenger share %d%%, %.0f s;" + " sample-ratio p = %.3g</p>",
                        experiment
                                .plan()
                                .method()
                                .name()
                                .toLowerCase(Locale.ROOT)
                                .replace('_', '-'),
                        experiment.plan().alpha(),
                        experiment.plan().challengerWeight(),
                        experiment.took().toMillis() / 1000.0,
                        experiment.srmPValue()))
                .append('\n');
        section.append("<table id=\"variants\"><tr><th>variant</th><th>requests</th><th>errors</th><th>error rate</th>"
                + "<th>SLO violations</th><th>p50</th><th>p99</th></tr>\n");
        row(section, "champion " + experiment.plan().champion(), experiment.champion());
        row(section, "challenger " + experiment.plan().challenger(), experiment.challenger());
        section.append("</table>\n");
        qualityTable(section, experiment);
        section.append("<h3>Error rate and evidence over time</h3>\n").append(plot(experiment.timeline()));
        section.append(QualityReport.section(experiment));
        return section.toString();
    }

    /**
     * Each quality metric: both variants' values and observations, the gate's finding, and the metric's difference
     * (challenger minus champion) with its confidence interval at every check, against the margin.
     */
    static void qualityTable(StringBuilder section, ExperimentResult experiment) {
        java.util.Set<String> names =
                new java.util.TreeSet<>(experiment.champion().quality().keySet());
        names.addAll(experiment.challenger().quality().keySet());
        experiment.plan().qualityMetrics().forEach(m -> names.add(m.name()));
        if (names.isEmpty()) {
            return;
        }
        section.append("<h3>Prediction quality</h3>\n<table id=\"quality\"><tr><th>metric</th><th>champion</th>"
                + "<th>challenger</th><th>finding</th></tr>\n");
        for (String name : names) {
            io.jenkins.plugins.modeldeploy.abtest.Moments champion =
                    experiment.champion().quality(name);
            io.jenkins.plugins.modeldeploy.abtest.Moments challenger =
                    experiment.challenger().quality(name);
            String finding = experiment.comparisons().stream()
                    .filter(c -> c.metric().equals(name))
                    .map(c -> c.finding().name())
                    .findFirst()
                    .orElse("-");
            section.append(String.format(
                    Locale.ROOT,
                    "<tr><td>%s</td><td>%.4g (n=%d)</td><td>%.4g (n=%d)</td><td>%s</td></tr>%n",
                    xml(name),
                    champion.mean(),
                    champion.count(),
                    challenger.mean(),
                    challenger.count(),
                    finding));
        }
        section.append("</table>\n");
    }

    private static void row(StringBuilder table, String name, VariantStats stats) {
        table.append(String.format(
                Locale.ROOT,
                "<tr><td>%s</td><td>%d</td><td>%d</td><td>%.2f%%</td><td>%.2f%%</td>"
                        + "<td>%.2f ms</td><td>%.2f ms</td></tr>%n",
                xml(name),
                stats.requests(),
                stats.errors(),
                stats.errorRate() * 100,
                stats.sloViolationRate() * 100,
                stats.p50Ms(),
                stats.p99Ms()));
    }

    /** Both variants' cumulative error rates (left axis, %) and -log10 of the p-value (right axis). */
    static String plot(List<ExperimentResult.Checkpoint> points) {
        StringBuilder svg = new StringBuilder(String.format(
                Locale.ROOT,
                "<svg id=\"ab-plot\" xmlns=\"http://www.w3"
                        + ".org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"A/B error rates over time\">",
                WIDTH,
                HEIGHT));
        if (points.isEmpty()) {
            return svg.append("<text x=\"20\" y=\"40\">no readings</text></svg>")
                    .toString();
        }
        double maxSeconds = Math.max(1, points.get(points.size() - 1).seconds());
        double maxRate = 0.001;
        double maxEvidence = 2; // -log10(0.01)
        for (ExperimentResult.Checkpoint point : points) {
            maxRate = Math.max(maxRate, Math.max(point.championErrorRate(), point.challengerErrorRate()));
            maxEvidence = Math.max(maxEvidence, -Math.log10(Math.max(1e-12, point.errorRatePValue())));
        }
        maxRate *= 1.1;
        int plotWidth = WIDTH - LEFT - RIGHT;
        int plotHeight = HEIGHT - TOP - BOTTOM;
        svg.append(String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\"" + " stroke=\"#999\"/>",
                LEFT,
                TOP,
                plotWidth,
                plotHeight));
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"5\" y=\"%d\" font-size=\"11\">%.2f%%</text>"
                        + "<text x=\"5\" y=\"%d\" font-size=\"11\">0%%</text>",
                TOP + 10,
                maxRate * 100,
                TOP + plotHeight));
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" font-size=\"11\">p=1e-%.0f</text>",
                WIDTH - RIGHT + 4,
                TOP + 10,
                maxEvidence));
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" font-size=\"11\">%.0f s</text>",
                WIDTH - RIGHT - 30,
                HEIGHT - 10,
                maxSeconds));
        String[] colors = {"#2563eb", "#dc2626", "#6b7280"};
        String[] names = {"champion", "challenger", "evidence"};
        for (int series = 0; series < 3; series++) {
            StringBuilder line = new StringBuilder();
            for (ExperimentResult.Checkpoint point : points) {
                double value =
                        switch (series) {
                            case 0 -> point.championErrorRate() / maxRate;
                            case 1 -> point.challengerErrorRate() / maxRate;
                            default -> -Math.log10(Math.max(1e-12, point.errorRatePValue())) / maxEvidence;
                        };
                line.append(String.format(
                        Locale.ROOT,
                        "%.1f,%.1f ",
                        LEFT + point.seconds() / maxSeconds * plotWidth,
                        TOP + plotHeight - value * plotHeight));
            }
            svg.append(String.format(
                    Locale.ROOT,
                    "<polyline id=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"" + "%s points=\"%s\"/>",
                    names[series],
                    colors[series],
                    series == 2 ? " stroke-dasharray=\"4 3\"" : "",
                    line.toString().trim()));
            svg.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"%s\">%s</text>",
                    LEFT + 10 + series * 110,
                    HEIGHT - 10,
                    colors[series],
                    names[series]));
        }
        return svg.append("</svg>").toString();
    }

    private static String xml(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
