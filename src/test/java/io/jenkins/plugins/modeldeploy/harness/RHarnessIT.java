package io.jenkins.plugins.modeldeploy.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.jenkins.plugins.modeldeploy.local.ExampleModels;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.testing.RawHttp;
import io.jenkins.plugins.modeldeploy.testing.TestModels;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** R models served through the harness (embedded R via rpy2): the same protocol and error contract as Python. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RHarnessIT {
    @TempDir
    static Path workDir;

    private HarnessProcess mtcars;
    private HarnessProcess echo;

    @BeforeAll
    void start() throws Exception {
        Path mtcarsDir = TestModels.trainedExample(ExampleModels.MTCARS_R, workDir);
        mtcars = HarnessProcess.start(
                ModelVersion.of(new ModelSpecLoader().load(mtcarsDir), "2", "test"),
                HarnessOptions.loopback(),
                line -> {});
        echo = HarnessProcess.start(
                ModelVersion.of(new ModelSpecLoader().load(TestModels.testModel("echo-r", workDir)), "1", "test"),
                HarnessOptions.loopback(),
                line -> {});
    }

    @AfterAll
    void stop() {
        if (mtcars != null) {
            mtcars.close();
        }
        if (echo != null) {
            echo.close();
        }
    }

    @Test
    void predictsFuelEconomyWithTheLinearModel() throws IOException {
        try (RawHttp http = new RawHttp(mtcars.url())) {
            RawHttp.Response response = http.postJson(
                    "/predict", "{\"instances\": [{\"wt\": 2.62, \"hp\": 110}, {\"wt\": 3.57, \"hp\": 245}]}");
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("x-model-name")).isEqualTo("mtcars");
            assertThat(response.header("x-model-version")).isEqualTo("2");
            // lm(mpg ~ wt + hp, mtcars): 37.22727 - 3.87783 wt - 0.03177 hp
            assertThat(response.json().at("/predictions/0").asDouble()).isCloseTo(23.5723, within(1e-3));
            assertThat(response.json().at("/predictions/1").asDouble()).isCloseTo(15.5990, within(1e-3));
        }
    }

    @Test
    void answersOpenInferenceProtocolV2WithOneTensorPerInput() throws IOException {
        try (RawHttp http = new RawHttp(mtcars.url())) {
            RawHttp.Response infer = http.postJson(
                    "/v2/models/mtcars/infer",
                    "{\"inputs\": ["
                            + "{\"name\": \"wt\", \"shape\": [2], \"datatype\": \"FP64\", \"data\": [2.62, 3.57]},"
                            + "{\"name\": \"hp\", \"shape\": [2], \"datatype\": \"FP64\", \"data\": [110, 245]}]}");
            assertThat(infer.status()).as(infer.text()).isEqualTo(200);
            assertThat(infer.json().at("/outputs/0/datatype").asText()).isEqualTo("FP64");
            assertThat(infer.json().at("/outputs/0/shape")).hasToString("[2]");
            assertThat(infer.json().at("/outputs/0/data/1").asDouble()).isCloseTo(15.5990, within(1e-3));
            assertThat(http.get("/v2/models/mtcars").json())
                    .hasToString("{\"name\":\"mtcars\",\"versions\":[\"2\"],"
                            + "\"platform\":\"r_script\",\"inputs\":[{\"name\":\"wt\",\"datatype\":\"FP64\",\"shape\":[-1]},"
                            + "{\"name\":\"hp\",\"datatype\":\"FP64\",\"shape\":[-1]}],\"outputs\":[{\"name\":\"output-0\","
                            + "\"datatype\":\"FP64\",\"shape\":[-1]}]}");
            assertThat(http.get("/v2/health/ready").json()).hasToString("{\"ready\":true}");
            assertThat(http.get("/v2/health/live").status()).isEqualTo(200);
            assertThat(http.get("/metrics").text())
                    .contains(
                            "model_deploy_requests_total{model=\"mtcars\",version=\"2\",route=\"infer\",code=\"200\"}");
        }
    }

    @Test
    void appliesTheSameErrorContract() throws IOException {
        try (RawHttp http = new RawHttp(echo.url())) {
            RawHttp.Response failing = http.postJson("/predict", "{\"instances\": [{\"wt\": -1, \"hp\": 100}]}");
            assertThat(failing.status()).isEqualTo(500);
            assertThat(failing.error())
                    .isEqualTo("prediction failed: RRuntimeError: Error in fn(df) : weight must not" + " be negative");
            RawHttp.Response wrongType = http.postJson("/predict", "{\"instances\": [{\"wt\": \"heavy\", \"hp\": 1}]}");
            assertThat(wrongType.status()).isEqualTo(400);
            assertThat(wrongType.error()).isEqualTo("instances[0].wt: expected number, was string");
            RawHttp.Response missing = http.postJson("/predict", "{\"instances\": [{\"wt\": 1}]}");
            assertThat(missing.error()).isEqualTo("instances[0]: missing field \"hp\"");
            RawHttp.Response malformed = http.postJson("/predict", "{\"instances\": ");
            assertThat(malformed.status()).isEqualTo(400);
            assertThat(malformed.error()).startsWith("malformed JSON at line 1 column 15");
            assertThat(http.postJson("/v2/models/mtcars/infer", "{}").status()).isEqualTo(404);
            // the connection and the R session survive all of it
            RawHttp.Response ok = http.postJson("/predict", "{\"instances\": [{\"wt\": 3, \"hp\": 100}]}");
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.json().at("/predictions/0").asDouble()).isCloseTo(37.2 - 3.88 * 3 - 3.18, within(1e-9));
        }
    }
}
