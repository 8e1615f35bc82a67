package io.jenkins.plugins.modeldeploy.smoke;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.modeldeploy.redact.Redaction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.HdrHistogram.HistogramIterationValue;

/**
 * The smoke test's reports: JSON (the machine-readable record), JUnit XML (one test case per threshold, for
 * Jenkins' {@code junit} step) and one self-contained HTML page with SVG plots (no script, no network).
 */
public final class SmokeReports {
    public static final String JSON_FILE = "smoke.json";
    public static final String JUNIT_FILE = "smoke-junit.xml";
    public static final String HTML_FILE = "smoke.html";
    private static final ObjectMapper JSON = new ObjectMapper();

    private SmokeReports() {}

    /** Writes the three reports into {@code dir} (created if needed); each file is replaced atomically. */
    public static List<Path> writeAll(SmokeResult result, Path dir) throws IOException {
        Files.createDirectories(dir);
        return List.of(
                write(
                        dir.resolve(JSON_FILE),
                        JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json(result))),
                write(dir.resolve(JUNIT_FILE), junit(result)),
                write(dir.resolve(HTML_FILE), html(result)));
    }

    /**
     * Writes a report file through a temporary file in its folder renamed into place, so a reader (or a full disk)
     * never sees a truncated report.
     */
    public static Path writeAtomically(Path file, String content) throws IOException {
        return write(file, content);
    }

    private static Path write(Path file, String content) throws IOException {
        Path temp = Files.createTempFile(
                Objects.requireNonNull(file.getParent(), "a report lies in a folder"),
                "." + file.getFileName(),
                ".tmp");
        try {
            // every URL a report shows is already redacted; this also covers any a message quotes
            Files.writeString(temp, Redaction.text(content), StandardCharsets.UTF_8);
            return Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp); // a full disk leaves neither a truncated report nor a stray temporary file
            throw e;
        }
    }

    /**
     * A failed report write in words: the file and what the system said (a {@link FileSystemException}'s message is
     * often just the path, e.g. {@code AccessDeniedException: /r/smoke.json}).
     */
    public static String describe(IOException e) {
        if (e instanceof FileSystemException fs) {
            String reason = fs.getReason();
            if (reason == null) {
                reason = fs instanceof AccessDeniedException
                        ? "permission denied"
                        : fs instanceof NotDirectoryException
                                ? "not a directory"
                                : fs instanceof FileAlreadyExistsException
                                        ? "exists and is not a directory"
                                        : fs instanceof NoSuchFileException
                                                ? "no such file or directory"
                                                : fs.getClass().getSimpleName();
            }
            return (fs.getFile() == null ? "" : fs.getFile() + ": ") + reason;
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    public static ObjectNode json(SmokeResult result) {
        LoadResult load = result.load();
        ObjectNode json = JSON.createObjectNode();
        json.put("target", Redaction.url(result.target()));
        json.put("startedAt", result.startedAt().toString());
        json.put("passed", result.passed());
        ArrayNode reasons = json.putArray("reasons");
        result.verdict().reasons().forEach(reasons::add);
        json.put("requests", load.requests());
        json.put("errors", load.errorCount());
        ObjectNode kinds = json.putObject("errorsByKind");
        load.errors().forEach((kind, count) -> kinds.put(kind.name().toLowerCase(Locale.ROOT), count));
        json.put("errorRate", round(load.errorRate(), 6));
        json.put("targetRate", round(load.targetRate(), 3));
        json.put("achievedRate", round(load.achievedRate(), 3));
        json.put("measuredSeconds", round(load.measuredSeconds(), 3));
        json.put("p50Ms", round(load.latencyMs(50), 3));
        json.put("p90Ms", round(load.latencyMs(90), 3));
        json.put("p95Ms", round(load.latencyMs(95), 3));
        json.put("p99Ms", round(load.latencyMs(99), 3));
        json.put("p999Ms", round(load.latencyMs(99.9), 3));
        json.put("maxMs", round(load.maxLatencyMs(), 3));
        json.put("inFlightCapHits", load.inFlightCapHits());
        json.put("connections", load.connections());
        json.put("sendDelayP50Us", load.sendDelay().getValueAtPercentile(50));
        json.put("sendDelayP99Us", load.sendDelay().getValueAtPercentile(99));
        json.put("generatorCpuSeconds", round(load.generatorCpuSeconds(), 3));
        if (load.labels().instances() > 0) {
            LabelScore labels = load.labels();
            ObjectNode labelled = json.putObject("labelled");
            labelled.put("instances", labels.instances());
            labelled.put("correct", labels.correct());
            labelled.put("accuracy", round(labels.accuracy(), 6));
            if (labels.numeric() > 0) {
                labelled.put("numeric", labels.numeric());
                labelled.put("mae", round(labels.mae(), 6));
                labelled.put("rmse", round(labels.rmse(), 6));
            }
        }
        ObjectNode profile = json.putObject("profile");
        profile.put("fromRate", result.profile().schedule().fromRate());
        profile.put("toRate", result.profile().schedule().toRate());
        profile.put("durationSeconds", result.profile().schedule().duration().toMillis() / 1000.0);
        profile.put("warmupSeconds", result.profile().warmup().toMillis() / 1000.0);
        profile.put("maxInFlight", result.profile().maxInFlight());
        profile.put("requestTimeoutSeconds", result.profile().requestTimeout().toMillis() / 1000.0);
        profile.put("check", result.profile().check().name().toLowerCase(Locale.ROOT));
        ArrayNode checks = json.putArray("checks");
        for (SmokeVerdict.Check check : result.verdict().checks()) {
            ObjectNode node = checks.addObject();
            node.put("name", check.name());
            node.put("requirement", check.requirement());
            node.put("measured", check.measured());
            node.put("passed", check.passed());
        }
        ArrayNode percentiles = json.putArray("histogram");
        for (double[] point : percentilePoints(load)) {
            percentiles.addObject().put("percentile", point[0]).put("latencyMs", point[1]);
        }
        ArrayNode timeline = json.putArray("timeline");
        for (TimelinePoint point : load.timeline()) {
            timeline.addObject()
                    .put("second", point.second())
                    .put("requests", point.requests())
                    .put("errors", point.errors())
                    .put("p50Ms", point.p50Ms())
                    .put("p99Ms", point.p99Ms())
                    .put("maxMs", point.maxMs());
        }
        return json;
    }

    public static String junit(SmokeResult result) {
        List<SmokeVerdict.Check> checks = result.verdict().checks();
        long failures = checks.stream().filter(c -> !c.passed()).count();
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        xml.append(String.format(
                Locale.ROOT,
                "<testsuite name=\"smoke %s\" tests=\"%d\" failures=\"%d\" errors=\"0\""
                        + " skipped=\"0\" time=\"%.3f\" timestamp=\"%s\">%n",
                xml(Redaction.url(result.target())),
                checks.size(),
                failures,
                result.load().measuredSeconds(),
                result.startedAt()));
        for (SmokeVerdict.Check check : checks) {
            xml.append(String.format(
                    Locale.ROOT,
                    "  <testcase classname=\"model-deploy.smoke\" name=\"%s %s\"" + " time=\"0\">%n",
                    xml(check.name()),
                    xml(check.requirement())));
            if (!check.passed()) {
                xml.append("    <failure message=\"")
                        .append(xml(check.reason()))
                        .append("\" type=\"SLO\">")
                        .append(xml("measured " + check.measured()))
                        .append("</failure>\n");
            }
            xml.append("    <system-out>")
                    .append(xml("measured " + check.measured()))
                    .append("</system-out>\n");
            xml.append("  </testcase>\n");
        }
        return xml.append("</testsuite>\n").toString();
    }

    /** The page's style sheet, shared with the deployment report that embeds {@link #section}. */
    public static final String STYLE = "body{font-family:sans-serif;margin:2em;color:#222}"
            + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}"
            + "th{background:#f4f4f4}.pass{color:#17803d}.fail{color:#b91c1c}"
            + "svg{background:#fff;border:1px solid #ddd}";

    public static String html(SmokeResult result) {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Smoke test "
                + xml(Redaction.url(result.target())) + "</title>\n<style>" + STYLE + "</style></head><body>\n"
                + section(result) + "</body></html>\n";
    }

    /** The report's content without the page around it: verdict, percentiles, checks and both plots. */
    public static String section(SmokeResult result) {
        LoadResult load = result.load();
        StringBuilder page = new StringBuilder();
        page.append("<h1>Smoke test: <span class=\"")
                .append(result.passed() ? "pass\">PASSED" : "fail\">FAILED")
                .append("</span></h1>\n<p>")
                .append(xml(Redaction.url(result.target())))
                .append(" &middot; started ")
                .append(result.startedAt())
                .append(String.format(
                        Locale.ROOT,
                        " &middot; %d requests at %.1f req/s" + " (target %.1f) over %.1f s, %d errors</p>%n",
                        load.requests(),
                        load.achievedRate(),
                        load.targetRate(),
                        load.measuredSeconds(),
                        load.errorCount()));
        if (!result.passed()) {
            page.append("<ul id=\"reasons\">");
            result.verdict()
                    .reasons()
                    .forEach(r ->
                            page.append("<li class=\"fail\">").append(xml(r)).append("</li>"));
            page.append("</ul>\n");
        }
        page.append("<table id=\"percentiles\"><tr><th>p50</th><th>p90</th><th>p95</th><th>p99</th><th>p99.9</th>"
                + "<th>max</th></tr><tr>");
        for (double p : new double[] {50, 90, 95, 99, 99.9}) {
            page.append(String.format(Locale.ROOT, "<td>%.3f ms</td>", load.latencyMs(p)));
        }
        page.append(String.format(Locale.ROOT, "<td>%.3f ms</td></tr></table>%n", load.maxLatencyMs()));
        page.append("<h2>Checks</h2>\n<table id=\"checks\"><tr><th>check</th><th>required</th><th>measured</th>"
                + "<th>result</th></tr>\n");
        for (SmokeVerdict.Check check : result.verdict().checks()) {
            page.append("<tr><td>")
                    .append(xml(check.name()))
                    .append("</td><td>")
                    .append(xml(check.requirement()))
                    .append("</td><td>")
                    .append(xml(check.measured()))
                    .append("</td><td class=\"")
                    .append(check.passed() ? "pass\">pass" : "fail\">fail")
                    .append("</td></tr>\n");
        }
        page.append("</table>\n<h2>Latency by percentile</h2>\n").append(percentilePlot(result));
        page.append("\n<h2>Latency over time</h2>\n")
                .append(timelinePlot(result))
                .append("\n");
        return page.toString();
    }

    /** (percentile, latency ms) pairs from the histogram, 0 .. 99.999. */
    static List<double[]> percentilePoints(LoadResult load) {
        List<double[]> points = new ArrayList<>();
        if (load.latency().getTotalCount() == 0) {
            return points;
        }
        for (HistogramIterationValue value : load.latency().percentiles(5)) {
            double percentile = value.getPercentileLevelIteratedTo();
            points.add(
                    new double[] {percentile, load.latency().highestEquivalentValue(value.getValueIteratedTo()) / 1000.0
                    });
            if (percentile >= 99.999) {
                break;
            }
        }
        return points;
    }

    private static final int WIDTH = 720;
    private static final int HEIGHT = 320;
    private static final int LEFT = 60;
    private static final int RIGHT = 20;
    private static final int TOP = 20;
    private static final int BOTTOM = 40;

    private static String percentilePlot(SmokeResult result) {
        List<double[]> points = percentilePoints(result.load());
        double limit = result.thresholds().p99Ms().orElse(0);
        double maxY = niceCeiling(Math.max(
                limit * 1.1, points.stream().mapToDouble(p -> p[1]).max().orElse(1)));
        double maxX = 5; // 99.999%
        StringBuilder svg = svgStart("percentile-plot", "Latency (ms) by percentile");
        axes(svg, maxY, "ms");
        String[] labels = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"};
        for (int i = 0; i <= 5; i++) {
            double x = LEFT + (WIDTH - LEFT - RIGHT) * i / maxX;
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>"
                            + "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"%s\">%s</text>%n",
                    x,
                    TOP,
                    x,
                    HEIGHT - BOTTOM,
                    x,
                    HEIGHT - BOTTOM + 16,
                    i == 5 ? "end" : "middle",
                    labels[i]));
        }
        if (limit > 0) {
            double y = y(limit, maxY);
            svg.append(String.format(
                    Locale.ROOT,
                    "<line id=\"p99-limit\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\""
                            + " stroke=\"#b91c1c\" stroke-dasharray=\"6 4\"/><text x=\"%d\" y=\"%.1f\" font-size=\"11\""
                            + " fill=\"#b91c1c\" text-anchor=\"end\">p99 limit %s ms</text>%n",
                    LEFT,
                    y,
                    WIDTH - RIGHT,
                    y,
                    WIDTH - RIGHT,
                    y - 4,
                    SmokeVerdict.number(limit)));
        }
        StringBuilder line = new StringBuilder();
        for (double[] point : points) {
            double x = Math.min(maxX, Math.log10(1 / Math.max(1e-5, 1 - point[0] / 100)));
            line.append(String.format(
                    Locale.ROOT, "%.1f,%.1f ", LEFT + (WIDTH - LEFT - RIGHT) * x / maxX, y(point[1], maxY)));
        }
        svg.append("<polyline id=\"percentile-line\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2.5\" points=\"")
                .append(line.toString().strip())
                .append("\"/>\n");
        return svg.append("</svg>").toString();
    }

    private static String timelinePlot(SmokeResult result) {
        List<TimelinePoint> points = result.load().timeline();
        double maxY = niceCeiling(
                points.stream().mapToDouble(TimelinePoint::maxMs).max().orElse(1));
        double seconds = Math.max(1, result.profile().schedule().duration().toMillis() / 1000.0);
        StringBuilder svg = svgStart("timeline-plot", "Latency (ms) by second of the run");
        axes(svg, maxY, "ms");
        double warmup = result.profile().warmup().toMillis() / 1000.0;
        double plotWidth = WIDTH - LEFT - RIGHT;
        if (warmup > 0) {
            svg.append(String.format(
                    Locale.ROOT,
                    "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#f3f3f3\"/>"
                            + "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" fill=\"#777\">warm-up</text>%n",
                    LEFT,
                    TOP,
                    plotWidth * warmup / seconds,
                    HEIGHT - TOP - BOTTOM,
                    LEFT + 4.0,
                    TOP + 14));
        }
        for (int s = 0; s <= seconds; s += Math.max(1, (int) Math.ceil(seconds / 10))) {
            double x = LEFT + plotWidth * s / seconds;
            svg.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">" + "%ds</text>%n",
                    x,
                    HEIGHT - BOTTOM + 16,
                    s));
        }
        String[][] series = {{"max", "#bbbbbb"}, {"p99", "#d97706"}, {"p50", "#1f77b4"}};
        for (String[] serie : series) {
            StringBuilder line = new StringBuilder();
            for (TimelinePoint point : points) {
                double value =
                        switch (serie[0]) {
                            case "max" -> point.maxMs();
                            case "p99" -> point.p99Ms();
                            default -> point.p50Ms();
                        };
                line.append(String.format(
                        Locale.ROOT,
                        "%.1f,%.1f ",
                        LEFT + plotWidth * (point.second() + 0.5) / seconds,
                        y(value, maxY)));
            }
            svg.append("<polyline class=\"series-")
                    .append(serie[0])
                    .append("\" fill=\"none\" stroke=\"")
                    .append(serie[1])
                    .append("\" stroke-width=\"2\" points=\"")
                    .append(line.toString().strip())
                    .append("\"/>\n");
        }
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#1f77b4\">p50</text>"
                        + "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#d97706\">p99</text><text x=\"%d\" y=\"%d\""
                        + " font-size=\"11\" fill=\"#999\">max</text>%n",
                WIDTH - 140,
                TOP + 14,
                WIDTH - 100,
                TOP + 14,
                WIDTH - 60,
                TOP + 14));
        return svg.append("</svg>").toString();
    }

    private static StringBuilder svgStart(String id, String title) {
        return new StringBuilder(String.format(
                Locale.ROOT,
                "<svg id=\"%s\" xmlns=\"http://www.w3.org/2000/svg\""
                        + " width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\"><title>%s</title>%n",
                id,
                WIDTH,
                HEIGHT,
                WIDTH,
                HEIGHT,
                xml(title)));
    }

    private static void axes(StringBuilder svg, double maxY, String unit) {
        svg.append(String.format(
                Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>"
                        + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>%n",
                LEFT,
                TOP,
                LEFT,
                HEIGHT - BOTTOM,
                LEFT,
                HEIGHT - BOTTOM,
                WIDTH - RIGHT,
                HEIGHT - BOTTOM));
        for (int i = 0; i <= 4; i++) {
            double value = maxY * i / 4;
            double y = y(value, maxY);
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
                            + "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s %s</text>%n",
                    LEFT,
                    y,
                    WIDTH - RIGHT,
                    y,
                    LEFT - 6,
                    y + 4,
                    SmokeVerdict.number(round(value, 3)),
                    unit));
        }
    }

    private static double y(double value, double maxY) {
        return HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * Math.min(1, value / maxY);
    }

    private static double niceCeiling(double value) {
        if (value <= 0) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (value <= step * magnitude) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static double round(double value, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }

    private static String xml(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
