package io.jenkins.plugins.modeldeploy.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code environment:} section: parsed as declared, every mistake reported naming its field. */
class ModelSpecEnvironmentTest {
    private static final String PYTHON = "name: toy\nruntime: python\nentrypoint: model:predict\n";
    private static final String R = "name: toy\nruntime: r\nentrypoint: model.R\n";

    @TempDir
    Path dir;

    private final ModelSpecLoader loader = new ModelSpecLoader();

    @BeforeEach
    void modelFiles() throws IOException {
        Files.writeString(dir.resolve("model.py"), "def predict(x): return x\n");
        Files.writeString(dir.resolve("model.R"), "predict <- function(df) 1\n");
    }

    @Test
    void withoutTheSectionTheEnvironmentIsNone() throws Exception {
        write(PYTHON);
        assertThat(loader.load(dir).environment()).isEqualTo(EnvironmentSpec.NONE);
    }

    @Test
    void readsAPythonEnvironment() throws Exception {
        Files.writeString(dir.resolve("requirements.txt"), "mdtoy==1.0\n");
        Files.createDirectories(dir.resolve("wheels"));
        write(PYTHON + """
                environment:
                  debian: [python3-pandas, libgomp1]
                  requirements: requirements.txt
                  wheelhouse: wheels
                  indexUrls: [https://pypi.org/simple, https://example.org/simple]
                  snapshot: "20261101T000000Z"
                """);
        EnvironmentSpec env = loader.load(dir).environment();
        assertThat(env.debian()).containsExactly("python3-pandas", "libgomp1");
        assertThat(env.requirements()).contains(Path.of("requirements.txt"));
        assertThat(env.wheelhouse()).contains(Path.of("wheels"));
        assertThat(env.indexUrls()).containsExactly("https://pypi.org/simple", "https://example.org/simple");
        assertThat(env.snapshot()).contains("20261101T000000Z");
        assertThat(env.inputs()).containsExactly(Path.of("requirements.txt"), Path.of("wheels"));
    }

    @Test
    void readsAnREnvironment() throws Exception {
        Files.createDirectories(dir.resolve("cran"));
        write(R + "environment:\n  debian: [r-cran-glue]\n  r: {packages: [glue, data.table], repository: cran}\n");
        EnvironmentSpec env = loader.load(dir).environment();
        assertThat(env.r())
                .contains(new EnvironmentSpec.RPackages(List.of("glue", "data.table"), Optional.empty(), "cran"));
        assertThat(env.inputs()).containsExactly(Path.of("cran"));
    }

    @Test
    void aMissingRequirementsFileIsNamed() throws Exception {
        write(PYTHON + "environment:\n  requirements: requirements.txt\n");
        assertThatThrownBy(() -> loader.load(dir))
                .hasMessageContaining("environment.requirements: requirements.txt not found in the model directory");
    }

    @Test
    void pathsMustStayInsideTheModelDirectory() throws Exception {
        write(PYTHON + "environment:\n  requirements: ../requirements.txt\n  wheelhouse: /tmp\n");
        assertThatThrownBy(() -> loader.load(dir))
                .hasMessageContaining("environment.requirements: must be inside the model directory")
                .hasMessageContaining("environment.wheelhouse: must be inside the model directory");
    }

    @Test
    void debianNamesFollowDebianPolicy() throws Exception {
        write(PYTHON + "environment:\n  debian: [python3-pandas, \"Bad_Name\", \"x; rm -rf /\"]\n");
        assertThatThrownBy(() -> loader.load(dir))
                .hasMessageContaining("environment.debian[1]: must be a Debian package name")
                .hasMessageContaining("environment.debian[2]: must be a Debian package name")
                .hasMessageNotContaining("environment.debian[0]");
    }

    @Test
    void eachSectionBelongsToItsRuntime() throws Exception {
        Files.writeString(dir.resolve("requirements.txt"), "x\n");
        write(R + "environment:\n  requirements: requirements.txt\n");
        assertThatThrownBy(() -> loader.load(dir))
                .hasMessageContaining("environment.requirements: is for runtime python");
        write(PYTHON + "environment:\n  r: {packages: [glue]}\n");
        assertThatThrownBy(() -> loader.load(dir)).hasMessageContaining("environment.r: is for runtime r");
    }

    @Test
    void unknownFieldsSnapshotsAndRChoicesAreChecked() throws Exception {
        write(R + "environment:\n  pip: [x]\n  snapshot: yesterday\n  r: {packages: [glue], lock: renv.lock}\n");
        assertThatThrownBy(() -> loader.load(dir))
                .hasMessageContaining("environment.pip: unknown field")
                .hasMessageContaining("environment.snapshot: must be a snapshot.debian.org timestamp")
                .hasMessageContaining("environment.r.lock: renv.lock not found in the model directory")
                .hasMessageContaining("environment.r: needs exactly one of packages (names) and lock");
    }

    @Test
    void environmentFilesAreNotPartOfTheCodeLayer() throws Exception {
        Files.writeString(dir.resolve("requirements.txt"), "mdtoy==1.0\n");
        Files.createDirectories(dir.resolve("wheels"));
        Files.writeString(dir.resolve("wheels/mdtoy-1.0-py3-none-any.whl"), "zip");
        write(PYTHON + "environment:\n  requirements: requirements.txt\n  wheelhouse: wheels\n");
        var plan = io.jenkins.plugins.modeldeploy.image.LayerPlan.of(loader.load(dir));
        assertThat(plan.code()).containsExactly(Path.of("model.R"), Path.of("model.py"), Path.of("model.yaml"));
    }

    private void write(String yaml) throws IOException {
        Files.writeString(dir.resolve("model.yaml"), yaml);
    }
}
