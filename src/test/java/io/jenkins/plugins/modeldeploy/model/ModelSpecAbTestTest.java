package io.jenkins.plugins.modeldeploy.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** model.yaml's {@code abTest:} section: gated quality metrics and labelled request files. */
class ModelSpecAbTestTest {
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
        Files.createDirectories(dir.resolve("samples"));
        Files.writeString(dir.resolve("samples/one.json"), "{\"instances\": [[1, 2]]}");
        Files.createDirectories(dir.resolve("labelled"));
        Files.writeString(
                dir.resolve("labelled/test.jsonl"),
                "{\"instances\": [[1, 2], [3, 4]], \"expected\": [\"a\", \"b\"]}\n\n"
                        + "{\"instances\": [[5, 6]], \"expected\": [\"c\"]}\n");
        Files.writeString(dir.resolve("labelled/one.json"), "{\"instances\": [[1, 2]], \"expected\": [0]}");
    }

    @Test
    void withoutTheSectionThereIsNothingToGate() throws Exception {
        Files.writeString(dir.resolve("model.yaml"), VALID);
        assertThat(loader.load(dir).abTest()).isEqualTo(AbTestSpec.NONE);
    }

    @Test
    void readsBuiltInAndCustomMetricsAndLabelledFiles() throws Exception {
        Files.writeString(dir.resolve("model.yaml"), VALID + """
                abTest:
                  metrics:
                    - {name: accuracy, margin: 0.02, gate: non-inferior}
                    - reward
                    - name: latency-score
                      kind: mean
                      direction: lower
                      count: sum(score_count{version="{{variant}}"})
                      sum: sum(score_sum{version="{{variant}}"})
                      squares: sum(score_squares{version="{{variant}}"})
                      margin: 0.5
                    - {name: clicks, kind: proportion, direction: higher, gate: superior,
                       count: 'sum(shown{v="{{variant}}"})', sum: 'sum(clicked{v="{{variant}}"})'}
                  labelled: [labelled/test.jsonl, ./labelled/one.json]
                """.replace("- reward", "- {name: reward, margin: 0.1}"));
        AbTestSpec abTest = loader.load(dir).abTest();
        assertThat(abTest.labelled()).containsExactly(Path.of("labelled/test.jsonl"), Path.of("labelled/one.json"));
        assertThat(abTest.metrics())
                .containsExactly(
                        new AbTestSpec.Metric(
                                "accuracy",
                                OptionalDouble.of(0.02),
                                AbTestSpec.Gate.NON_INFERIOR,
                                Optional.empty(),
                                Optional.empty(),
                                Optional.empty(),
                                Optional.empty(),
                                Optional.empty()),
                        new AbTestSpec.Metric(
                                "reward",
                                OptionalDouble.of(0.1),
                                AbTestSpec.Gate.NON_INFERIOR,
                                Optional.empty(),
                                Optional.empty(),
                                Optional.empty(),
                                Optional.empty(),
                                Optional.empty()),
                        new AbTestSpec.Metric(
                                "latency-score",
                                OptionalDouble.of(0.5),
                                AbTestSpec.Gate.NON_INFERIOR,
                                Optional.of(AbTestSpec.Kind.MEAN),
                                Optional.of(AbTestSpec.Direction.LOWER),
                                Optional.of("sum(score_count{version=\"{{variant}}\"})"),
                                Optional.of("sum(score_sum{version=\"{{variant}}\"})"),
                                Optional.of("sum(score_squares{version=\"{{variant}}\"})")),
                        new AbTestSpec.Metric(
                                "clicks",
                                OptionalDouble.empty(),
                                AbTestSpec.Gate.SUPERIOR,
                                Optional.of(AbTestSpec.Kind.PROPORTION),
                                Optional.of(AbTestSpec.Direction.HIGHER),
                                Optional.of("sum(shown{v=\"{{variant}}\"})"),
                                Optional.of("sum(clicked{v=\"{{variant}}\"})"),
                                Optional.empty()));
    }

    @Test
    void accuracyAloneTakesItsDefaultMargin() throws Exception {
        Files.writeString(dir.resolve("model.yaml"), VALID + "abTest:\n  metrics: [accuracy]\n");
        AbTestSpec.Metric accuracy = loader.load(dir).abTest().metrics().get(0);
        assertThat(accuracy.name()).isEqualTo("accuracy");
        assertThat(accuracy.margin()).isEmpty();
        assertThat(accuracy.builtIn()).isTrue();
    }

    @Test
    void namesTheFieldOfEveryBadMetric() throws IOException {
        Files.writeString(dir.resolve("model.yaml"), VALID + """
                abTest:
                  metrics:
                    - {name: precision}
                    - {name: mae}
                    - {name: accuracy, margin: 1.5}
                    - {name: accuracy, gate: better}
                    - {name: mine, kind: mean, direction: lower, count: 'c{v="x"}', sum: 's{v="{{variant}}"}', margin: 1}
                    - {name: rate, kind: ratio, direction: up, count: 'c{v="{{variant}}"}', sum: 's{v="{{variant}}"}', margin: 0.1}
                    - {name: reward, margin: 0.1, colour: red}
                    - {name: reward, margin: -1}
                    - {name: Reward}
                    - {name: mae, kind: mean, direction: lower, count: 'c{v="{{variant}}"}', sum: 's{v="{{variant}}"}', squares: 'q{v="{{variant}}"}', margin: 1}
                    - {name: twice, margin: 0.1, gate: superior, kind: proportion, direction: higher, count: 'c{v="{{variant}}"}', sum: 's{v="{{variant}}"}'}
                    - {name: twice, margin: 0.1, gate: superior, kind: proportion, direction: higher, count: 'c{v="{{variant}}"}', sum: 's{v="{{variant}}"}'}
                  labelled: 7
                  extra: true
                """);
        assertThatThrownBy(() -> loader.load(dir))
                .isInstanceOfSatisfying(
                        InvalidModelSpecException.class,
                        e -> assertThat(e.problems())
                                .extracting(SpecProblem::toString)
                                .containsExactlyInAnyOrder(
                                        "model.yaml: abTest.extra: unknown field (known: labelled, metrics)",
                                        "model.yaml: abTest.metrics[0].name: unknown metric \"precision\": built-in"
                                                + " metrics are accuracy, mae, rmse, reward; a custom metric needs"
                                                + " kind:, direction:, count: and sum: (with {{variant}})",
                                        "model.yaml: abTest.metrics[1].margin: is required for the non-inferiority"
                                                + " gate (in the metric's units), or set gate: superior",
                                        "model.yaml: abTest.metrics[2].margin: must be below 1 for a proportion (0.01"
                                                + " = one percentage point), was 1.5",
                                        "model.yaml: abTest.metrics[3].gate: must be non-inferior or superior, was"
                                                + " \"better\"",
                                        "model.yaml: abTest.metrics[4].count: must name the variant as {{variant}}",
                                        "model.yaml: abTest.metrics[4].squares: is required for a custom mean metric"
                                                + " (the sum of the squares of its observations: a sequential test of"
                                                + " a mean needs its variance)",
                                        "model.yaml: abTest.metrics[5].kind: must be proportion or mean, was"
                                                + " \"ratio\"",
                                        "model.yaml: abTest.metrics[5].direction: must be higher or lower, was \"up\"",
                                        "model.yaml: abTest.metrics[6].colour: unknown field (known: count,"
                                                + " direction, gate, kind, margin, name, squares, sum)",
                                        "model.yaml: abTest.metrics[7].margin: must be a number >= 0 in the metric's"
                                                + " units, was -1",
                                        "model.yaml: abTest.metrics[8].name: must be lower-case letters, digits, '-'"
                                                + " and '_', starting with a letter, at most 63, was \"Reward\"",
                                        "model.yaml: abTest.metrics[9].name: \"mae\" is a built-in metric: a custom"
                                                + " metric needs another name, a built-in one takes only margin: and"
                                                + " gate:",
                                        "model.yaml: abTest.metrics[11].name: metric twice is listed twice",
                                        "model.yaml: abTest.labelled: must be a list of strings, was number 7"));
    }

    @Test
    void labelledFilesMustExistStayInsideTheDirectoryAndCarryLabels() throws IOException {
        Files.writeString(dir.resolve("labelled/unlabelled.json"), "{\"instances\": [[1, 2]]}");
        Files.writeString(
                dir.resolve("labelled/short.jsonl"),
                "{\"instances\": [[1], [2]], \"expected\": [1, 2]}\n"
                        + "{\"instances\": [[1], [2]], \"expected\": [1]}\n");
        Files.writeString(dir.resolve("labelled/broken.json"), "{\"instances\": [1,");
        Files.writeString(dir.resolve("labelled/data.csv"), "a,b\n");
        Files.writeString(dir.resolve("labelled/empty.jsonl"), "\n\n");
        Files.writeString(dir.getParent().resolve("outside-" + dir.getFileName() + ".json"), "{}");
        Files.writeString(
                dir.resolve("model.yaml"),
                VALID + """
                abTest:
                  labelled:
                    - labelled/missing.json
                    - ../outside-DIRNAME.json
                    - /etc/hostname
                    - labelled/unlabelled.json
                    - labelled/short.jsonl
                    - labelled/broken.json
                    - labelled/data.csv
                    - labelled/empty.jsonl
                    - labelled/one.json
                """.replace("DIRNAME", dir.getFileName().toString()));
        assertThatThrownBy(() -> loader.load(dir))
                .isInstanceOfSatisfying(
                        InvalidModelSpecException.class,
                        e -> assertThat(e.problems())
                                .extracting(SpecProblem::toString)
                                .containsExactly(
                                        "model.yaml: abTest.labelled[0]: file labelled/missing.json not found in "
                                                + dir,
                                        "model.yaml: abTest.labelled[1]: must be a file inside the model directory,"
                                                + " was \"../outside-" + dir.getFileName() + ".json\"",
                                        "model.yaml: abTest.labelled[2]: must be a file inside the model directory,"
                                                + " was \"/etc/hostname\"",
                                        "model.yaml: abTest.labelled[3]: labelled/unlabelled.json: must carry"
                                                + " \"expected\": an array with one label per instance (1)",
                                        "model.yaml: abTest.labelled[4]: labelled/short.jsonl:2: must carry"
                                                + " \"expected\": an array with one label per instance (2)",
                                        "model.yaml: abTest.labelled[5]: labelled/broken.json: malformed JSON at line"
                                                + " 1, column 18",
                                        "model.yaml: abTest.labelled[6]: labelled/data.csv: must be a .json or .jsonl"
                                                + " request file",
                                        "model.yaml: abTest.labelled[7]: labelled/empty.jsonl: no requests"));
    }

    @Test
    void olderConstructorsLeaveTheSectionEmpty() throws Exception {
        Files.writeString(dir.resolve("model.yaml"), VALID + "abTest:\n  labelled: [labelled/one.json]\n");
        ModelSpec s = loader.load(dir);
        ModelSpec rebuilt = new ModelSpec(
                s.directory(),
                s.name(),
                s.description(),
                s.runtime(),
                s.entrypoint(),
                s.include(),
                s.exclude(),
                s.data(),
                s.samples(),
                s.dependencies(),
                s.resources(),
                s.slo(),
                s.env(),
                s.signature(),
                s.serving(),
                s.secretEnv(),
                s.route(),
                s.environment());
        assertThat(s.abTest().labelled()).containsExactly(Path.of("labelled/one.json"));
        assertThat(rebuilt.abTest()).isEqualTo(AbTestSpec.NONE);
        assertThat(List.of(rebuilt.name(), rebuilt.entrypoint())).containsExactly("iris", "model:Classifier");
    }
}
