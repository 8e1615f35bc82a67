package io.jenkins.plugins.modeldeploy.pipeline;

import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentResult;
import io.jenkins.plugins.modeldeploy.abtest.GatedMetric;
import io.jenkins.plugins.modeldeploy.abtest.MetricComparison;
import io.jenkins.plugins.modeldeploy.abtest.ShadowStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The A/B report's quality part: each gated quality metric over time — both variants' values and the confidence
 * sequence for their difference at every check, with the gate's threshold — as an inline SVG, and a shadow run's
 * agreement with its disagreeing examples. Rendered into {@link DeployReport}'s A/B section.
 */
public final class QualityReport {
    /** The demo's shadow phase's page, next to {@link DeployReport#FILE}. */
    public static final String SHADOW_FILE = "shadow.html";

    private static final int WIDTH = 720;
    private static final int PANEL = 150;
    private static final int GAP = 40;
    private static final int LEFT = 70;
    private static final int RIGHT = 40;
    private static final int TOP = 20;
    private static final int BOTTOM = 40;
    private static final String CHAMPION = "#2563eb";
    private static final String CHALLENGER = "#dc2626";
    private static final String BAND = "#9ca3af";

    private QualityReport() {}

    /**
     * Writes one experiment that is not a deployment's A/B test (the demo's shadow phase) as its own page:
     * {@code dir/shadow.html} with the same A/B section {@link DeployReport} renders.
     */
    public static java.nio.file.Path writeShadow(ExperimentResult experiment, String model, java.nio.file.Path dir)
            throws java.io.IOException {
        java.nio.file.Files.createDirectories(dir);
        String page = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Shadow test of "
                + xml(model) + "</title>\n<style>" + io.jenkins.plugins.modeldeploy.smoke.SmokeReports.STYLE
                + "</style></head><body>\n<h1>Shadow test of " + xml(model) + " "
                + xml(experiment.plan().challenger())
                + " against " + xml(experiment.plan().champion()) + "</h1>\n"
                + DeployReport.experimentSection(experiment) + "</body></html>\n";
        return io.jenkins.plugins.modeldeploy.smoke.SmokeReports.writeAtomically(dir.resolve(SHADOW_FILE), page);
    }

    /** The quality metrics' plots and the shadow agreement; "" when the experiment had neither. */
    static String section(ExperimentResult experiment) {
        StringBuilder html = new StringBuilder();
        for (GatedMetric metric : experiment.plan().qualityMetrics()) {
            html.append("<h3>")
                    .append(xml(metric.name()))
                    .append(" over time: values and the confidence sequence of the difference</h3>\n")
                    .append(plot(metric, experiment.timeline()))
                    .append('\n');
        }
        if (experiment.plan().mode() == ExperimentPlan.Mode.SHADOW
                || experiment.shadow().compared() > 0
                || experiment.shadow().failed() > 0) {
            html.append(shadow(experiment.shadow()));
        }
        return html.toString();
    }

    /** One point of a metric's history: when, both values and the interval (null before it is read). */
    private record Point(double seconds, double champion, double challenger, double lower, double upper) {}

    private static List<Point> points(String name, List<ExperimentResult.Checkpoint> timeline) {
        List<Point> points = new ArrayList<>();
        for (ExperimentResult.Checkpoint check : timeline) {
            for (MetricComparison comparison : check.comparisons()) {
                if (comparison.metric().equals(name)
                        && comparison.read()
                        && Double.isFinite(comparison.interval().lower())
                        && Double.isFinite(comparison.interval().upper())) {
                    points.add(new Point(
                            check.seconds(),
                            comparison.championRate(),
                            comparison.challengerRate(),
                            comparison.interval().lower(),
                            comparison.interval().upper()));
                }
            }
        }
        return points;
    }

