package io.jenkins.plugins.modeldeploy.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.modeldeploy.container.Podman;
import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.image.BaseImage;
import io.jenkins.plugins.modeldeploy.image.BuiltImage;
import io.jenkins.plugins.modeldeploy.image.ImageBuildException;
import io.jenkins.plugins.modeldeploy.image.ImagePlan;
import io.jenkins.plugins.modeldeploy.image.ImageTarget;
import io.jenkins.plugins.modeldeploy.image.JibImageBuilder;
import io.jenkins.plugins.modeldeploy.local.ExampleModels;
import io.jenkins.plugins.modeldeploy.model.ModelRuntime;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.pipeline.DeploymentEngine;
import io.jenkins.plugins.modeldeploy.testing.BaseImageCache;
import io.jenkins.plugins.modeldeploy.testing.LocalRegistry;
import io.jenkins.plugins.modeldeploy.testing.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Images built for real (Jib, the cached mmdebstrap Python base) and verified for real: loaded into the project's
 * podman, run, sent their model's samples. The iris example answers; a model importing a module the image does not
 * have fails naming the module; a sample whose {@code expected} is wrong fails naming the sample file; the engine
 * pushes nothing before verification passes.
 */
class ImageVerifierIT {
    static final String MISSING = "mdtoy_not_installed";

    @TempDir
    static Path shared;

    static Path base;
    static Path iris;
    static Path irisTar;

    @TempDir
    Path dir;

    @BeforeAll
    static void buildIris() throws Exception {
        base = BaseImageCache.tar(ModelRuntime.PYTHON);
        iris = TestModels.trainedExample(ExampleModels.IRIS_PYTHON, shared);
        Files.writeString(
                iris.resolve("samples/expected.json"),
                "{\"instances\": [[5.1, 3.5, 1.4, 0.2], [6.3, 3.3, 6.0, 2.5]],"
                        + " \"expected\": [\"setosa\", \"virginica\"]}");
        irisTar = shared.resolve("iris.tar");
        new JibImageBuilder(shared.resolve("work"), line -> {})
                .build(new ImagePlan(
                        version(iris, "2"),
                        new BaseImage.Tar(base),
                        "localhost/models/iris",
                        new ImageTarget.Tar(irisTar)));
    }

    @Test
    void theIrisImageAnswersItsSamplesInPodmanAndLeavesNothingBehind() throws Exception {
        Podman podman = Podman.projectLocal();
        VerificationResult result =
                verifier(ImageVerifier.Mode.PODMAN).verify(irisTar, "localhost/models/iris:2", version(iris, "2"));
        assertThat(result.runner()).isEqualTo(VerificationResult.PODMAN);
        assertThat(result.sent()).isEqualTo(5); // batch, setosa, versicolor, virginica, expected
        assertThat(result.passed()).isEqualTo(5);
        assertThat(result.failures()).isEmpty();
        assertThat(podman.run(30, "ps", "--all", "--quiet", "--filter", "label=" + Podman.RUN_LABEL + "=" + Podman.RUN))
                .isEmpty();
        assertThatThrownBy(() -> podman.run(30, "image", "exists", "localhost/models/iris:2"))
                .isInstanceOf(IOException.class);
    }

    @Test
    void aSampleWithAWrongExpectedAnswerFailsNamingTheSampleFile() throws Exception {
        Path model = ExampleModels.copy(TestModels.examplesRoot(), ExampleModels.IRIS_PYTHON, dir);
        // the samples are read from the model directory; the image is the trained one built above
        Files.copy(iris.resolve("model.pkl"), model.resolve("model.pkl"));
        Files.writeString(
                model.resolve("samples/wrong.json"),
                "{\"instances\": [[5.1, 3.5, 1.4, 0.2]], \"expected\": [\"virginica\"]}");
        assertThatThrownBy(() -> verifier(ImageVerifier.Mode.PODMAN)
                        .verify(irisTar, "localhost/models/iris:2", version(model, "2")))
                .isInstanceOf(ImageVerificationException.class)
                .hasMessage("image localhost/models/iris:2 answered 4 of 5 samples: samples/wrong.json: expected"
                        + " [\"virginica\"], got [\"setosa\"]")
                .satisfies(e -> assertThat(((ImageVerificationException) e).result())
                        .hasValueSatisfying(r -> assertThat(r.failures())
                                .extracting(VerificationResult.SampleFailure::sample)
                                .containsExactly("samples/wrong.json")));
    }

    @Test
    void aModelImportingAnUndeclaredModuleFailsInPodmanNamingIt() throws Exception {
        Path model = missingImportModel(dir);
        Path tar = dir.resolve("toy.tar");
        new JibImageBuilder(dir.resolve("work"), line -> {})
                .build(new ImagePlan(
                        version(model, "1"),
                        new BaseImage.Tar(base),
                        "localhost/models/toy",
                        new ImageTarget.Tar(tar)));
        assertThatThrownBy(() ->
                        verifier(ImageVerifier.Mode.PODMAN).verify(tar, "localhost/models/toy:1", version(model, "1")))
                .isInstanceOf(ImageVerificationException.class)
                .hasMessage("image localhost/models/toy:1 cannot serve: model.py: No module named '" + MISSING
                        + "' — declare the package that provides it in environment.requirements (pip) or"
                        + " environment.debian")
                .satisfies(e -> assertThat(((ImageVerificationException) e).missing())
                        .map(MissingModule::module)
                        .contains(MISSING));
    }

