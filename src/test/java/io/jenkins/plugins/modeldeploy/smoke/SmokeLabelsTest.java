package io.jenkins.plugins.modeldeploy.smoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.jenkins.plugins.modeldeploy.testing.ScriptedHttpServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A smoke run over labelled payloads reports how the answers scored, per instance, without judging it. */
class SmokeLabelsTest {
    @Test
    void labelledAnswersAreScoredPerInstanceAndReported() throws Exception {
        // two payloads: 2 instances labelled [1, 2] answered [1, 4] (one right, errors 0 and 2); one labelled [3]
        // answered [3]; an unlabelled one is not scored
        List<Payload> payloads = List.of(
                Payloads.parse("a", "{\"instances\": [[1], [2]], \"expected\": [1, 2]}"),
                Payloads.parse("b", "{\"instances\": [[3]], \"expected\": [3]}"),
                Payloads.parse("c", "{\"instances\": [[9]]}"));
        try (ScriptedHttpServer server = new ScriptedHttpServer((t, path, body) -> ScriptedHttpServer.Answer.ok(
                body.contains("[[1],[2]]") ? "{\"predictions\":[1,4]}" : "{\"predictions\":[3]}"))) {
            SmokeResult result = new SmokeTest()
                    .run(
                            server.url("/predict"),
                            payloads,
                            LoadProfile.constant(30, Duration.ofSeconds(1), Duration.ZERO),
                            SmokeThresholds.fromSlo(new io.jenkins.plugins.modeldeploy.model.Slo(30, 1000, 0.01), 30),
                            p -> {});

            assertThat(result.passed())
                    .as(result.verdict().reasons().toString())
                    .isTrue();
            LabelScore labels = result.labels();
            // 30 requests: 10 of each payload; a and b scored: 20 + 10 instances, 10 + 10 right
            assertThat(labels.instances()).isEqualTo(30);
            assertThat(labels.correct()).isEqualTo(20);
            assertThat(labels.numeric()).isEqualTo(30);
            assertThat(labels.mae()).isCloseTo(20.0 / 30, within(1e-9));
            assertThat(labels.rmse()).isCloseTo(Math.sqrt(40.0 / 30), within(1e-9));
            assertThat(labels.describe()).startsWith("accuracy 66.67% on 30 labelled instances, mae 0.6667");
            var json = SmokeReports.json(result).path("labelled");
            assertThat(json.path("accuracy").asDouble()).isCloseTo(2.0 / 3, within(1e-6));
            assertThat(json.path("instances").asLong()).isEqualTo(30);
            assertThat(json.path("rmse").asDouble()).isCloseTo(Math.sqrt(40.0 / 30), within(1e-6));
        }
    }
}