    /**
     * Two panels sharing the time axis: above, both variants' values; below, the challenger-minus-champion difference
     * with its interval at each check (a band), 0 and the gate's threshold (dashed).
     */
    static String plot(GatedMetric metric, List<ExperimentResult.Checkpoint> timeline) {
        String id = "quality-" + metric.name().replaceAll("[^A-Za-z0-9_-]", "_");
        int height = TOP + PANEL + GAP + PANEL + BOTTOM;
        StringBuilder svg = new StringBuilder(String.format(
                Locale.ROOT,
                "<svg id=\"%s\" class=\"quality-plot\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                        + " role=\"img\" aria-label=\"%s over time with the confidence sequence of the difference\">",
                id,
                WIDTH,
                height,
                xml(metric.name())));
        List<Point> points = points(metric.name(), timeline);
        if (points.isEmpty()) {
            return svg.append("<text x=\"20\" y=\"40\">no readings of ")
                    .append(xml(metric.name()))
                    .append("</text></svg>")
                    .toString();
        }
        double maxSeconds = Math.max(1, points.get(points.size() - 1).seconds());
        int plotWidth = WIDTH - LEFT - RIGHT;
        // values panel
        double low = Double.POSITIVE_INFINITY;
        double high = Double.NEGATIVE_INFINITY;
        for (Point p : points) {
            low = Math.min(low, Math.min(p.champion(), p.challenger()));
            high = Math.max(high, Math.max(p.champion(), p.challenger()));
        }
        double[] values = padded(low, high);
        int valuesTop = TOP;
        frame(svg, valuesTop, plotWidth, values, "value");
        series(svg, id + "-champion", CHAMPION, points, maxSeconds, valuesTop, values, Point::champion);
        series(svg, id + "-challenger", CHALLENGER, points, maxSeconds, valuesTop, values, Point::challenger);
        // difference panel
        double margin = points.isEmpty() ? 0 : lastMargin(metric.name(), timeline);
        double threshold = metric.direction() == GatedMetric.Direction.HIGHER_IS_BETTER ? -margin : margin;
        double dLow = Math.min(0, threshold);
        double dHigh = Math.max(0, threshold);
        for (Point p : points) {
            dLow = Math.min(dLow, Math.max(p.lower(), -1e6));
            dHigh = Math.max(dHigh, Math.min(p.upper(), 1e6));
        }
        double[] diff = padded(dLow, dHigh);
        int diffTop = TOP + PANEL + GAP;
        frame(svg, diffTop, plotWidth, diff, "difference");
        StringBuilder band = new StringBuilder();
        for (Point p : points) {
            band.append(xy(p.seconds(), maxSeconds, clamp(p.upper(), diff), diffTop, diff));
        }
        for (int i = points.size() - 1; i >= 0; i--) {
            band.append(
                    xy(points.get(i).seconds(), maxSeconds, clamp(points.get(i).lower(), diff), diffTop, diff));
        }
        svg.append(String.format(
                Locale.ROOT,
                "<polygon id=\"%s-interval\" fill=\"%s\" fill-opacity=\"0.35\" stroke=\"none\" points=\"%s\"/>",
                id,
                BAND,
                band.toString().trim()));
        for (Point p : points) { // the interval at each check, as a whisker
            svg.append(String.format(
                    Locale.ROOT,
                    "<line class=\"interval\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#4b5563\"/>",
                    x(p.seconds(), maxSeconds),
                    x(p.seconds(), maxSeconds),
                    y(clamp(p.lower(), diff), diffTop, diff),
                    y(clamp(p.upper(), diff), diffTop, diff)));
        }
        series(
                svg,
                id + "-difference",
                "#111827",
                points,
                maxSeconds,
                diffTop,
                diff,
                p -> p.challenger() - p.champion());
        horizontal(svg, id + "-zero", 0, diffTop, diff, plotWidth, "#6b7280", "", "0");
        if (margin > 0) {
            horizontal(
                    svg,
                    id + "-threshold",
                    threshold,
                    diffTop,
                    diff,
                    plotWidth,
                    "#b45309",
                    " stroke-width=\"2\" stroke-dasharray=\"6 3\"",
                    "margin " + (threshold >= 0 ? "+" : "") + num(threshold));
        }
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" font-size=\"11\">%.0f s</text>",
                WIDTH - RIGHT - 30,
                height - 22,
                maxSeconds));
        String[][] legend = {
            {"champion", CHAMPION}, {"challenger", CHALLENGER}, {"difference (challenger - champion)", "#111827"}
        };
        for (int i = 0; i < legend.length; i++) {
            svg.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"%s\">%s</text>",
                    LEFT + 10 + i * 110,
                    height - 8,
                    legend[i][1],
                    legend[i][0]));
        }
        Point last = points.get(points.size() - 1);
        svg.append(String.format(
                Locale.ROOT,
                "<text id=\"%s-last\" x=\"%d\" y=\"%d\" font-size=\"11\">last: champion %s, challenger %s,"
                        + " difference in [%s, %s]</text>",
                id,
                LEFT + 4,
                diffTop - 8,
                num(last.champion()),
                num(last.challenger()),
                num(last.lower()),
                num(last.upper())));
        return svg.append("</svg>").toString();
    }

    private static double lastMargin(String name, List<ExperimentResult.Checkpoint> timeline) {
        double margin = 0;
        for (ExperimentResult.Checkpoint check : timeline) {
            for (MetricComparison comparison : check.comparisons()) {
                if (comparison.metric().equals(name)) {
                    margin = Math.abs(comparison.margin());
                }
            }
        }
        return margin;
    }

    /** The shadow's agreement with production and the disagreeing inputs. */
    static String shadow(ShadowStats shadow) {
        StringBuilder html = new StringBuilder("<h3>Shadow agreement</h3>\n");
        html.append(String.format(
                Locale.ROOT,
                "<table id=\"shadow\"><tr><th>compared</th><th>agreed</th><th>agreement</th><th>failed on the shadow"
                        + "</th></tr><tr><td>%d</td><td>%d</td><td id=\"shadow-agreement\">%.2f%%</td><td>%d</td></tr>"
                        + "</table>%n",
                shadow.compared(),
                shadow.agreed(),
                shadow.agreementRate() * 100,
                shadow.failed()));
        if (shadow.examples().isEmpty()) {
            html.append("<p id=\"shadow-examples\">")
                    .append(shadow.compared() == 0 ? "No mirrored request was compared." : "No disagreement kept.")
                    .append("</p>\n");
            return html.toString();
        }
        html.append("<table id=\"shadow-examples\"><tr><th>request</th><th>production answered</th>"
                + "<th>shadow answered</th></tr>\n");
        for (ShadowStats.Disagreement example : shadow.examples()) {
            html.append("<tr><td><code>")
                    .append(xml(example.request()))
                    .append("</code></td><td><code>")
                    .append(xml(example.production()))
                    .append("</code></td><td><code>")
                    .append(xml(example.shadow()))
                    .append("</code></td></tr>\n");
        }
        return html.append("</table>\n").toString();
    }

    // --- drawing ---------------------------------------------------------------------------------------------------

    private static double[] padded(double low, double high) {
        double span = high - low;
        double pad = span > 0 ? span * 0.1 : Math.max(Math.abs(high) * 0.05, 0.01);
        return new double[] {low - pad, high + pad};
    }

    private static double clamp(double value, double[] range) {
        return Math.max(range[0], Math.min(range[1], value));
    }

    private static double x(double seconds, double maxSeconds) {
        return LEFT + seconds / maxSeconds * (WIDTH - LEFT - RIGHT);
    }

    private static double y(double value, int top, double[] range) {
        return top + PANEL - (value - range[0]) / (range[1] - range[0]) * PANEL;
    }

    private static String xy(double seconds, double maxSeconds, double value, int top, double[] range) {
        return String.format(Locale.ROOT, "%.1f,%.1f ", x(seconds, maxSeconds), y(value, top, range));
    }

    private static void frame(StringBuilder svg, int top, int plotWidth, double[] range, String label) {
        svg.append(String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>"
                        + "<text x=\"5\" y=\"%d\" font-size=\"11\">%s</text>"
                        + "<text x=\"5\" y=\"%d\" font-size=\"11\">%s</text>"
                        + "<text x=\"5\" y=\"%d\" font-size=\"11\" fill=\"#555\">%s</text>",
                LEFT,
                top,
                plotWidth,
                PANEL,
                top + 10,
                num(range[1]),
                top + PANEL,
                num(range[0]),
                top + PANEL / 2,
                label));
    }

    private static void series(
            StringBuilder svg,
            String id,
            String color,
            List<Point> points,
            double maxSeconds,
            int top,
            double[] range,
            java.util.function.ToDoubleFunction<Point> value) {
        StringBuilder line = new StringBuilder();
        for (Point p : points) {
            line.append(xy(p.seconds(), maxSeconds, clamp(value.applyAsDouble(p), range), top, range));
        }
        svg.append(String.format(
                Locale.ROOT,
                "<polyline id=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>",
                id,
                color,
                line.toString().trim()));
    }

    private static void horizontal(
            StringBuilder svg,
            String id,
            double value,
            int top,
            double[] range,
            int plotWidth,
            String color,
            String dash,
            String label) {
        double y = y(value, top, range);
        svg.append(String.format(
                Locale.ROOT,
                "<line id=\"%s\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"%s/>"
                        + "<text x=\"%d\" y=\"%.1f\" font-size=\"10\" fill=\"%s\">%s</text>",
                id,
                LEFT,
                LEFT + plotWidth,
                y,
                y,
                color,
                dash,
                LEFT + plotWidth + 2,
                y + 3,
                color,
                xml(label)));
    }

    /** Four significant digits without trailing zeros: 0.74, 1, -0.02. */
    static String num(double value) {
        return new java.math.BigDecimal(value)
                .round(new java.math.MathContext(4))
                .stripTrailingZeros()
                .toPlainString();
    }

    private static String xml(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
