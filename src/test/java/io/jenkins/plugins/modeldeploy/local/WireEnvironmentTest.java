package io.jenkins.plugins.modeldeploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.modeldeploy.model.EnvironmentSpec;
import io.jenkins.plugins.modeldeploy.model.ModelSpec;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon resolves the environment the caller declared: it travels in the spec, unchanged. */
class WireEnvironmentTest {
    @TempDir
    Path dir;

    @Test
    void theEnvironmentSurvivesTheTrip() throws Exception {
        Files.writeString(dir.resolve("model.py"), "def predict(x): return x\n");
        Files.writeString(dir.resolve("requirements.txt"), "mdtoy==1.0\n");
        Files.createDirectories(dir.resolve("wheels"));
        Files.writeString(dir.resolve("model.yaml"), """
                name: toy
                runtime: python
                entrypoint: model:predict
                environment:
                  debian: [python3-pandas]
                  requirements: requirements.txt
                  wheelhouse: wheels
                  indexUrls: [https://pypi.org/simple]
                  snapshot: "20261101T000000Z"
                """);
        ModelSpec spec = new ModelSpecLoader().load(dir);
        assertThat(Wire.spec(Wire.spec(spec)).environment()).isEqualTo(spec.environment());
        assertThat(LocalDaemon.onDirectory(
                                new io.jenkins.plugins.modeldeploy.target.RolloutRequest(
                                        new io.jenkins.plugins.modeldeploy.model.ModelVersion(spec, "1"),
                                        Optional.empty(),
                                        java.util.Map.of(),
                                        java.time.Duration.ofSeconds(1),
                                        Optional.empty()),
                                dir)
                        .version()
                        .spec()
                        .environment())
                .isEqualTo(spec.environment());
        EnvironmentSpec r = new EnvironmentSpec(
                List.of(),
                Optional.empty(),
                Optional.empty(),
                List.of(),
                Optional.of(new EnvironmentSpec.RPackages(List.of("glue"), Optional.of(Path.of("renv.lock")), "cran")),
                Optional.empty());
        assertThat(Wire.environment(Wire.environment(r))).isEqualTo(r);
        assertThat(Wire.environment(Wire.environment(EnvironmentSpec.NONE))).isEqualTo(EnvironmentSpec.NONE);
    }
}
