package io.jenkins.plugins.modeldeploy.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReleaseJsonTest {
    @Test
    void roundTripsEveryFieldIncludingEmptyOptionalsAndNanoseconds() throws Exception {
        ReleaseState state = new ReleaseState("iris", ReleaseState.Phase.PROMOTING, Optional.of("1"),
                Optional.empty(), Optional.of("0"), Map.of("1", 90, "2", 10), Map.of("1", 100),
                Map.of("2", "sha256:" + "b".repeat(64)),
                Instant.parse("2026-11-25T22:00:00.123456789Z"));

        String json = ReleaseJson.write(state);

        assertThat(json).startsWith("{\"schema\":\"model-deploy.release/v1\"").contains("\"challenger\":null");
        assertThat(ReleaseJson.read(json)).isEqualTo(state);
    }

    @Test
    void refusesWhatItDidNotWrite() {
        assertThatThrownBy(() -> ReleaseJson.read("{\"schema\":\"other/v9\"}"))
                .hasMessageContaining("schema is \"other/v9\"");
        assertThatThrownBy(() -> ReleaseJson.read("{\"schema\":\"model-deploy.release/v1\",\"model\":\"iris\"}"))
                .hasMessageContaining("\"phase\" is missing");
        assertThatThrownBy(() -> ReleaseJson.read("not json")).isInstanceOf(
                ReleaseJson.InvalidReleaseJsonException.class);
    }
}
