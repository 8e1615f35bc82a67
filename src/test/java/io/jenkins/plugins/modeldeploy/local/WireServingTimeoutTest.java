package io.jenkins.plugins.modeldeploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.modeldeploy.model.ModelSpec;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.Serving;
import io.jenkins.plugins.modeldeploy.model.SpecOverride;
import io.jenkins.plugins.modeldeploy.testing.TestModels;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** serving.timeout reaches the local daemon's harness: it travels in the spec the CLI sends the daemon. */
class WireServingTimeoutTest {
    @Test
    void theTimeoutSurvivesTheTripAndDefaultsWhenAbsent() throws Exception {
        ModelSpec spec = new ModelSpecLoader()
                .load(
                        TestModels.examplesRoot().resolve("iris-python"),
                        List.of(new SpecOverride("serving.timeout", "45s", "--set serving.timeout")));
        assertThat(Wire.spec(Wire.spec(spec)).serving().timeout()).isEqualTo(Duration.ofSeconds(45));
        var node = Wire.spec(spec);
        ((com.fasterxml.jackson.databind.node.ObjectNode) node.get("serving")).remove("timeoutSeconds");
        assertThat(Wire.spec(node).serving().timeout()).isEqualTo(Serving.DEFAULT_TIMEOUT);
    }
}
