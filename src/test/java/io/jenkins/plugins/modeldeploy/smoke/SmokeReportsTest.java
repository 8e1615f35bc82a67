package io.jenkins.plugins.modeldeploy.smoke;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.modeldeploy.model.Slo;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class SmokeReportsTest {
    @TempDir
    Path dir;

    static SmokeResult sample(long slowMicros) {
        Histogram latency = new Histogram(3_600_000_000L, 3);
        for (int i = 0; i < 990; i++) {
            latency.recordValue(1_000 + i);
        }
        for (int i = 0; i < 10; i++) {
            latency.recordValue(slowMicros);
        }
        List<TimelinePoint> timeline = List.of(
                new TimelinePoint(0, 100, 0, 1.2, 2.0, 3.0),
                new TimelinePoint(1, 100, 1, 1.1, 60.0, 80.0),
                new TimelinePoint(2, 100, 0, 1.0, 1.9, 2.5));
        LoadResult load = new LoadResult(
                1000, Map.of(ErrorKind.STATUS, 1L), 100, 99.9, 10, 0, 3, 0.05, latency, new Histogram(3), timeline);
        LoadProfile profile = LoadProfile.constant(100, Duration.ofSeconds(12), Duration.ofSeconds(2));
        SmokeThresholds thresholds = SmokeThresholds.fromSlo(new Slo(100, 50, 0.01), 100);
        return new SmokeResult(
                URI.create("http://127.0.0.1:8080/predict"),
                profile,
                thresholds,
                Instant.parse("2026-11-25T20:00:00Z"),
                load,
                SmokeVerdict.of(load, thresholds));
    }

    @Test
    void noReportShowsTheTargetsCredentials() throws Exception {
        SmokeResult plain = sample(70_000);
        SmokeResult secret = new SmokeResult(
                URI.create("http://smoke:pw-in-url@127.0.0.1:8080/predict?api_key=key-in-url&rows=1"),
                plain.profile(),
                plain.thresholds(),
                plain.startedAt(),
                plain.load(),
                plain.verdict());
        SmokeReports.writeAll(secret, dir);
        for (String file : List.of(SmokeReports.JSON_FILE, SmokeReports.JUNIT_FILE, SmokeReports.HTML_FILE)) {
            assertThat(java.nio.file.Files.readString(dir.resolve(file)))
                    .as(file)
                    .contains("http://smoke:***@127.0.0.1:8080/predict?api_key=***")
                    .doesNotContain("pw-in-url")
                    .doesNotContain("key-in-url");
        }
        assertThat(SmokeReports.json(secret).get("target").asText())
                .isEqualTo("http://smoke:***@127.0.0.1:8080/predict?api_key=***&rows=1");
    }

    @Test
    void jsonHasTheDocumentedFields() throws Exception {
        SmokeReports.writeAll(sample(70_000), dir);
        JsonNode json =
                new ObjectMapper().readTree(dir.resolve(SmokeReports.JSON_FILE).toFile());
        assertThat(json.get("requests").asLong()).isEqualTo(1000);
        assertThat(json.get("errors").asLong()).isEqualTo(1);
        assertThat(json.get("achievedRate").asDouble()).isEqualTo(99.9);
        assertThat(json.get("p50Ms").asDouble()).isEqualTo(1.499);
        assertThat(json.get("p99Ms").asDouble()).isEqualTo(1.989);
        assertThat(json.get("maxMs").asDouble()).isEqualTo(70.015);
        assertThat(json.has("p90Ms")).isTrue();
        assertThat(json.get("passed").asBoolean()).isTrue();
        assertThat(json.get("reasons")).isEmpty();
        assertThat(json.get("timeline")).hasSize(3);
        assertThat(json.get("histogram").size()).isGreaterThan(10);
    }

    @Test
    void junitHasOneTestCasePerThresholdWithFailures() throws Exception {
        SmokeReports.writeAll(sample(70_000), dir);
        SmokeResult failing = sample(70_000);
        failing = new SmokeResult(
                failing.target(),
                failing.profile(),
                failing.thresholds().withP99Ms(1.5),
                failing.startedAt(),
                failing.load(),
                SmokeVerdict.of(failing.load(), failing.thresholds().withP99Ms(1.5)));
        SmokeReports.writeAll(failing, dir);
        Document xml = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(dir.resolve(SmokeReports.JUNIT_FILE).toFile());
        Element suite = xml.getDocumentElement();
        assertThat(suite.getAttribute("tests")).isEqualTo("3");
        assertThat(suite.getAttribute("failures")).isEqualTo("1");
        NodeList cases = suite.getElementsByTagName("testcase");
        assertThat(((Element) cases.item(0)).getAttribute("name")).isEqualTo("p99 latency <= 1.5 ms");
        Element failure = (Element)
                ((Element) cases.item(0)).getElementsByTagName("failure").item(0);
        assertThat(failure.getAttribute("message")).isEqualTo("p99 latency 1.989 ms exceeds the limit of 1.5 ms");
        assertThat(((Element) cases.item(1)).getElementsByTagName("failure").getLength())
                .isZero();
    }

    @Test
    void htmlIsSelfContainedWithBothPlots() {
        String html = SmokeReports.html(sample(70_000));
        assertThat(html)
                .contains(
                        "<svg id=\"percentile-plot\"",
                        "<svg id=\"timeline-plot\"",
                        "<polyline id=\"percentile-line\"",
                        "<line id=\"p99-limit\"",
                        "class=\"series-p99\"");
        assertThat(html).doesNotContain("<script", "http://cdn", "https://");
    }
}
