package io.jenkins.plugins.modeldeploy.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictionLogWriterTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static PredictionSink.Prediction prediction(String version, String id, String request, String response) {
        return new PredictionSink.Prediction(
                new VersionRef("iris", version),
                "stable",
                id,
                request.getBytes(StandardCharsets.UTF_8),
                200,
                response.getBytes(StandardCharsets.UTF_8),
                2_500_000);
    }

    private static List<JsonNode> lines(Path file) throws IOException {
        List<JsonNode> records = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            records.add(JSON.readTree(line));
        }
        return records;
    }

    @Test
    void writesOneJsonLinesFilePerVersionAndAppendsAcrossWriters() throws Exception {
        try (PredictionLogWriter writer =
                new PredictionLogWriter(new FilePredictionOutput(dir), 1.0, List.of(), 100, notice -> {})) {
            writer.offer(prediction("1", "a", "{\"instances\":[[5.1,3.5,1.4,0.2]]}", "{\"predictions\":[\"setosa\"]}"));
            writer.offer(prediction("2", "b", "not json", "Internal error"));
        }
        List<JsonNode> v1 = lines(FilePredictionOutput.file(dir, "iris", "1"));
        assertThat(v1).hasSize(1);
        JsonNode record = v1.get(0);
        assertThat(record.get("model").asText()).isEqualTo("iris");
        assertThat(record.get("version").asText()).isEqualTo("1");
        assertThat(record.get("route").asText()).isEqualTo("stable");
        assertThat(record.get("requestId").asText()).isEqualTo("a");
        assertThat(record.get("status").asInt()).isEqualTo(200);
        assertThat(record.get("latencyMs").asDouble()).isEqualTo(2.5);
        assertThat(record.get("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(record.get("request").get("instances").get(0).get(0).asDouble())
                .isEqualTo(5.1);
        assertThat(record.get("response").get("predictions").get(0).asText()).isEqualTo("setosa");
        List<JsonNode> v2 = lines(FilePredictionOutput.file(dir, "iris", "2"));
        assertThat(v2.get(0).get("request").asText()).isEqualTo("not json");
        assertThat(v2.get(0).get("response").asText()).isEqualTo("Internal error");

        try (PredictionLogWriter writer =
                new PredictionLogWriter(new FilePredictionOutput(dir), 1.0, List.of(), 100, notice -> {})) {
            writer.offer(prediction("1", "c", "{}", "{}"));
        }
        assertThat(lines(FilePredictionOutput.file(dir, "iris", "1")))
                .extracting(r -> r.get("requestId").asText())
                .containsExactly("a", "c");
    }

    @Test
    void excludedFieldsNeverReachTheFile() throws Exception {
        try (PredictionLogWriter writer = new PredictionLogWriter(
                new FilePredictionOutput(dir),
                1.0,
                List.of("request.instances", "response.scores", "requestId"),
                100,
                notice -> {})) {
            writer.offer(prediction(
                    "1",
                    "secret-id",
                    "{\"instances\":[[9.9,3.5,1.4,0.2]],\"user\":\"u1\"}",
                    "{\"predictions\":[\"setosa\"],\"scores\":[0.97]}"));
        }
        String text = Files.readString(FilePredictionOutput.file(dir, "iris", "1"));
        assertThat(text).doesNotContain("9.9", "instances", "secret-id", "requestId", "0.97", "scores");
        JsonNode record = JSON.readTree(text);
        assertThat(record.get("request").get("user").asText()).isEqualTo("u1");
        assertThat(record.get("response").get("predictions").get(0).asText()).isEqualTo("setosa");

        Path other = dir.resolve("whole");
        try (PredictionLogWriter writer =
                new PredictionLogWriter(new FilePredictionOutput(other), 1.0, List.of("request"), 100, notice -> {})) {
            writer.offer(prediction("1", "x", "{\"instances\":[[7.7]]}", "{\"predictions\":[\"a\"]}"));
        }
        JsonNode record2 = JSON.readTree(Files.readString(FilePredictionOutput.file(other, "iris", "1")));
        assertThat(record2.has("request")).isFalse();
        assertThat(record2.get("response").get("predictions").get(0).asText()).isEqualTo("a");
    }

    @Test
    void excludeAndSampleRateAreChecked() {
        assertThatThrownBy(() -> PredictionLogWriter.checkExclude("model")).hasMessageContaining("--log-exclude model");
        assertThatThrownBy(() -> PredictionLogWriter.checkExclude("user")).hasMessageContaining("not a record field");
        assertThatThrownBy(() -> PredictionLogWriter.checkExclude("latencyMs.x"))
                .hasMessageContaining("request.KEY");
        assertThatThrownBy(() -> PredictionLogWriter.checkExclude("request.a.b"))
                .hasMessageContaining("one top-level key");
        assertThatThrownBy(() -> new PredictionLogWriter.Settings("file:/tmp/x", 0, List.of()))
                .hasMessageContaining("--log-sample");
        assertThatThrownBy(() -> new PredictionLogWriter.Settings("http://user:pw@x", 1, List.of()))
                .hasMessageContaining("--prediction-log")
                .hasMessageNotContaining("pw");
    }

    @Test
    void samplingLogsAboutTheRequestedShare() throws Exception {
        try (PredictionLogWriter writer =
                new PredictionLogWriter(new FilePredictionOutput(dir), 0.25, List.of(), 10_000, notice -> {})) {
            for (int i = 0; i < 4_000; i++) {
                writer.offer(prediction("1", "r" + i, "{}", "{}"));
            }
        }
        long lines =
                Files.readAllLines(FilePredictionOutput.file(dir, "iris", "1")).size();
        assertThat(lines).isBetween(850L, 1150L); // 1000 expected; +-4.7 standard deviations
    }

    /** An output that blocks until released: the queue fills, offer() drops and counts without waiting. */
    @Test
    void aFullQueueDropsAndCountsWithoutBlocking() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        List<PredictionLogWriter.LogRecord> got = Collections.synchronizedList(new ArrayList<>());
        PredictionLogWriter.Output blocking = new PredictionLogWriter.Output() {
            @Override
            public void write(List<PredictionLogWriter.LogRecord> batch) throws IOException {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                got.addAll(batch);
            }

            @Override
            public String name() {
                return "blocking";
            }

            @Override
            public void close() {}
        };
        List<String> notices = Collections.synchronizedList(new ArrayList<>());
        PredictionLogWriter writer = new PredictionLogWriter(blocking, 1.0, List.of(), 10, notices::add);
        writer.offer(prediction("1", "first", "{}", "{}"));
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue(); // the drainer holds "first" in a blocked write
        long start = System.nanoTime();
        for (int i = 0; i < 1_000; i++) {
            writer.offer(prediction("1", "r" + i, "{}", "{}"));
        }
        double millis = (System.nanoTime() - start) / 1e6;
        assertThat(millis).isLessThan(1_000); // never waited for the blocked output
        assertThat(writer.queued()).isEqualTo(10);
        assertThat(writer.dropped()).isEqualTo(990);
        assertThat(notices).hasSize(1); // at most one notice per interval
        assertThat(notices.get(0)).contains("queue full", "dropped");
        release.countDown();
        writer.close();
        assertThat(got).hasSize(11);
        assertThat(writer.written()).isEqualTo(11);
    }
}
