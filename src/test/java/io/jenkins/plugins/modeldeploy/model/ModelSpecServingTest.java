package io.jenkins.plugins.modeldeploy.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The per-model serving settings of model.yaml: scaling, resources, placement, secret references, load time. */
class ModelSpecServingTest {
    private static final String VALID = """
            name: m
            runtime: python
            entrypoint: model:predict
            """;

    @TempDir
    Path dir;

    private final ModelSpecLoader loader = new ModelSpecLoader();

    @BeforeEach
    void modelFiles() throws IOException {
        Files.writeString(dir.resolve("model.py"), "def predict(rows): return rows\n");
    }

    @Test
    void readsEverySettingWithQuantitiesInCanonicalForm() throws Exception {
        write(VALID + """
                resources:
                  requests: {cpu: 0.5, memory: 1024Mi}
                  limits: {cpu: 1000m, memory: 1.5Gi}
                  gpu: 1
                env:
                  LOG_LEVEL: info
                  API_TOKEN: {secretKeyRef: {name: m-secrets, key: api.token}}
                serving:
                  loadTimeout: 5m
                  scaling: {min: 3, max: 12, targetCPU: 60}
                  placement:
                    nodeSelector: {cloud.google.com/gke-accelerator: nvidia-l4, pool: gpu}
                    tolerations:
                      - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}
                      - {key: spot, value: "true", effect: NoExecute, tolerationSeconds: 30}
                """);
        ModelSpec spec = loader.load(dir);
        assertThat(spec.resources()).isEqualTo(new ResourceRequirements("500m", "1Gi", "1", "1536Mi", 1));
        assertThat(spec.env()).containsExactly(Map.entry("LOG_LEVEL", "info"));
        assertThat(spec.secretEnv())
                .containsExactly(Map.entry("API_TOKEN", new SecretKeyRef("m-secrets", "api.token")));
        Serving serving = spec.serving();
        assertThat(serving.loadTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(serving.scaling())
                .isEqualTo(new Scaling(OptionalInt.empty(), OptionalInt.of(3), OptionalInt.of(12), 60));
        assertThat(serving.placement().nodeSelector())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("cloud.google.com/gke-accelerator", "nvidia-l4", "pool", "gpu"));
        assertThat(serving.placement().tolerations())
                .containsExactly(
                        new Placement.Toleration("nvidia.com/gpu", "Exists", "", "NoSchedule", OptionalLong.empty()),
                        new Placement.Toleration("spot", "Equal", "true", "NoExecute", OptionalLong.of(30)));
    }

