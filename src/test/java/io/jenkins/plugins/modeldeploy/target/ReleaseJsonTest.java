package io.jenkins.plugins.modeldeploy.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.modeldeploy.abtest.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

public class ReleaseJsonTest {
    /** A deployment of {@code version} in progress, as tests store it. */
    public static ReleaseState.Run run(String version) {
        return new ReleaseState.Run(
                version,
                Optional.of("sha256:" + "b".repeat(64)),
                Optional.of("1"),
                "test",
                Instant.parse("2026-11-25T21:00:00Z"),
                Duration.ofHours(1),
                RetireMode.REMOVE,
                Optional.empty(),
                List.of(),
                Optional.empty(),
                "");
    }

    @Test
    void roundTripsEveryFieldIncludingHistoryEmptyOptionalsAndNanoseconds() throws Exception {
        Instant at = Instant.parse("2026-11-25T22:00:00.123456789Z");
        ReleaseState state = ReleaseState.empty("iris", at)
                .withProduction(Optional.of("1"), at)
                .withWeights(Map.of("1", 90, "2", 10), at)
                .withDigest("2", "sha256:" + "b".repeat(64), at)
                .keeping("0", Optional.of(at.plusSeconds(3600)), at)
                .withHistory(
                        new ReleaseState.HistoryEntry(
                                at,
                                ReleaseState.Action.DEPLOY,
                                "1",
                                Optional.of(Outcome.PROMOTED),
                                Optional.empty(),
                                Optional.of("1"),
                                Optional.empty(),
                                "alice",
                                "first release"),
                        at)
                .inPhase(
                        ReleaseState.Phase.AWAITING_APPROVAL,
                        run("2").withVerdict(Verdict.PROMOTE, List.of("error rate not worse")),
                        at);

        String json = ReleaseJson.write(state);

        assertThat(json).startsWith("{\"schema\":\"model-deploy.release/v2\"").contains("\"keepPrevious\":\"PT1H\"");
        assertThat(ReleaseJson.read(json)).isEqualTo(state);
    }

    @Test
    void readsTheFirstSchemaIntoTheLifecycleForm() throws Exception {
        ReleaseState promoted = ReleaseJson.read("{\"schema\":\"model-deploy.release/v1\",\"model\":\"iris\","
                + "\"phase\":\"PROMOTED\",\"production\":\"2\",\"challenger\":null,\"previous\":\"1\","
                + "\"weights\":{\"2\":100},\"previousWeights\":{\"1\":100},\"digests\":{\"2\":\"sha256:22\"},"
                + "\"updated\":\"2026-11-25T22:00:00Z\"}");
        assertThat(promoted.phase()).isEqualTo(ReleaseState.Phase.STABLE);
        assertThat(promoted.production()).contains("2");
        assertThat(promoted.keepUntil()).containsEntry("1", Instant.parse("2026-11-25T23:00:00Z"));

        ReleaseState experiment = ReleaseJson.read("{\"schema\":\"model-deploy.release/v1\",\"model\":\"iris\","
                + "\"phase\":\"EXPERIMENT\",\"production\":\"1\",\"challenger\":\"2\",\"weights\":{\"1\":90,"
                + "\"2\":10},\"digests\":{},\"updated\":\"2026-11-25T22:00:00Z\"}");
        assertThat(experiment.phase()).isEqualTo(ReleaseState.Phase.EXPERIMENT);
        assertThat(experiment.challenger()).contains("2");
        assertThat(experiment.run().orElseThrow().from()).contains("1");
    }

    @Test
    void refusesWhatItDidNotWrite() {
        assertThatThrownBy(() -> ReleaseJson.read("{\"schema\":\"other/v9\"}"))
                .hasMessageContaining("schema is \"other/v9\"");
        assertThatThrownBy(() -> ReleaseJson.read("{\"schema\":\"model-deploy.release/v2\",\"model\":\"iris\"}"))
                .hasMessageContaining("\"phase\" is missing");
        assertThatThrownBy(() -> ReleaseJson.read("{\"schema\":\"model-deploy.release/v2\",\"model\":\"iris\","
                        + "\"phase\":\"EXPERIMENT\",\"updated\":\"2026-11-25T22:00:00Z\",\"weights\":{},\"digests\":{},"
                        + "\"keepUntil\":{},\"history\":[]}"))
                .hasMessageContaining("needs the run");
        assertThatThrownBy(() -> ReleaseJson.read("not json"))
                .isInstanceOf(ReleaseJson.InvalidReleaseJsonException.class);
    }
}