    @Test
    void withoutPodmanTheModelRunsWithTheLocalHarnessAndTheSameCheck() throws Exception {
        Path model = missingImportModel(dir);
        List<String> log = new CopyOnWriteArrayList<>();
        ImageVerifier local = new ImageVerifier(log::add, Duration.ofSeconds(60), ImageVerifier.Mode.LOCAL_HARNESS);
        assertThatThrownBy(() -> local.verify(dir.resolve("unused.tar"), "localhost/models/toy:1", version(model, "1")))
                .isInstanceOf(ImageVerificationException.class)
                .hasMessageContaining(
                        "image localhost/models/toy:1 cannot serve: model.py: No module named '" + MISSING + "'");
        assertThat(log).anyMatch(line -> line.startsWith("podman is not available: verifying toy-1 with the harness"));
        VerificationResult good =
                local.verify(dir.resolve("unused.tar"), "localhost/models/iris:2", version(iris, "2"));
        assertThat(good.runner()).isEqualTo(VerificationResult.LOCAL_HARNESS);
        assertThat(good.passed()).isEqualTo(5);
    }

    @Test
    void anRModelLoadingAnUndeclaredPackageFailsNamingItAndItsDebianPackage() throws Exception {
        Path model = Files.createDirectories(dir.resolve("toyr"));
        Files.writeString(model.resolve("model.yaml"), "name: toyr\nruntime: r\nentrypoint: model.R\n");
        Files.writeString(
                model.resolve("model.R"), "library(mdtoynotinstalled)\n\npredict <- function(df) {\n  df[[1]]\n}\n");
        Files.createDirectories(model.resolve("samples"));
        Files.writeString(model.resolve("samples/one.json"), "{\"instances\": [{\"x\": 1}]}");
        ImageVerifier local = new ImageVerifier(line -> {}, Duration.ofSeconds(60), ImageVerifier.Mode.LOCAL_HARNESS);
        assertThatThrownBy(
                        () -> local.verify(dir.resolve("unused.tar"), "localhost/models/toyr:1", version(model, "1")))
                .isInstanceOf(ImageVerificationException.class)
                .hasMessage("image localhost/models/toyr:1 cannot serve: there is no package called"
                        + " 'mdtoynotinstalled' — declare it in environment.r.packages (mdtoynotinstalled) or"
                        + " environment.debian (r-cran-mdtoynotinstalled)");
    }

    @Test
    void theEnginePushesNothingBeforeVerificationPasses() throws Exception {
        Path model = missingImportModel(dir);
        List<DeploymentEvent> events = new CopyOnWriteArrayList<>();
        DeploymentEngine engine = new DeploymentEngine(
                events::add,
                new JibImageBuilder(dir.resolve("work"), line -> {}),
                verifier(ImageVerifier.Mode.PODMAN),
                Duration.ofSeconds(1));
        try (LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"), null, null)) {
            ImagePlan toy = new ImagePlan(
                    version(model, "1"),
                    new BaseImage.Tar(base),
                    registry.host() + "/models/toy",
                    new ImageTarget.Registry(Optional.empty(), true));
            assertThatThrownBy(() -> engine.buildImage(toy, true))
                    .isInstanceOf(ImageBuildException.class)
                    .hasMessageStartingWith("verification failed: image " + registry.host()
                            + "/models/toy:1 cannot serve: model.py: No module named '" + MISSING + "'")
                    .hasCauseInstanceOf(ImageVerificationException.class);
            assertThat(registry.manifest("models/toy", "1")).isNull();
            assertThat(events.stream().map(e -> e.details().type()))
                    .containsExactly("build.started", "build.verifying", "build.failed");
            assertThat(events.get(2).message()).startsWith("verification failed: image ");

            events.clear();
            ImagePlan good = new ImagePlan(
                    version(iris, "2"),
                    new BaseImage.Tar(base),
                    registry.host() + "/models/iris",
                    new ImageTarget.Registry(Optional.empty(), true));
            BuiltImage built = engine.buildImage(good, true);
            assertThat(registry.digest("models/iris", "2")).isEqualTo(built.digest());
            assertThat(events.stream().map(e -> e.details().type()))
                    .containsExactly("build.started", "build.verifying", "build.verified", "build.finished");
            assertThat(events.get(2).message())
                    .isEqualTo("verified " + registry.host() + "/models/iris:2: 5 of 5 samples answered (podman)");
        }
    }

    /** A model whose module imports something no image or machine has. */
    static Path missingImportModel(Path dir) throws IOException {
        Path model = Files.createDirectories(dir.resolve("toy"));
        Files.writeString(model.resolve("model.yaml"), "name: toy\nruntime: python\nentrypoint: model:predict\n");
        Files.writeString(
                model.resolve("model.py"),
                "import json\nimport " + MISSING + "\n\n\ndef predict(instances):\n    return instances\n");
        Files.createDirectories(model.resolve("samples"));
        Files.writeString(model.resolve("samples/one.json"), "{\"instances\": [[1, 2]]}");
        return model;
    }

    private static ImageVerifier verifier(ImageVerifier.Mode mode) {
        return new ImageVerifier(line -> System.out.println("[verify] " + line), Duration.ofSeconds(120), mode);
    }

    private static ModelVersion version(Path model, String version) throws Exception {
        return ModelVersion.of(new ModelSpecLoader().load(model), version, "test");
    }
}
