package io.jenkins.plugins.modeldeploy.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.modeldeploy.smoke.Payload;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MissingModuleTest {
    /** What the harness logs when the model's module fails to import inside the image. */
    private static final List<String> PYTHON_LOG = List.of(
            "{\"event\": \"starting\", \"model\": \"toy\"}",
            "Traceback (most recent call last):",
            "  File \"/opt/model-deploy/harness/mdharness/loader.py\", line 40, in load",
            "    module = importlib.import_module(name)",
            "  File \"/usr/lib/python3.11/importlib/__init__.py\", line 126, in import_module",
            "    return _bootstrap._gcd_import(name[level:], package, level)",
            "  File \"<frozen importlib._bootstrap>\", line 1206, in _gcd_import",
            "  File \"/opt/model-deploy/model/model.py\", line 2, in <module>",
            "    import pandas as pd",
            "ModuleNotFoundError: No module named 'pandas'");

    @Test
    void aPythonImportErrorNamesTheModuleTheFileAndBothPackages() {
        MissingModule missing = MissingModule.find(PYTHON_LOG).orElseThrow();
        assertThat(missing)
                .isEqualTo(new MissingModule(
                        "python",
                        "pandas",
                        Optional.of("model.py"),
                        Optional.of("pandas"),
                        Optional.of("python3-pandas")));
        assertThat(missing.describe())
                .isEqualTo("model.py: No module named 'pandas' — declare it in environment.requirements (pip: pandas)"
                        + " or environment.debian (python3-pandas)");
    }

    @Test
    void importNamesThatDifferFromTheirPackagesAreMapped() {
        assertThat(MissingModule.python("sklearn.ensemble", Optional.empty()))
                .extracting(MissingModule::pip, MissingModule::debian)
                .containsExactly(Optional.of("scikit-learn"), Optional.of("python3-sklearn"));
        assertThat(MissingModule.python("yaml", Optional.empty()).pip()).contains("PyYAML");
        assertThat(MissingModule.python("yaml", Optional.empty()).debian()).contains("python3-yaml");
        assertThat(MissingModule.python("PIL.Image", Optional.empty()).pip()).contains("Pillow");
        assertThat(MissingModule.python("PIL", Optional.empty()).debian()).contains("python3-pil");
        assertThat(MissingModule.python("cv2", Optional.empty()).pip()).contains("opencv-python-headless");
        assertThat(MissingModule.python("cv2", Optional.empty()).debian()).contains("python3-opencv");
        assertThat(MissingModule.python("xgboost", Optional.empty()).debian()).contains("python3-xgboost");
        assertThat(MissingModule.python("numpy", Optional.empty()).pip()).contains("numpy");
        assertThat(MissingModule.python("scipy", Optional.empty()).debian()).contains("python3-scipy");
        // pip only: Debian bookworm has no package for it, so none is suggested
        MissingModule lightgbm = MissingModule.python("lightgbm", Optional.empty());
        assertThat(lightgbm.debian()).isEmpty();
        assertThat(lightgbm.describe())
                .isEqualTo("No module named 'lightgbm' — declare it in environment.requirements (pip: lightgbm)");
    }

    @Test
    void anUnknownModuleIsNamedWithoutGuessingAPackage() {
        MissingModule missing = MissingModule.find(List.of(
                        "  File \"/tmp/models/toy/model.py\", line 1, in <module>",
                        "    import mdtoy_not_installed",
                        "ModuleNotFoundError: No module named 'mdtoy_not_installed'"))
                .orElseThrow();
        assertThat(missing.pip()).isEmpty();
        assertThat(missing.describe())
                .isEqualTo("model.py: No module named 'mdtoy_not_installed' — declare the package that provides it in"
                        + " environment.requirements (pip) or environment.debian");
    }

    @Test
    void rMissingPackagesAreFoundWithTypographicOrPlainQuotes() {
        MissingModule utf8 = MissingModule.find(
                        List.of("Error in library(randomForest) : there is no package called ‘randomForest’"))
                .orElseThrow();
        assertThat(utf8.language()).isEqualTo("r");
        assertThat(utf8.module()).isEqualTo("randomForest");
        assertThat(utf8.describe())
                .isEqualTo("there is no package called 'randomForest' — declare it in environment.r.packages"
                        + " (randomForest) or environment.debian (r-cran-randomforest)");
        assertThat(MissingModule.find(List.of("Error: there is no package called 'glue'")))
                .map(MissingModule::debian)
                .contains(Optional.of("r-cran-glue"));
    }

    @Test
    void aLogWithoutAnImportErrorHasNoMissingModule() {
        assertThat(MissingModule.find(List.of("Traceback (most recent call last):", "ValueError: bad pickle")))
                .isEmpty();
    }

    @Test
    void answersAreJudgedByStatusAndExpectedPredictions() throws Exception {
        Payload plain = new Payload("samples/one.json", bytes("{\"instances\": [[1]]}"), 1, Optional.empty());
        Payload expecting = new Payload(
                "samples/setosa.json",
                bytes("{\"instances\": [[1]]}"),
                1,
                Optional.of(new ObjectMapper().readTree("[\"setosa\"]")));
        assertThat(ImageVerifier.judge(plain, 200, bytes("{\"predictions\": [\"x\"]}")))
                .isEmpty();
        assertThat(ImageVerifier.judge(plain, 500, bytes("{\"error\": \"boom\"}")))
                .contains("HTTP 500: {\"error\": \"boom\"}");
        assertThat(ImageVerifier.judge(expecting, 200, bytes("{\"predictions\": [\"setosa\"]}")))
                .isEmpty();
        assertThat(ImageVerifier.judge(expecting, 200, bytes("{\"predictions\": [\"virginica\"]}")))
                .contains("expected [\"setosa\"], got [\"virginica\"]");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