    @Test
    void defaultsLeaveTheClusterInCharge() throws Exception {
        write(VALID);
        Serving serving = loader.load(dir).serving();
        assertThat(serving.loadTimeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(serving.scaling()).isEqualTo(Scaling.DEFAULT);
        assertThat(serving.scaling().bounds(2, 10)).isEqualTo(new Scaling.Bounds(2, 10));
        assertThat(serving.scaling().targetCpuPercent()).isEqualTo(70);
        assertThat(serving.placement()).isEqualTo(Placement.DEFAULT);
        assertThat(loader.load(dir).secretEnv()).isEmpty();
    }

    @Test
    void aFixedCountAndDurationsInEveryForm() throws Exception {
        write(VALID + "serving:\n  scaling: {replicas: 3}\n  loadTimeout: 1m30s\n");
        ModelSpec spec = loader.load(dir);
        assertThat(spec.serving().scaling().isFixed()).isTrue();
        assertThat(spec.serving().scaling().replicas()).hasValue(3);
        assertThat(spec.serving().loadTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(loader.load(dir, List.of(SpecOverride.parse("serving.loadTimeout=45")))
                        .serving()
                        .loadTimeout())
                .isEqualTo(Duration.ofSeconds(45));
        assertThat(loader.load(dir, List.of(SpecOverride.parse("serving.loadTimeout=1h")))
                        .serving()
                        .loadTimeout())
                .isEqualTo(Duration.ofHours(1));
    }

    @Test
    void aBoundSetAloneCarriesTheClusterBoundAlong() {
        Scaling minOnly = new Scaling(OptionalInt.empty(), OptionalInt.of(12), OptionalInt.empty(), 70);
        assertThat(minOnly.bounds(2, 10)).isEqualTo(new Scaling.Bounds(12, 12));
        assertThat(minOnly.bounds(2, 20)).isEqualTo(new Scaling.Bounds(12, 20));
        Scaling maxOnly = new Scaling(OptionalInt.empty(), OptionalInt.empty(), OptionalInt.of(1), 70);
        assertThat(maxOnly.bounds(2, 10)).isEqualTo(new Scaling.Bounds(1, 1));
        assertThat(new Scaling(OptionalInt.empty(), OptionalInt.of(1), OptionalInt.of(4), 50).bounds(2, 10))
                .as("the model's bounds win over the cluster's")
                .isEqualTo(new Scaling.Bounds(1, 4));
    }

    @Test
    void canonicalQuantitiesMatchTheApiServer() {
        // Pairs from apimachinery's quantity.go comments and CanonicalizeBytes: input -> what the server stores.
        Map<String, String> canonical = Map.ofEntries(
                Map.entry("0.5", "500m"),
                Map.entry("1.5", "1500m"),
                Map.entry("1000m", "1"),
                Map.entry("250m", "250m"),
                Map.entry("2", "2"),
                Map.entry("2000", "2k"),
                Map.entry("1500", "1500"),
                Map.entry("0.1k", "100"),
                Map.entry("1024Mi", "1Gi"),
                Map.entry("1.5Gi", "1536Mi"),
                Map.entry("0.5Gi", "512Mi"),
                Map.entry("0.5Ki", "512"),
                Map.entry("1536Ki", "1536Ki"),
                Map.entry("2048", "2048"),
                Map.entry("1000M", "1G"));
        canonical.forEach((input, expected) ->
                assertThat(Quantities.canonical(input)).as(input).isEqualTo(expected));
        assertThat(Quantities.wholeMillis("0.0005")).isFalse();
        assertThatThrownBy(() -> Quantities.canonical("1e3")).isInstanceOf(IllegalArgumentException.class);
    }

    static Stream<Arguments> badSettings() {
        return Stream.of(
                Arguments.of(
                        "max below min",
                        "serving:\n  scaling: {min: 2, max: 1}\n",
                        "model.yaml: serving.scaling.max: must be ≥ min (2), was 1"),
                Arguments.of(
                        "replicas with autoscaling",
                        "serving:\n  scaling: {replicas: 2, max: 4}\n",
                        "model.yaml: serving.scaling.replicas: a fixed count has no autoscaler: remove max or replicas"),
                Arguments.of(
                        "zero replicas",
                        "serving:\n  scaling: {replicas: 0}\n",
                        "model.yaml: serving.scaling.replicas: must be between 1 and 1000, was 0"),
                Arguments.of(
                        "fractional min",
                        "serving:\n  scaling: {min: 1.5}\n",
                        "model.yaml: serving.scaling.min: must be a whole number of pods, was number 1.5"),
                Arguments.of(
                        "target above 100",
                        "serving:\n  scaling: {targetCPU: 150}\n",
                        "model.yaml: serving.scaling.targetCPU: must be between 1 and 100, was 150"),
                Arguments.of(
                        "unknown scaling field",
                        "serving:\n  scaling: {maximum: 3}\n",
                        "model.yaml: serving.scaling.maximum: unknown field (known: max, min, replicas, targetCPU)"),
                Arguments.of(
                        "cpu finer than millis",
                        "resources:\n  requests: {cpu: 0.0001}\n",
                        "model.yaml: resources.requests.cpu: must be a whole number of millicores (at least 1m), was 0.0001"),
                Arguments.of(
                        "fractional bytes",
                        "resources:\n  limits: {memory: 0.5}\n",
                        "model.yaml: resources.limits.memory: must be a whole number of bytes, was 0.5"),
                Arguments.of(
                        "cpu limit below request",
                        "resources:\n  requests: {cpu: 1}\n  limits: {cpu: 500m}\n",
                        "model.yaml: resources.limits.cpu: must be at least resources.requests.cpu (1), was 500m"),
                Arguments.of(
                        "bad quantity",
                        "resources:\n  limits: {cpu: one}\n",
                        "model.yaml: resources.limits.cpu: must be a Kubernetes quantity such as 500m or 2, was \"one\""),
                Arguments.of(
                        "fractional gpu",
                        "resources:\n  gpu: 0.5\n",
                        "model.yaml: resources.gpu: must be a whole number of GPUs, was number 0.5"),
                Arguments.of(
                        "reserved PYTHONPATH",
                        "env:\n  PYTHONPATH: /x\n",
                        "model.yaml: env.PYTHONPATH: is set by the image"),
                Arguments.of(
                        "reserved prefix for a secret too",
                        "env:\n  MODEL_DEPLOY_TOKEN: {secretKeyRef: {name: s, key: k}}\n",
                        "model.yaml: env.MODEL_DEPLOY_TOKEN: names starting with MODEL_DEPLOY_ are reserved"),
                Arguments.of(
                        "secret without key",
                        "env:\n  TOKEN: {secretKeyRef: {name: s}}\n",
                        "model.yaml: env.TOKEN.secretKeyRef.key: is required"),
                Arguments.of(
                        "secret name not DNS",
                        "env:\n  TOKEN: {secretKeyRef: {name: My_Secret, key: k}}\n",
                        "model.yaml: env.TOKEN.secretKeyRef.name: must be a Secret name"),
                Arguments.of(
                        "mapping that is no reference",
                        "env:\n  TOKEN: {value: x}\n",
                        "model.yaml: env.TOKEN.value: unknown field (known: secretKeyRef)"),
                Arguments.of(
                        "load timeout unit",
                        "serving:\n  loadTimeout: 2 minutes\n",
                        "model.yaml: serving.loadTimeout: must be a duration such as 90s, 2m or 1m30s"),
                Arguments.of(
                        "load timeout zero",
                        "serving:\n  loadTimeout: 0s\n",
                        "model.yaml: serving.loadTimeout: must be between 1s and 1h, was 0s"),
                Arguments.of(
                        "load timeout too long",
                        "serving:\n  loadTimeout: 2h\n",
                        "model.yaml: serving.loadTimeout: must be between 1s and 1h, was 2h"),
                Arguments.of(
                        "node selector value",
                        "serving:\n  placement:\n    nodeSelector: {pool: \"gpu nodes\"}\n",
                        "model.yaml: serving.placement.nodeSelector.pool: must be a label value"),
                Arguments.of(
                        "node selector key",
                        "serving:\n  placement:\n    nodeSelector: {\"-pool\": a}\n",
                        "model.yaml: serving.placement.nodeSelector.-pool: must be a label key"),
                Arguments.of(
                        "toleration operator",
                        "serving:\n  placement:\n    tolerations: [{key: a, operator: In}]\n",
                        "model.yaml: serving.placement.tolerations[0].operator: must be Equal or Exists, was \"In\""),
                Arguments.of(
                        "toleration effect",
                        "serving:\n  placement:\n    tolerations: [{key: a, effect: NoRun}]\n",
                        "model.yaml: serving.placement.tolerations[0].effect: must be NoSchedule, PreferNoSchedule or NoExecute"),
                Arguments.of(
                        "toleration without key",
                        "serving:\n  placement:\n    tolerations: [{value: a}]\n",
                        "model.yaml: serving.placement.tolerations[0].operator: must be Exists when key is empty"),
                Arguments.of(
                        "toleration Exists with value",
                        "serving:\n  placement:\n    tolerations: [{key: a, operator: Exists, value: b}]\n",
                        "model.yaml: serving.placement.tolerations[0].value: must be empty when operator is Exists"),
                Arguments.of(
                        "tolerationSeconds without NoExecute",
                        "serving:\n  placement:\n    tolerations: [{key: a, effect: NoSchedule, tolerationSeconds: 5}]\n",
                        "model.yaml: serving.placement.tolerations[0].tolerationSeconds: needs effect NoExecute"),
                Arguments.of(
                        "tolerations not a list",
                        "serving:\n  placement:\n    tolerations: {key: a}\n",
                        "model.yaml: serving.placement.tolerations: must be a list of tolerations, was a mapping"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSettings")
    void rejectsABadValueNamingTheField(String name, String yaml, String expected) throws IOException {
        write(VALID + yaml);
        assertThatThrownBy(() -> loader.load(dir))
                .isInstanceOfSatisfying(
                        InvalidModelSpecException.class,
                        e -> assertThat(e.problems())
                                .extracting(SpecProblem::toString)
                                .anySatisfy(p -> assertThat(p).startsWith(expected)));
    }

    @Test
    void anOverrideIsNamedAsTheSourceOfASettingsProblem() throws IOException {
        write(VALID + "serving:\n  scaling: {min: 4}\n");
        assertThatThrownBy(() -> loader.load(dir, List.of(SpecOverride.parse("serving.scaling.max=2"))))
                .isInstanceOfSatisfying(
                        InvalidModelSpecException.class,
                        e -> assertThat(e.problems())
                                .extracting(SpecProblem::toString)
                                .containsExactly(
                                        "--set serving.scaling.max: serving.scaling.max: must be ≥ min (4), was 2"));
    }

    @Test
    void aSecretReferenceHoldsNoValue() throws Exception {
        write(VALID + "env:\n  TOKEN: {secretKeyRef: {name: m-secrets, key: token}}\n");
        ModelSpec spec = loader.load(dir);
        assertThat(spec.env()).as("never part of the image's environment").doesNotContainKey("TOKEN");
        assertThat(spec.secretEnv().get("TOKEN")).hasToString("secret m-secrets/token");
    }

    private void write(String yaml) throws IOException {
        Files.writeString(dir.resolve("model.yaml"), yaml);
    }
}
