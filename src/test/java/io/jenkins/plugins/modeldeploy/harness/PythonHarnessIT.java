package io.jenkins.plugins.modeldeploy.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.modeldeploy.local.ExampleModels;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.model.SpecOverride;
import io.jenkins.plugins.modeldeploy.testing.RawHttp;
import io.jenkins.plugins.modeldeploy.testing.TestModels;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The Python harness as a real process: every endpoint, the error contract, metrics. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PythonHarnessIT {
    @TempDir
    static Path workDir;

    private HarnessProcess iris;
    private HarnessProcess echo;

    @BeforeAll
    void start() throws Exception {
        Path irisDir = TestModels.trainedExample(ExampleModels.IRIS_PYTHON, workDir);
        iris = HarnessProcess.start(
                ModelVersion.of(
                        new ModelSpecLoader().load(irisDir, List.of(new SpecOverride("serving.workers", "1", "test"))),
                        "1",
                        "test"),
                HarnessOptions.loopback(),
                line -> {});
        Path echoDir = TestModels.testModel("echo-python", workDir);
        echo = HarnessProcess.start(
                ModelVersion.of(new ModelSpecLoader().load(echoDir), "7", "test"),
                HarnessOptions.loopback(),
                line -> {});
    }

    @AfterAll
    void stop() {
        if (iris != null) {
            iris.close();
        }
        if (echo != null) {
            echo.close();
        }
    }

    @Test
    void predictsIrisSpeciesWithModelHeaders() throws IOException {
        try (RawHttp http = new RawHttp(iris.url())) {
            RawHttp.Response response = http.postJson(
                    "/predict", "{\"instances\": [[5.1, 3.5, 1.4, 0.2], [6.4, 3.2, 4.5, 1.5], [6.3, 3.3, 6.0, 2.5]]}");
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("content-type")).isEqualTo("application/json");
            assertThat(response.header("x-model-name")).isEqualTo("iris");
            assertThat(response.header("x-model-version")).isEqualTo("1");
            assertThat(response.json().get("predictions")).hasToString("[\"setosa\",\"versicolor\",\"virginica\"]");
            // keep-alive: the same connection serves the next request
            assertThat(http.postJson("/predict", "{\"instances\": [[5.1, 3.5, 1.4, 0.2]]}")
                            .status())
                    .isEqualTo(200);
        }
    }

    @Test
    void answersOpenInferenceProtocolV2() throws IOException {
        try (RawHttp http = new RawHttp(iris.url())) {
            RawHttp.Response infer = http.postJson(
                    "/v2/models/iris/infer",
                    "{\"id\": \"req-1\", \"inputs\": [{\"name\":"
                            + " \"input-0\", \"shape\": [2, 4], \"datatype\": \"FP32\", \"data\": [5.1, 3.5, 1.4, 0.2, 6.3,"
                            + " 3.3, 6.0, 2.5]}]}");
            assertThat(infer.status()).isEqualTo(200);
            assertThat(infer.json())
                    // "id" where the spec's example of an inference response has it: after model_version
                    .hasToString(
                            "{\"model_name\":\"iris\",\"model_version\":\"1\",\"id\":\"req-1\",\"outputs\":[{"
                                    + "\"name\":\"output-0\",\"shape\":[2],\"datatype\":\"BYTES\",\"data\":[\"setosa\",\"virginica\"]}]}");
            RawHttp.Response versioned = http.postJson(
                    "/v2/models/iris/versions/1/infer",
                    "{\"inputs\": [{\"name\":"
                            + " \"x\", \"shape\": [1, 4], \"datatype\": \"FP64\", \"data\": [[5.1, 3.5, 1.4, 0.2]]}]}");
            assertThat(versioned.json().at("/outputs/0/data/0").asText()).isEqualTo("setosa");

            RawHttp.Response metadata = http.get("/v2/models/iris");
            assertThat(metadata.status()).isEqualTo(200);
            assertThat(metadata.json())
                    .hasToString("{\"name\":\"iris\",\"versions\":[\"1\"],\"platform\":"
                            + "\"python_module\",\"inputs\":[{\"name\":\"input-0\",\"datatype\":\"FP64\",\"shape\":"
                            + "[-1,4]}],\"outputs\":[{\"name\":\"output-0\",\"datatype\":\"BYTES\",\"shape\":[-1]}]}");
            assertThat(http.get("/v2/models/iris/ready").json()).hasToString("{\"name\":\"iris\",\"ready\":true}");
            assertThat(http.get("/v2/health/live").json()).hasToString("{\"live\":true}");
            assertThat(http.get("/v2/health/ready").json()).hasToString("{\"ready\":true}");
            assertThat(http.get("/v2").json().get("name").asText()).isEqualTo("model-deploy-harness");
        }
    }

    @Test
    void metricsCountEveryRequestAcrossWorkers() throws IOException {
        int before = counter(echo.url(), "predict", "200");
        for (int i = 0; i < 12; i++) {
            try (RawHttp http = new RawHttp(echo.url())) { // a new connection each time: both workers get some
                assertThat(http.postJson("/predict", "{\"instances\": [[1, 2]]}")
                                .json()
                                .get("predictions"))
                        .hasToString("[3]");
            }
        }
        assertThat(echo.workers()).isEqualTo(2);
        assertThat(counter(echo.url(), "predict", "200") - before).isEqualTo(12);
        try (RawHttp http = new RawHttp(echo.url())) {
            RawHttp.Response metrics = http.get("/metrics");
            assertThat(metrics.header("content-type")).startsWith("text/plain; version=0.0.4");
            assertThat(metrics.text())
                    .contains("# TYPE model_deploy_request_duration_seconds histogram")
                    .containsPattern("model_deploy_request_duration_seconds_bucket\\{model=\"echo\",version=\"7\","
                            + "route=\"predict\",le=\"\\+Inf\"} \\d+")
                    .containsPattern("model_deploy_request_errors_total\\{model=\"echo\",version=\"7\",route="
                            + "\"predict\",kind=\"server\"} \\d+");
        }
    }

    private static int counter(URI url, String route, String code) throws IOException {
        try (RawHttp http = new RawHttp(url)) {
            Matcher matcher = Pattern.compile(
                            "model_deploy_requests_total\\{[^}]*route=\"" + route + "\",code=\"" + code + "\"} (\\d+)")
                    .matcher(http.get("/metrics").text());
            return matcher.find() ? Integer.parseInt(matcher.group(1)) : 0;
        }
    }

    static Stream<Arguments> badRequests() {
        String tooBig = "{\"instances\": [[" + "1,".repeat(2500) + "1]]}";
        return Stream.of(
                Arguments.of(
                        "malformed JSON",
                        "POST",
                        "/predict",
                        "application/json",
                        "{\"instances\": [1,",
                        400,
                        "malformed JSON at line 1 column 18: Expecting value"),
                Arguments.of(
                        "body is an array",
                        "POST",
                        "/predict",
                        "application/json",
                        "[1, 2]",
                        400,
                        "request body must be a JSON object with an \"instances\" array, was array"),
                Arguments.of(
                        "missing instances",
                        "POST",
                        "/predict",
                        "application/json",
                        "{\"rows\": []}",
                        400,
                        "missing field \"instances\""),
                Arguments.of(
                        "instances not an array",
                        "POST",
                        "/predict",
                        "application/json",
                        "{\"instances\": {\"a\": 1}}",
                        400,
                        "\"instances\" must be an array, was object"),
                Arguments.of(
                        "empty instances",
                        "POST",
                        "/predict",
                        "application/json",
                        "{\"instances\": []}",
                        400,
                        "\"instances\" must not be empty"),
                Arguments.of(
                        "empty body",
                        "POST",
                        "/predict",
                        "application/json",
                        "",
                        400,
                        "request body is empty; send a JSON object"),
                Arguments.of(
                        "NaN literal",
                        "POST",
                        "/predict",
                        "application/json",
                        "{\"instances\": [[NaN]]}",
                        400,
                        "malformed JSON: NaN is not a JSON value"),
                Arguments.of(
                        "huge body",
                        "POST",
                        "/predict",
                        "application/json",
                        tooBig,
                        413,
                        "request body of " + tooBig.length() + " bytes exceeds the limit of 4096 bytes"),
                Arguments.of(
                        "wrong content type",
                        "POST",
                        "/predict",
                        "text/plain",
                        "{\"instances\": [[1, 2]]}",
                        415,
                        "Content-Type must be application/json, was text/plain"),
                Arguments.of(
                        "form content type",
                        "POST",
                        "/predict",
                        "application/x-www-form-urlencoded",
                        "instances=1",
                        415,
                        "Content-Type must be application/json, was" + " application/x-www-form-urlencoded"),
                Arguments.of(
                        "unknown model",
                        "POST",
                        "/v2/models/nope/infer",
                        "application/json",
                        "{}",
                        404,
                        "model \"nope\" not found; this server serves \"echo\""),
                Arguments.of(
                        "unknown version",
                        "POST",
                        "/v2/models/echo/versions/9/infer",
                        "application/json",
                        "{}",
                        404,
                        "model \"echo\" has no version \"9\"; this server serves version \"7\""),
                Arguments.of(
                        "unknown model metadata",
                        "GET",
                        "/v2/models/nope",
                        null,
                        null,
                        404,
                        "model \"nope\" not found; this server serves \"echo\""),
                Arguments.of("unknown path", "GET", "/nope", null, null, 404, "no route for GET /nope"),
                Arguments.of(
                        "wrong method", "GET", "/predict", null, null, 405, "GET /predict is not allowed; use POST"),
                Arguments.of(
                        "model raises",
                        "POST",
                        "/predict",
                        "application/json",
                        "{\"instances\": [{\"raise\": \"boom\"}]}",
                        500,
                        "prediction failed: ValueError: boom"),
                Arguments.of(
                        "model returns too few",
                        "POST",
                        "/predict",
                        "application/json",
                        "{\"instances\": [{\"wrong_count\": 1}]}",
                        500,
                        "model returned 0 predictions for 1 instances"),
                Arguments.of(
                        "V2 missing inputs",
                        "POST",
                        "/v2/models/echo/infer",
                        "application/json",
                        "{}",
                        400,
                        "missing field \"inputs\""),
                Arguments.of(
                        "V2 shape mismatch",
                        "POST",
                        "/v2/models/echo/infer",
                        "application/json",
                        "{\"inputs\": [{\"name\": \"x\", \"shape\": [2, 4], \"datatype\": \"FP32\", \"data\": [1, 2, 3,"
                                + " 4, 5, 6, 7]}]}",
                        400,
                        "inputs[0]: shape [2, 4] needs 8 values, got 7"),
                Arguments.of(
                        "V2 unknown datatype",
                        "POST",
                        "/v2/models/echo/infer",
                        "application/json",
                        "{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"FLOAT\", \"data\": [1]}]}",
                        400,
                        "inputs[0].datatype: must be one of BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16,"
                                + " INT32, INT64, FP16, FP32, FP64, BYTES, was \"FLOAT\""),
                Arguments.of(
                        "V2 wrong value type",
                        "POST",
                        "/v2/models/echo/infer",
                        "application/json",
                        "{\"inputs\": [{\"name\": \"x\", \"shape\": [2], \"datatype\": \"FP32\", \"data\": [1, \"a\"]}]}",
                        400,
                        "inputs[0].data[1]: FP32 value expected, was string"),
                Arguments.of(
                        "V2 missing tensor field",
                        "POST",
                        "/v2/models/echo/infer",
                        "application/json",
                        "{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"FP32\"}]}",
                        400,
                        "inputs[0]: missing field \"data\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void rejectsBadRequestsWithExactStatusAndMessage(
            String name, String method, String path, String contentType, String body, int status, String message)
            throws IOException {
        try (RawHttp http = new RawHttp(echo.url())) {
            RawHttp.Response response = method.equals("GET")
                    ? http.get(path)
                    : http.post(path, contentType, body.getBytes(StandardCharsets.UTF_8));
            assertThat(response.status()).as(response.text()).isEqualTo(status);
            assertThat(response.header("content-type")).isEqualTo("application/json");
            assertThat(response.error()).isEqualTo(message);
            assertThat(response.header("x-model-name")).isEqualTo("echo");
        }
    }

    @Test
    void rejectsWrongTypesAgainstTheSignature() throws IOException {
        try (RawHttp http = new RawHttp(iris.url())) {
            assertThat(http.postJson("/predict", "{\"instances\": [[5.1, 3.5, \"long\", 0.2]]}")
                            .error())
                    .isEqualTo("instances[0][2] (petal_length): expected number, was string");
            assertThat(http.postJson("/predict", "{\"instances\": [[5.1, 3.5, 1.4]]}")
                            .error())
                    .isEqualTo("instances[0]: expected 4 values (sepal_length, sepal_width, petal_length,"
                            + " petal_width), got 3");
            assertThat(http.postJson("/predict", "{\"instances\": [[5.1, 3.5, 1.4, 0.2], {\"a\": 1}]}")
                            .error())
                    .isEqualTo("instances[1]: expected an array of 4 values, was object");
            assertThat(http.postJson("/predict", "{\"instances\": [[5.1, 3.5, 1.4, true]]}")
                            .error())
                    .isEqualTo("instances[0][3] (petal_width): expected number, was boolean");
        }
    }

    @Test
    void rejectsMalformedFramingAndClosesTheConnection() throws IOException {
        try (RawHttp http = new RawHttp(echo.url())) {
            RawHttp.Response response =
                    http.exchange(("POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type:" + " application/json\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            assertThat(response.status()).isEqualTo(411);
            assertThat(response.error()).isEqualTo("Content-Length or chunked Transfer-Encoding required");
            assertThat(response.closes()).isTrue();
        }
        try (RawHttp http = new RawHttp(echo.url())) {
            byte[] body = {'{', '"', 'a', '"', ':', ' ', '"', (byte) 0xff, '"', '}'};
            RawHttp.Response response = http.post("/predict", "application/json", body);
            assertThat(response.status()).isEqualTo(400);
            assertThat(response.error()).isEqualTo("request body is not valid UTF-8 (byte 7)");
        }
        try (RawHttp http = new RawHttp(echo.url())) {
            String chunk = "x".repeat(3000);
            RawHttp.Response response = http.exchange(("POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type:"
                            + " application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                            + Integer.toHexString(chunk.length())
                            + "\r\n" + chunk + "\r\n" + Integer.toHexString(chunk.length()) + "\r\n" + chunk
                            + "\r\n0\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(response.status()).isEqualTo(413);
            assertThat(response.error()).isEqualTo("chunked request body exceeds the limit of 4096 bytes");
            assertThat(response.closes()).isTrue();
        }
    }

    @Test
    void acceptsChunkedBodiesWithinTheLimit() throws IOException {
        try (RawHttp http = new RawHttp(echo.url())) {
            String body = "{\"instances\": [[20, 22]]}";
            RawHttp.Response response = http.exchange(("POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type:"
                            + " application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n" + body.substring(0, 5)
                            + "\r\n"
                            + Integer.toHexString(body.length() - 5) + "\r\n" + body.substring(5) + "\r\n0\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(response.json().get("predictions")).hasToString("[42]");
        }
    }

    @Test
    void aFailingModelStopsTheHarnessWithItsError() throws IOException {
        Path broken = TestModels.testModel("broken-python", workDir);
        assertThatThrownBy(() -> HarnessProcess.start(
                        ModelVersion.of(new ModelSpecLoader().load(broken), "1", "t"),
                        HarnessOptions.loopback(),
                        line -> {}))
                .isInstanceOf(HarnessStartException.class)
                .hasMessageStartingWith("model broken-1 failed to start (harness exit code 3)")
                .hasMessageContaining("RuntimeError: weights file is corrupt");
    }
}
