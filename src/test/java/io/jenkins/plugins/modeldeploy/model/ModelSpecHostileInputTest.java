package io.jenkins.plugins.modeldeploy.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * model.yaml and the files it names as a hostile or careless user writes them (issue #15, items 4 and 5): YAML
 * aliases and extra documents, oversize files, numbers out of any useful range, samples that contradict the
 * signature, files that cannot be parsed.
 */
class ModelSpecHostileInputTest {
    private static final String VALID = """
            name: iris
            runtime: python
            entrypoint: model:Classifier
            """;

    @TempDir
    Path dir;

    @TempDir
    Path outside;

    private final ModelSpecLoader loader = new ModelSpecLoader();

    @BeforeEach
    void modelFiles() throws IOException {
        Files.writeString(dir.resolve("model.py"), "class Classifier: pass\n");
        Files.createDirectories(dir.resolve("samples"));
        Files.writeString(dir.resolve("samples/one.json"), "{\"instances\": [[1, 2]]}");
    }

    private void write(String yaml) throws IOException {
        Files.writeString(dir.resolve("model.yaml"), yaml);
    }

    private InvalidModelSpecException invalid() {
        return catchThrowableOfType(InvalidModelSpecException.class, () -> loader.load(dir));
    }

    @Test
    void anAliasIsTheAnchorsValueNotItsName() throws Exception {
        write(VALID + "env:\n  THREADS: &t 4\n  OMP_NUM_THREADS: *t\n");
        assertThat(loader.load(dir).env()).containsEntry("OMP_NUM_THREADS", "4").containsEntry("THREADS", "4");
    }

    @Test
    void anAliasOfAMappingIsItsContent() throws Exception {
        write(VALID + "resources:\n  requests: &r {cpu: 500m, memory: 1Gi}\n  limits: *r\n");
        ModelSpec spec = loader.load(dir);
        assertThat(spec.resources().cpuLimit()).isEqualTo("500m");
        assertThat(spec.resources().memoryLimit()).isEqualTo("1Gi");
    }

    @Test
    void aMergeKeyAddsTheFieldsTheMappingDoesNotSet() throws Exception {
        write(VALID + "resources:\n  requests: &r {cpu: 500m, memory: 1Gi}\n  limits:\n    <<: *r\n    memory: 2Gi\n");
        ModelSpec spec = loader.load(dir);
        assertThat(spec.resources().cpuLimit()).isEqualTo("500m");
        assertThat(spec.resources().memoryLimit()).isEqualTo("2Gi");
    }

    @Test
    void anUndefinedAliasIsAnErrorWithItsPosition() throws Exception {
        write(VALID + "env:\n  OMP_NUM_THREADS: *t\n");
        assertThat(invalid().getMessage())
                .contains("model.yaml")
                .contains("line 5")
                .contains("alias");
    }

    @Test
    @Timeout(20)
    void aliasesThatMultiplyAreRefused() throws Exception {
        StringBuilder yaml = new StringBuilder(VALID + "description: &a0 \"lol\"\nx:\n");
        for (int i = 1; i <= 12; i++) {
            yaml.append("  l").append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 10; j++) {
                yaml.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
            }
            yaml.append("]\n");
        }
        write(yaml.toString());
        assertThat(invalid().getMessage()).contains("model.yaml").contains("alias");
    }

    @Test
    void aSecondDocumentIsRefusedNotIgnored() throws Exception {
        write(VALID + "---\nname: other\n");
        assertThat(invalid().getMessage()).contains("model.yaml").contains("more than one YAML document");
    }

    @Test
    @Timeout(10)
    void anOversizeFileIsRefusedBeforeItIsParsed() throws Exception {
        try (OutputStream out = Files.newOutputStream(dir.resolve("model.yaml"))) {
            out.write((VALID + "description: ").getBytes(StandardCharsets.UTF_8));
            byte[] chunk = "a".repeat(1 << 20).getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 50; i++) {
                out.write(chunk);
            }
            out.write('\n');
        }
        assertThat(invalid().getMessage()).contains("model.yaml").contains("larger than");
    }

    @Test
    void sloValuesOutsideAnyUsefulRangeAreRefused() throws Exception {
        write(VALID + "slo:\n  rps: 1e308\n  p99Ms: 1e-300\n  maxErrorRate: .nan\n");
        String message = invalid().getMessage();
        assertThat(message).contains("slo.rps").contains("slo.p99Ms").contains("slo.maxErrorRate");
        write(VALID + "slo:\n  rps: .inf\n  p99Ms: 1e308\n");
        assertThat(invalid().getMessage()).contains("slo.rps").contains("slo.p99Ms");
    }

    @Test
    void aDurationTooLargeForALongIsAProblemNotACrash() throws Exception {
        write(VALID + "serving:\n  loadTimeout: 99999999999999999999h\n");
        assertThat(invalid().getMessage()).contains("serving.loadTimeout");
    }

    @Test
    void servingTimeoutDefaultsTo30sAndIsRangeChecked() throws Exception {
        write(VALID);
        assertThat(loader.load(dir).serving().timeout()).isEqualTo(Duration.ofSeconds(30));
        write(VALID + "serving:\n  timeout: 2m\n");
        assertThat(loader.load(dir).serving().timeout()).isEqualTo(Duration.ofMinutes(2));
        write(VALID + "serving:\n  timeout: 0\n");
        assertThat(invalid().getMessage()).contains("serving.timeout");
        write(VALID + "serving:\n  timeout: 2h\n");
        assertThat(invalid().getMessage()).contains("serving.timeout");
    }

    @Test
    void aSampleThatContradictsTheSignatureIsRefused() throws Exception {
        write(VALID + "signature:\n  inputs:\n    - {name: a, type: number}\n    - {name: b, type: number}\n");
        assertThat(loader.load(dir).samples()).hasSize(1);
        Files.writeString(dir.resolve("samples/bad.json"), "{\"instances\": [[1, \"two\"], [1]]}");
        String message = invalid().getMessage();
        assertThat(message).contains("samples/bad.json").contains("instances[0][1] (b): expected number");
        write(VALID + "signature:\n  format: object\n  inputs:\n    - {name: a, type: integer}\n");
        Files.delete(dir.resolve("samples/bad.json"));
        Files.writeString(dir.resolve("samples/one.json"), "{\"instances\": [{\"a\": 1.5}, {\"b\": 1}]}");
        assertThat(invalid().getMessage()).contains("samples/one.json").contains("instances[0].a: expected integer");
    }

    @Test
    void aSampleLargerThanMaxBodyBytesIsRefused() throws Exception {
        Files.writeString(dir.resolve("samples/one.json"), "{\"instances\": [[1, 2]]}" + " ".repeat(2000));
        write(VALID + "serving:\n  maxBodyBytes: 1Ki\n");
        assertThat(invalid().getMessage())
                .contains("samples/one.json")
                .contains("serving.maxBodyBytes")
                .contains("1024");
    }

    @Test
    void aSampleThatIsNotJsonIsReportedByPositionWithoutItsContent() throws Exception {
        Files.writeString(dir.resolve("samples/one.json"), "root:x:0:0:root:/root:/bin/bash\n");
        write(VALID);
        String message = invalid().getMessage();
        assertThat(message).contains("samples/one.json").contains("line 1");
        assertThat(message).doesNotContain("root").doesNotContain("bash");
    }

    @Test
    void aYamlSyntaxErrorDoesNotQuoteTheFile() throws Exception {
        write(VALID + "description: \"secret-token-value\n");
        String message = invalid().getMessage();
        assertThat(message).contains("model.yaml").contains("line");
        assertThat(message).doesNotContain("secret-token-value");
    }

    @Test
    void anEntrypointModuleLinkedOutsideIsRefusedNamingIt() throws Exception {
        Files.delete(dir.resolve("model.py"));
        Files.writeString(outside.resolve("elsewhere.py"), "class Classifier: pass\n");
        Files.createSymbolicLink(dir.resolve("model.py"), outside.resolve("elsewhere.py"));
        write(VALID);
        assertThat(invalid().getMessage()).contains("model.py").contains("outside the model directory");
    }

    @Test
    void aSampleLinkedToASystemFileIsRefusedWithoutItsContent() throws Exception {
        Files.writeString(outside.resolve("passwd"), "root:x:0:0:root:/root:/bin/bash\n");
        Files.createSymbolicLink(dir.resolve("samples/two.json"), outside.resolve("passwd"));
        write(VALID);
        String message = invalid().getMessage();
        assertThat(message).contains("samples/two.json").contains("outside the model directory");
        assertThat(message).doesNotContain("root:x").doesNotContain("bash");
    }

    @Test
    void kubernetesNamesAreCheckedNamingTheirSource() {
        assertThat(KubernetesNames.namespaceProblem("Bad_NS!")).isPresent();
        assertThat(KubernetesNames.namespaceProblem("models")).isEmpty();
        assertThat(KubernetesNames.namespaceProblem("a".repeat(64))).isPresent();
        assertThatThrownBy(() -> KubernetesNames.requireNamespace("--namespace", "Bad_NS!"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--namespace")
                .hasMessageContaining("Bad_NS!");
    }
}
