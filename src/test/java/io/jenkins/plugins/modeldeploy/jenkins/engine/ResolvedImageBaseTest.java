package io.jenkins.plugins.modeldeploy.jenkins.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.modeldeploy.image.BaseImage;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Pipeline steps' baseImage meets a model's environment.debian by the same rule as the CLI's --base-image. */
class ResolvedImageBaseTest {
    @TempDir
    Path workspace;

    private ModelVersion model(String debian) throws Exception {
        Path dir = Files.createDirectories(workspace.resolve("m-" + debian.hashCode()));
        Files.writeString(dir.resolve("model.py"), "def predict(x): return x\n");
        Files.writeString(
                dir.resolve("model.yaml"),
                "name: toy\nruntime: python\nentrypoint: model:predict\nenvironment: {debian: [" + debian + "]}\n");
        return ModelVersion.of(new ModelSpecLoader().load(dir), "1", "test");
    }

    private static ResolvedImage withBase(String baseImage) {
        return new ResolvedImage("127.0.0.1:5000/models/toy", false, null, true, baseImage, null, null);
    }

    @Test
    void packagesThePythonBaseHasLeaveTheStepsBaseImageAsGiven() throws Exception {
        assertThat(withBase("registry:5000/base:1")
                        .plan(model("python3-sklearn"), workspace)
                        .base())
                .isEqualTo(new BaseImage.Registry("registry:5000/base:1"));
    }

    @Test
    void packagesBeyondItRefuseTheStepsBaseImageNamingBoth() {
        assertThatThrownBy(() ->
                        withBase("registry:5000/base:1").plan(model("python3-sklearn, python3-pandas"), workspace))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("baseImage registry:5000/base:1 and environment.debian (python3-pandas) of toy"
                        + " exclude each other");
    }
}
