package io.jenkins.plugins.modeldeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.modeldeploy.model.ModelRuntime;
import io.jenkins.plugins.modeldeploy.testing.BaseImageCache;
import io.jenkins.plugins.modeldeploy.testing.LocalRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code build --verify} of a model that imports a module its image does not have: the build fails naming the
 * module, and nothing is pushed or written; without {@code --verify} (the default for {@code build}) it builds.
 */
class BuildVerifyCliIT {
    @TempDir
    Path dir;

    @Test
    void buildVerifyOfAModelThatCannotImportFailsNamingTheModuleAndPushesNothing() throws Exception {
        Path base = BaseImageCache.tar(ModelRuntime.PYTHON);
        Path model = Files.createDirectories(dir.resolve("toy"));
        Files.writeString(model.resolve("model.yaml"), "name: toy\nruntime: python\nentrypoint: model:predict\n");
        Files.writeString(
                model.resolve("model.py"),
                "import mdtoy_not_installed\n\n\ndef predict(instances):\n    return instances\n");
        Files.createDirectories(model.resolve("samples"));
        Files.writeString(model.resolve("samples/one.json"), "{\"instances\": [[1, 2]]}");
        String expected =
                "cannot serve: model.py: No module named 'mdtoy_not_installed' — declare the package that provides it";

        try (LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"), null, null)) {
            InProcessCli.Run pushed = InProcessCli.run(
                    "build",
                    model.toString(),
                    "--version",
                    "1",
                    "--image",
                    registry.host() + "/models/toy",
                    "--base-image",
                    "tar:" + base,
                    "--insecure-registry",
                    "--verify");
            assertThat(pushed.exitCode()).as(pushed.err()).isEqualTo(1);
            assertThat(pushed.err())
                    .contains("verification failed: image " + registry.host() + "/models/toy:1 " + expected);
            assertThat(pushed.out()).isEmpty();
            assertThat(registry.manifest("models/toy", "1")).isNull();
        }

        Path tar = dir.resolve("toy.tar");
        InProcessCli.Run written = InProcessCli.run(
                "build",
                model.toString(),
                "--version",
                "1",
                "--image",
                "localhost/models/toy",
                "--base-image",
                "tar:" + base,
                "--to",
                "tar:" + tar,
                "--verify");
        assertThat(written.exitCode()).as(written.err()).isEqualTo(1);
        assertThat(written.err()).contains(expected);
        assertThat(tar).doesNotExist();

        InProcessCli.Run unverified = InProcessCli.run(
                "build",
                model.toString(),
                "--version",
                "1",
                "--image",
                "localhost/models/toy",
                "--base-image",
                "tar:" + base,
                "--to",
                "tar:" + tar);
        assertThat(unverified.exitCode()).as(unverified.err()).isZero();
        assertThat(tar).exists();
        assertThat(unverified.err()).doesNotContain("verif");
    }
}
