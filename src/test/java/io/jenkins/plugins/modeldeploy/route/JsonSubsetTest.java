package io.jenkins.plugins.modeldeploy.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonSubsetTest {
    @Test
    void serverDefaultsAndForeignKeysAreNotADifference() {
        Map<String, Object> desired = Map.of("containers", List.of(Map.of("name", "model", "image", "a")));
        Map<String, Object> live = Map.of(
                "containers",
                List.of(Map.of("name", "model", "image", "a", "terminationMessagePath", "/dev/termination-log")),
                "dnsPolicy",
                "ClusterFirst");
        assertThat(JsonSubset.contains(live, desired)).isTrue();
    }

    @Test
    void changedValuesAndListLengthsAre() {
        Map<String, Object> desired = Map.of("ports", List.of(Map.of("port", 80)));
        assertThat(JsonSubset.contains(Map.of("ports", List.of(Map.of("port", 81))), desired))
                .isFalse();
        assertThat(JsonSubset.contains(Map.of("ports", List.of(Map.of("port", 80), Map.of("port", 81))), desired))
                .isFalse();
        assertThat(JsonSubset.contains(Map.of(), desired)).isFalse();
        assertThat(JsonSubset.contains(Map.of("ports", List.of(Map.of("port", 80L))), desired))
                .as("an Integer and a Long of the same value")
                .isTrue();
    }
}
