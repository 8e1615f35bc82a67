package io.jenkins.plugins.modeldeploy.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.modeldeploy.image.LayerPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model directory comes from a job author: links that leave it are refused with an error naming the file, never
 * followed (the spec loader and the image's layer plan, which the Jib build and the CLI use too).
 */
class ModelLinksTest {
    @TempDir
    Path root;

    Path model;
    Path secret;

    @BeforeEach
    void modelAndASecretBesideIt() throws IOException {
        model = Files.createDirectories(root.resolve("model"));
        Files.writeString(model.resolve("model.yaml"), "name: echo\nruntime: python\nentrypoint: model:predict\n");
        Files.writeString(model.resolve("model.py"), "def predict(x):\n    return x\n");
        secret = Files.writeString(root.resolve("master.key"), "CONTROLLER-SECRET");
    }

    @Test
    void aLinkToAFileOutsideIsRefusedByTheLoaderNamingIt() throws Exception {
        Files.createSymbolicLink(model.resolve("model.pkl"), secret);
        assertThatThrownBy(() -> new ModelSpecLoader().load(model))
                .isInstanceOf(InvalidModelSpecException.class)
                .hasMessageContaining("model.pkl is a symbolic link to " + secret + ", outside the model directory");
    }

    @Test
    void theLayerPlanRefusesItTooSoNoImageEverContainsIt() throws Exception {
        ModelSpec spec = new ModelSpecLoader().load(model);
        Path sub = Files.createDirectories(model.resolve("weights"));
        Files.createSymbolicLink(sub.resolve("w.bin"), secret);
        assertThatThrownBy(() -> LayerPlan.of(spec))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("weights/w.bin is a symbolic link to " + secret)
                .hasMessageNotContaining("CONTROLLER-SECRET");
    }

    @Test
    void aLinkedDirectoryLeavingTheModelIsRefused() throws Exception {
        Files.createSymbolicLink(model.resolve("data"), root);
        assertThatThrownBy(() -> new ModelSpecLoader().load(model))
                .hasMessageContaining("data is a symbolic link to " + root + ", outside the model directory");
    }

    @Test
    void aModelYamlThatIsALinkIsRefusedEvenInside() throws Exception {
        Path real = Files.move(model.resolve("model.yaml"), model.resolve("spec.yaml"));
        Files.createSymbolicLink(model.resolve("model.yaml"), real);
        assertThatThrownBy(() -> new ModelSpecLoader().load(model))
                .hasMessageContaining("model.yaml is a symbolic link");
    }

    @Test
    void aLinkThatStaysInsideIsAFileOfTheModel() throws Exception {
        Files.createSymbolicLink(model.resolve("alias.py"), model.resolve("model.py"));
        ModelSpec spec = new ModelSpecLoader().load(model);
        assertThat(LayerPlan.of(spec).code()).contains(Path.of("alias.py"), Path.of("model.py"));
    }

    @Test
    void layerSourcesAreRealPathsInsideTheModelAndALinkSwappedOutAfterThePlanIsRefused() throws Exception {
        ModelSpec spec = new ModelSpecLoader().load(model);
        Files.writeString(model.resolve("weights.pkl"), "w");
        Files.createSymbolicLink(model.resolve("alias.pkl"), model.resolve("weights.pkl"));
        Path real = model.toRealPath();
        assertThat(LayerPlan.of(spec).data()).contains(Path.of("alias.pkl"));
        assertThat(LayerPlan.source(real, Path.of("alias.pkl"))).isEqualTo(real.resolve("weights.pkl"));
        // What the image builder checks as it adds each file, after the plan: the link now leaves the directory.
        Files.delete(model.resolve("alias.pkl"));
        Files.createSymbolicLink(model.resolve("alias.pkl"), secret);
        assertThatThrownBy(() -> LayerPlan.source(real, Path.of("alias.pkl")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("alias.pkl resolves to")
                .hasMessageContaining("outside the model directory")
                .hasMessageNotContaining("CONTROLLER-SECRET");
    }
}
