package io.jenkins.plugins.modeldeploy.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's two iris trainings (scikit-learn via /usr/bin/python3): deterministic, v2 more accurate than v1. */
class ExampleModelsTrainingIT {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path EXAMPLES = Path.of("examples").toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    void v1OnPartOfTheDataIsMeasurablyLessAccurateOnTheHeldOutRowsThanV2() throws Exception {
        Path v1 = ExampleModels.copy(EXAMPLES, ExampleModels.IRIS_PYTHON, dir.resolve("v1"));
        Path v2 = ExampleModels.copy(EXAMPLES, ExampleModels.IRIS_PYTHON, dir.resolve("v2"));
        List<String> v1Output = ExampleModels.train(v1, PYTHON, LocalDemo.PARTIAL_TRAINING, line -> {});
        List<String> v2Output = ExampleModels.train(v2, PYTHON, List.of(), line -> {});
        double[] accuracy = LocalDemo.heldOut(v1Output, v2Output);
        System.out.printf("held-out accuracy (45 rows): v1 %.3f, v2 %.3f%n", accuracy[0], accuracy[1]);
        assertThat(accuracy[0]).isEqualTo(0.733);
        assertThat(accuracy[1]).isEqualTo(1.0);
        assertThatThrownBy(() -> LocalDemo.heldOut(v2Output, v1Output)).hasMessageContaining("not more accurate");

        // deterministic: training again gives the same artefact bytes
        byte[] first = Files.readAllBytes(v2.resolve("model.pkl"));
        ExampleModels.train(v2, PYTHON, List.of(), line -> {});
        assertThat(Files.readAllBytes(v2.resolve("model.pkl"))).isEqualTo(first);

        // the committed labelled file is the held-out split train.py computes
        byte[] committed = Files.readAllBytes(v1.resolve("labelled/holdout.jsonl"));
        ExampleModels.train(v1, PYTHON, List.of("--write-labelled"), line -> {});
        assertThat(Files.readAllBytes(v1.resolve("labelled/holdout.jsonl"))).isEqualTo(committed);
        assertThat(Files.readAllLines(v1.resolve("labelled/holdout.jsonl")))
                .hasSize(45)
                .allSatisfy(line -> assertThat(line).contains("\"instances\"", "\"expected\""));

        // v1 serves four measurements like v2 (it picks the two it was trained on)
        Process process = new ProcessBuilder(
                        PYTHON.toString(),
                        "-c",
                        "import model; print(model.IrisClassifier().predict([[5.1, 3.5, 1.4, 0.2], [7.7, 3.0, 6.1, 2.3]]))")
                .directory(v1.toFile())
                .redirectErrorStream(true)
                .start();
        String printed = new String(process.getInputStream().readAllBytes()).strip();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(printed).isEqualTo("['setosa', 'virginica']");
    }
}
