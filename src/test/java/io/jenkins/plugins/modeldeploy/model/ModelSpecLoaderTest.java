package io.jenkins.plugins.modeldeploy.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ModelSpecLoaderTest {
    private static final String VALID = """
            name: iris
            runtime: python
            entrypoint: model:Classifier
            """;

    @TempDir
    Path dir;

    private final ModelSpecLoader loader = new ModelSpecLoader();

    @BeforeEach
    void modelFiles() throws IOException {
        Files.writeString(dir.resolve("model.py"), "class Classifier: pass\n");
        Files.writeString(dir.resolve("model.R"), "predict <- function(df) 1\n");
        Files.createDirectories(dir.resolve("samples"));
        Files.writeString(dir.resolve("samples/one.json"), "{\"instances\": [[1, 2]]}");
    }

    @Test
    void loadsTheExamplesWithTheirValues() throws Exception {
        ModelSpec iris = loader.load(Path.of("examples/iris-python"));
        assertThat(iris.name()).isEqualTo("iris");
        assertThat(iris.runtime()).isEqualTo(ModelRuntime.PYTHON);
        assertThat(iris.entrypoint()).isEqualTo("model:IrisClassifier");
        assertThat(iris.samples())
                .extracting(Path::toString)
                .containsExactly(
                        "samples/batch.json",
                        "samples/setosa.json",
                        "samples/versicolor.json",
                        "samples/virginica.json");
        assertThat(iris.slo()).isEqualTo(new Slo(100, 50, 0.01));
        assertThat(iris.signature().orElseThrow().inputs()).hasSize(4);
        assertThat(iris.serving().workers()).isEqualTo(Serving.AUTO_WORKERS);
        assertThat(iris.resources()).isEqualTo(new ResourceRequirements("250m", "256Mi", "1", "512Mi"));
        ModelSpec mtcars = loader.load(Path.of("examples/mtcars-r"));
        assertThat(mtcars.runtime()).isEqualTo(ModelRuntime.R);
        assertThat(mtcars.signature().orElseThrow().format()).isEqualTo(Signature.Format.OBJECT);
    }

    @Test
    void appliesDefaultsToAMinimalSpec() throws Exception {
        write(VALID);
        ModelSpec spec = loader.load(dir);
        assertThat(spec.slo()).isEqualTo(Slo.DEFAULT);
        assertThat(spec.serving()).isEqualTo(Serving.DEFAULT);
        assertThat(spec.include()).isEqualTo(ModelSpecLoader.DEFAULT_INCLUDE);
        assertThat(spec.samples()).containsExactly(Path.of("samples/one.json"));
        assertThat(spec.signature()).isEqualTo(Optional.empty());
        assertThat(spec.env()).isEmpty();
        assertThat(spec.directory()).isEqualTo(dir.toAbsolutePath().normalize());
    }

    @Test
    void aModelMayTuneTheHarnessPreloadAndWorkerMemoryButNoOtherHarnessVariable() throws Exception {
        write(VALID + "env:\n  MODEL_DEPLOY_PRELOAD: \"0\"\n  MODEL_DEPLOY_WORKER_MEMORY: 600Mi\n");
        assertThat(loader.load(dir).env())
                .containsEntry("MODEL_DEPLOY_PRELOAD", "0")
                .containsEntry("MODEL_DEPLOY_WORKER_MEMORY", "600Mi");

        write(VALID + "env:\n  MODEL_DEPLOY_WORKERS: 9\n");
        assertThatThrownBy(() -> loader.load(dir))
                .hasMessageContaining("env.MODEL_DEPLOY_WORKERS: names starting with MODEL_DEPLOY_ are reserved for the"
                        + " harness (a model may set only MODEL_DEPLOY_PRELOAD and MODEL_DEPLOY_WORKER_MEMORY)");
    }

    @Test
    void optionsOverrideFileValuesAndAreNamedInErrors() throws Exception {
        write(VALID + "slo:\n  p99Ms: 50\n");
        ModelSpec spec = loader.load(
                dir,
                List.of(
                        SpecOverride.parse("slo.p99Ms=20"),
                        SpecOverride.parse("env.LOG_LEVEL=debug"),
                        new SpecOverride("serving.workers", "3", "--workers")));
        assertThat(spec.slo().p99Ms()).isEqualTo(20);
        assertThat(spec.env()).containsEntry("LOG_LEVEL", "debug");
        assertThat(spec.serving().workers()).isEqualTo(3);

        assertThatThrownBy(() -> loader.load(
                        dir,
                        List.of(
                                SpecOverride.parse("slo.p99Ms=-1"),
                                new SpecOverride("serving.workers", "many", "--workers"))))
                .isInstanceOfSatisfying(
                        InvalidModelSpecException.class,
                        e -> assertThat(e.problems())
                                .extracting(SpecProblem::toString)
                                .containsExactly(
                                        "--set slo.p99Ms: slo.p99Ms: must be between 0.01 and 3600000 ms, was -1",
                                        "--workers: serving.workers: must be an integer or auto, was string \"many\""));
        assertThatThrownBy(() -> SpecOverride.parse("slo.p99Ms"))
                .hasMessage("--set expects FIELD=VALUE (e.g. slo.p99Ms=20), was slo.p99Ms");
    }

    @Test
    void reportsEveryProblemAtOnce() throws IOException {
        write("""
                name: Iris_Model
                runtime: julia
                slo:
                  p99Ms: -5
                  rps: 0
                colour: blue
                """);
        assertThatThrownBy(() -> loader.load(dir))
                .isInstanceOfSatisfying(
                        InvalidModelSpecException.class,
                        e -> assertThat(e.problems())
                                .extracting(SpecProblem::toString)
                                .containsExactly(
                                        "model.yaml: colour: unknown field (known: abTest, data, dependencies, description, entrypoint, env,"
                                                + " environment, exclude, include, name, resources, route, runtime, samples, serving, signature,"
                                                + " slo)",
                                        "model.yaml: name: must be a DNS-1123 label starting with a letter (lower-case letters,"
                                                + " digits and '-', ending with a letter or digit), was \"Iris_Model\"",
                                        "model.yaml: runtime: must be python or r, was \"julia\"",
                                        "model.yaml: entrypoint: is required",
                                        "model.yaml: slo.rps: must be between 0.01 and 1000000 requests/s, was 0",
                                        "model.yaml: slo.p99Ms: must be between 0.01 and 3600000 ms, was -5"))
                .hasMessageStartingWith(
                        "invalid model in " + dir.toAbsolutePath().normalize() + " (6 problems): ");
    }

    static Stream<Arguments> badSpecs() {
        return Stream.of(
                Arguments.of(
                        "name too long",
                        "name: " + "a".repeat(64) + "\nruntime: python\nentrypoint: model:C\n",
                        "model.yaml: name: must be at most 63 characters, was 64"),
                Arguments.of(
                        "name starts with digit",
                        "name: 3d\nruntime: python\nentrypoint: model:C\n",
                        "model.yaml: name: must be a DNS-1123 label starting with a letter (lower-case letters,"
                                + " digits and '-', ending with a letter or digit), was \"3d\""),
                Arguments.of(
                        "name not a string",
                        "name: [a]\nruntime: python\nentrypoint: model:C\n",
                        "model.yaml: name: must be a string, was a list"),
                Arguments.of(
                        "python entrypoint form",
                        "name: m\nruntime: python\nentrypoint: model.py\n",
                        "model.yaml: entrypoint: must be module:function or module:Class for the python runtime,"
                                + " was \"model.py\""),
                Arguments.of(
                        "python module missing",
                        "name: m\nruntime: python\nentrypoint: serve:predict\n",
                        "model.yaml: entrypoint: module serve not found: no serve.py in DIR"),
                Arguments.of(
                        "r entrypoint form",
                        "name: m\nruntime: r\nentrypoint: model:predict\n",
                        "model.yaml: entrypoint: must be FILE.R or FILE.R:function for the r runtime, was"
                                + " \"model:predict\""),
                Arguments.of(
                        "r file missing",
                        "name: m\nruntime: r\nentrypoint: other.R\n",
                        "model.yaml: entrypoint: file other.R not found in DIR"),
                Arguments.of(
                        "r file outside",
                        "name: m\nruntime: r\nentrypoint: ../model.R\n",
                        "model.yaml: entrypoint: file ../model.R is outside the model directory"),
                Arguments.of(
                        "max error rate above 1",
                        "name: m\nruntime: r\nentrypoint: model.R\nslo:\n" + "  maxErrorRate: 1.5\n",
                        "model.yaml: slo.maxErrorRate: must be between 0 and 1, was 1.5"),
                Arguments.of(
                        "slo value not a number",
                        "name: m\nruntime: r\nentrypoint: model.R\nslo:\n" + "  p99Ms: fast\n",
                        "model.yaml: slo.p99Ms: must be a number, was string \"fast\""),
                Arguments.of(
                        "slo unknown field",
                        "name: m\nruntime: r\nentrypoint: model.R\nslo:\n  p95Ms: 3\n",
                        "model.yaml: slo.p95Ms: unknown field (known: maxErrorRate, p99Ms, rps)"),
                Arguments.of(
                        "bad quantity",
                        "name: m\nruntime: r\nentrypoint: model.R\nresources:\n  requests:\n" + "    memory: lots\n",
                        "model.yaml: resources.requests.memory: must be a Kubernetes quantity"
                                + " such as 512Mi or 1Gi, was \"lots\""),
                Arguments.of(
                        "limit below request",
                        "name: m\nruntime: r\nentrypoint: model.R\nresources:\n"
                                + "  requests: {memory: 1Gi}\n  limits: {memory: 512Mi}\n",
                        "model.yaml:"
                                + " resources.limits.memory: must be at least resources.requests.memory (1Gi), was 512Mi"),
                Arguments.of(
                        "env reserved name",
                        "name: m\nruntime: r\nentrypoint: model.R\nenv:\n" + "  MODEL_DEPLOY_PORT: 1\n",
                        "model.yaml: env.MODEL_DEPLOY_PORT: names starting with"
                                + " MODEL_DEPLOY_ are reserved for the harness"),
                Arguments.of(
                        "env invalid name",
                        "name: m\nruntime: r\nentrypoint: model.R\nenv:\n  2X: a\n",
                        "model.yaml: env.2X: is not a valid environment variable name"),
                Arguments.of(
                        "env nested value",
                        "name: m\nruntime: r\nentrypoint: model.R\nenv:\n  A: [1]\n",
                        "model.yaml: env.A: must be a string, number, boolean or {secretKeyRef: {name, key}}, was a list"),
                Arguments.of(
                        "workers out of range",
                        "name: m\nruntime: r\nentrypoint: model.R\nserving:\n" + "  workers: 0\n",
                        "model.yaml: serving.workers: must be between 1 and 64, was 0"),
                Arguments.of(
                        "body limit too large",
                        "name: m\nruntime: r\nentrypoint: model.R\nserving:\n" + "  maxBodyBytes: 2Gi\n",
                        "model.yaml: serving.maxBodyBytes: must be between 1 and" + " 1073741824 bytes, was 2Gi"),
                Arguments.of(
                        "signature type",
                        "name: m\nruntime: r\nentrypoint: model.R\nsignature:\n  inputs:\n"
                                + "    - {name: a, type: float}\n",
                        "model.yaml: signature.inputs[0].type: must be number,"
                                + " integer, string or boolean, was string \"float\""),
                Arguments.of(
                        "signature duplicate",
                        "name: m\nruntime: r\nentrypoint: model.R\nsignature:\n"
                                + "  inputs:\n    - {name: a, type: number}\n    - {name: a, type: number}\n",
                        "model.yaml: signature.inputs[1].name: duplicate input name \"a\""),
                Arguments.of(
                        "invalid glob",
                        "name: m\nruntime: r\nentrypoint: model.R\ninclude: ['[a']\n",
                        "model.yaml: include[0]: invalid glob \"[a\": Missing ']"),
                Arguments.of(
                        "absolute glob",
                        "name: m\nruntime: r\nentrypoint: model.R\nexclude: [/etc/**]\n",
                        "model.yaml: exclude[0]: must be relative to the model directory, was \"/etc/**\""),
                Arguments.of(
                        "sample matches nothing",
                        "name: m\nruntime: r\nentrypoint: model.R\n" + "samples: [requests/*.json]\n",
                        "model.yaml: samples[0]: no file matches" + " \"requests/*.json\""),
                Arguments.of("not a mapping", "- a\n- b\n", "model.yaml: must be a mapping of fields, was a list"),
                Arguments.of("empty file", "", "model.yaml: file is empty"),
                Arguments.of(
                        "duplicate key",
                        "name: a\nname: b\n",
                        "model.yaml: line 2, column 1: Duplicate field" + " 'name'"),
                Arguments.of(
                        "YAML syntax",
                        "name: [a\n",
                        "model.yaml: line 2, column 1: expected ',' or ']', but got"
                                + " <stream end> (while parsing a flow sequence)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSpecs")
    void namesTheFieldAndTheReason(String name, String yaml, String expected) throws IOException {
        write(yaml);
        String problem =
                expected.replace("DIR", dir.toAbsolutePath().normalize().toString());
        assertThatThrownBy(() -> loader.load(dir))
                .isInstanceOfSatisfying(
                        InvalidModelSpecException.class,
                        e -> assertThat(e.problems())
                                .extracting(SpecProblem::toString)
                                .anySatisfy(p -> assertThat(p).startsWith(problem)));
    }

    @Test
    void rejectsMalformedSamplesNamingTheFile() throws IOException {
        write(VALID);
        Files.writeString(dir.resolve("samples/bad.json"), "{\"instances\": [1,");
        Files.writeString(dir.resolve("samples/shape.json"), "{\"rows\": []}");
        assertThatThrownBy(() -> loader.load(dir))
                .isInstanceOfSatisfying(
                        InvalidModelSpecException.class,
                        e -> assertThat(e.problems())
                                .extracting(SpecProblem::toString)
                                .containsExactly(
                                        // position only: the content of a file that is not JSON is never quoted
                                        "model.yaml: samples[0]: samples/bad.json: malformed JSON at line 1, column 18",
                                        "model.yaml: samples[0]: samples/shape.json: must be a JSON object with an"
                                                + " \"instances\" array"));
    }

    @Test
    void reportsAMissingDirectoryOrFile() {
        assertThatThrownBy(() -> loader.load(dir.resolve("nope")))
                .hasMessage("invalid model in " + dir.resolve("nope") + ": " + dir.resolve("nope")
                        + ": model directory does not exist");
        assertThatThrownBy(() -> loader.load(dir))
                .hasMessage("invalid model in " + dir + ": model.yaml: file not found in " + dir);
    }

    @Test
    void versionsMustNameKubernetesObjects() throws Exception {
        write(VALID);
        ModelSpec spec = loader.load(dir);
        assertThat(ModelVersion.of(spec, "42", "--version").id()).isEqualTo("iris-42");
        assertThatThrownBy(() -> ModelVersion.of(spec, "1.2.0", "--version"))
                .hasMessageEndingWith("--version: must be lower-case letters, digits and '-', starting and ending with"
                        + " a letter or digit (it names Kubernetes objects; write 1-2-0 rather than 1.2.0), was"
                        + " \"1.2.0\"");
        assertThatThrownBy(() -> ModelVersion.of(spec, "v".repeat(60), "--version"))
                .hasMessageContaining("longer than 63 characters");
    }

    private void write(String yaml) throws IOException {
        Files.writeString(dir.resolve("model.yaml"), yaml);
    }
}
