package io.jenkins.plugins.modeldeploy.harness;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.testing.RawHttp;
import io.jenkins.plugins.modeldeploy.testing.TestModels;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The harness against the Open Inference Protocol's REST text, vendored under {@code src/test/resources/oip} (see
 * ORIGIN.md there): every endpoint of the spec's API table and of the OpenAPI file's {@code paths}, each answer's
 * JSON object field by field, and the error cases ({@code {"error": $string}} with an HTTP error status), for the
 * Python and the R harness (mpg-python and echo-r compute the same function, so the same requests serve both).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HarnessConformanceIT {
    private static final Set<String> DATATYPES = Set.of(
            "BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64",
            "BYTES");
    private static final String TWO_ROWS = "{\"id\": \"42\", \"inputs\": ["
            + "{\"name\": \"wt\", \"shape\": [2], \"datatype\": \"FP64\", \"data\": [2.62, 3.57]},"
            + "{\"name\": \"hp\", \"shape\": [2], \"datatype\": \"FP64\", \"data\": [110, 245]}]%s}";

    @TempDir
    static Path workDir;

    private final Map<String, HarnessProcess> harnesses = new java.util.HashMap<>();

    @BeforeAll
    void start() throws Exception {
        for (String model : List.of("mpg-python", "echo-r")) {
            harnesses.put(
                    model,
                    HarnessProcess.start(
                            ModelVersion.of(
                                    new ModelSpecLoader().load(TestModels.testModel(model, workDir)), "3", "test"),
                            HarnessOptions.loopback(),
                            line -> {}));
        }
    }

    @AfterAll
    void stop() {
        harnesses.values().forEach(HarnessProcess::close);
    }

    /** The API table of inference_rest.md and the paths of open_inference_rest.yaml name what we walk below. */
    @Test
    void theVendoredSpecNamesExactlyTheEndpointsWalked() throws IOException {
        Set<String> apis = new LinkedHashSet<>();
        Matcher row = Pattern.compile("(?m)^\\|\\s*([A-Za-z ]+?)\\s*\\|\\s*(GET|POST)\\s*\\|\\s*(v2[^|]*?)\\s*\\|")
                .matcher(resource("inference_rest.md"));
        while (row.find()) {
            apis.add(row.group(2) + " " + row.group(3).replace("\\", "").trim());
        }
        assertThat(apis)
                .containsExactlyInAnyOrder(
                        "POST v2/models/<model_name>[/versions/<model_version>]/infer",
                        "GET v2/models/<model_name>[/versions/<model_version>]",
                        "GET v2/health/ready",
                        "GET v2/health/live",
                        "GET v2",
                        "GET v2/models/<model_name>[/versions/<model_version>]/ready");
        Set<String> paths = new LinkedHashSet<>();
        Matcher path = Pattern.compile("(?m)^  '?(/v2[^':]*)'?:$").matcher(resource("open_inference_rest.yaml"));
        while (path.find()) {
            paths.add(path.group(1));
        }
        assertThat(paths)
                .containsExactlyInAnyOrder(
                        "/v2/health/live",
                        "/v2/health/ready",
                        "/v2/models/${MODEL_NAME}/versions/${MODEL_VERSION}/ready",
                        "/v2/",
                        "/v2/models/${MODEL_NAME}/versions/${MODEL_VERSION}",
                        "/v2/models/${MODEL_NAME}/versions/${MODEL_VERSION}/infer");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mpg-python", "echo-r"})
    void healthAndServerMetadata(String model) throws IOException {
        try (RawHttp http = new RawHttp(harnesses.get(model).url())) {
            assertThat(json(http.get("/v2/health/live"), 200)).hasToString("{\"live\":true}");
            assertThat(json(http.get("/v2/health/ready"), 200)).hasToString("{\"ready\":true}");
            for (String path : List.of("/v2", "/v2/")) {
                JsonNode server = json(http.get(path), 200);
                assertThat(server.get("name").isTextual()).isTrue();
                assertThat(server.get("version").isTextual()).isTrue();
                assertThat(server.get("extensions").isArray()).isTrue();
                server.get("extensions").forEach(e -> assertThat(e.isTextual()).isTrue());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mpg-python", "echo-r"})
    void modelReadyAndMetadata(String model) throws IOException {
        try (RawHttp http = new RawHttp(harnesses.get(model).url())) {
            for (String base : List.of("/v2/models/" + model, "/v2/models/" + model + "/versions/3")) {
                assertThat(json(http.get(base + "/ready"), 200))
                        .hasToString("{\"name\":\"" + model + "\",\"ready\":true}");
                JsonNode metadata = json(http.get(base), 200);
                assertThat(metadata.get("name").asText()).isEqualTo(model);
                assertThat(metadata.get("versions")).hasToString("[\"3\"]");
                assertThat(metadata.get("platform").asText())
                        .matches("[a-z0-9]+_[a-z0-9]+")
                        .isEqualTo(model.endsWith("-r") ? "r_script" : "python_module");
                assertThat(metadata.get("inputs"))
                        .hasToString("[{\"name\":\"wt\",\"datatype\":\"FP64\",\"shape\":[-1]},"
                                + "{\"name\":\"hp\",\"datatype\":\"FP64\",\"shape\":[-1]}]");
                metadata.get("outputs").forEach(HarnessConformanceIT::assertMetadataTensor);
            }
            // once a prediction has shown the output, metadata reports its real datatype and shape
            json(http.postJson("/v2/models/" + model + "/infer", TWO_ROWS.formatted("")), 200);
            assertThat(json(http.get("/v2/models/" + model), 200).get("outputs"))
                    .hasToString("[{\"name\":\"output-0\",\"datatype\":\"FP64\",\"shape\":[-1]}]");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mpg-python", "echo-r"})
    void inference(String model) throws IOException {
        try (RawHttp http = new RawHttp(harnesses.get(model).url())) {
            for (String path : List.of("/v2/models/" + model + "/infer", "/v2/models/" + model + "/versions/3/infer")) {
                for (String outputs : List.of("", ", \"outputs\": [{\"name\": \"output-0\", \"parameters\": {}}]")) {
                    JsonNode response = json(http.postJson(path, TWO_ROWS.formatted(outputs)), 200);
                    assertThat(response.get("model_name").asText()).isEqualTo(model);
                    assertThat(response.get("model_version").asText()).isEqualTo("3");
                    assertThat(response.get("id").asText()).isEqualTo("42");
                    assertThat(response.get("outputs")).hasSize(1);
                    JsonNode output = response.at("/outputs/0");
                    assertThat(output.get("name").asText()).isEqualTo("output-0");
                    assertThat(output.get("datatype").asText()).isEqualTo("FP64");
                    assertThat(output.get("shape")).hasToString("[2]");
                    assertThat(output.get("data")).hasSize(2);
                    assertThat(output.at("/data/0").asDouble()).isBetween(23.5, 23.6);
                }
            }
            // without "id" the answer's "id" is the request id it carries in X-Request-Id (issue #17: every answer is
            // attributable; the spec's response "id" is an optional string)
            RawHttp.Response anonymous = http.postJson(
                    "/v2/models/" + model + "/infer", TWO_ROWS.formatted("").replace("\"id\": \"42\", ", ""));
            assertThat(json(anonymous, 200).get("id").asText())
                    .matches("[0-9a-f]{32}")
                    .isEqualTo(anonymous.header("x-request-id"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mpg-python", "echo-r"})
    void errorsAreAnErrorStatusWithAnErrorObject(String model) throws IOException {
        String infer = "/v2/models/" + model + "/infer";
        String tensorWt = "{\"name\": \"wt\", \"shape\": [1], \"datatype\": \"FP64\", \"data\": [%s]}";
        String tensorHp = "{\"name\": \"hp\", \"shape\": [1], \"datatype\": \"FP64\", \"data\": [100]}";
        String one = "{\"inputs\": [" + tensorWt + ", " + tensorHp + "]%s}";
        List<Object[]> cases = new ArrayList<>();
        cases.add(new Object[] {"GET", "/v2/models/nope", null, 404});
        cases.add(new Object[] {"GET", "/v2/models/nope/ready", null, 404});
        cases.add(new Object[] {"GET", "/v2/models/" + model + "/versions/9", null, 404});
        cases.add(new Object[] {"POST", "/v2/models/nope/infer", one.formatted("1", ""), 404});
        cases.add(new Object[] {"POST", "/v2/models/" + model + "/versions/9/infer", one.formatted("1", ""), 404});
        cases.add(new Object[] {"GET", infer, null, 405});
        cases.add(new Object[] {"POST", "/v2/models/" + model, "{}", 405});
        cases.add(new Object[] {"POST", infer, "{\"inputs\": [", 400});
        cases.add(new Object[] {"POST", infer, "null", 400});
        cases.add(new Object[] {"POST", infer, "{}", 400});
        cases.add(new Object[] {"POST", infer, "{\"inputs\": {}}", 400});
        cases.add(new Object[] {"POST", infer, "{\"inputs\": []}", 400});
        for (String withoutOneField : List.of(
                "{\"shape\": [1], \"datatype\": \"FP64\", \"data\": [1]}",
                "{\"name\": \"wt\", \"datatype\": \"FP64\", \"data\": [1]}",
                "{\"name\": \"wt\", \"shape\": [1], \"data\": [1]}",
                "{\"name\": \"wt\", \"shape\": [1], \"datatype\": \"FP64\"}")) {
            cases.add(new Object[] {"POST", infer, "{\"inputs\": [" + withoutOneField + ", " + tensorHp + "]}", 400});
        }
        cases.add(new Object[] {"POST", infer, one.formatted("1", "").replace("FP64", "FLOAT"), 400});
        cases.add(new Object[] {"POST", infer, one.formatted("1, 2", ""), 400}); // shape [1], two values
        cases.add(new Object[] {"POST", infer, one.formatted("\"heavy\"", ""), 400});
        cases.add(new Object[] {
            "POST", infer, one.formatted("1", "").replaceFirst("FP64", "INT8").replace("[1]}", "[1000]}"), 400
        });
        cases.add(new Object[] {"POST", infer, one.formatted("1", ", \"id\": 42"), 400});
        cases.add(new Object[] {"POST", infer, one.formatted("1", ", \"parameters\": []"), 400});
        cases.add(new Object[] {"POST", infer, one.formatted("1", ", \"parameters\": {\"a\": {}}"), 400});
        cases.add(new Object[] {"POST", infer, one.formatted("1", ", \"outputs\": [{\"name\": \"nope\"}]"), 400});
        cases.add(new Object[] {"POST", infer, one.formatted("1", ", \"outputs\": [{}]"), 400});
        cases.add(new Object[] {"POST", infer, one.formatted("-1", ""), 500}); // the model raises
        cases.add(new Object[] {"POST", infer, one.formatted("999", ""), 500}); // the model answers infinity
        cases.add(new Object[] {"POST", infer, one.formatted("998", ""), 500}); // the model answers NaN
        try (RawHttp http = new RawHttp(harnesses.get(model).url())) {
            for (Object[] c : cases) {
                RawHttp.Response response = c[0].equals("GET")
                        ? http.get((String) c[1])
                        : http.post(
                                (String) c[1], "application/json", ((String) c[2]).getBytes(StandardCharsets.UTF_8));
                assertThat(response.status())
                        .as(c[0] + " " + c[1] + " " + c[2] + ": " + response.text())
                        .isEqualTo(c[3]);
                JsonNode error = response.json();
                assertThat(error.size()).as(response.text()).isEqualTo(1);
                assertThat(error.get("error").isTextual()).as(response.text()).isTrue();
            }
        }
    }

    private static JsonNode json(RawHttp.Response response, int status) {
        assertThat(response.status()).as(response.text()).isEqualTo(status);
        assertThat(response.header("content-type")).isEqualTo("application/json");
        return response.json();
    }

    private static void assertMetadataTensor(JsonNode tensor) {
        assertThat(tensor.get("name").isTextual()).as(tensor.toString()).isTrue();
        assertThat(DATATYPES).contains(tensor.get("datatype").asText());
        assertThat(tensor.get("shape").isArray()).isTrue();
        tensor.get("shape")
                .forEach(d -> assertThat(d.isInt() && d.asInt() >= -1).isTrue());
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = HarnessConformanceIT.class.getResourceAsStream("/oip/" + name)) {
            assertThat(in).as("vendored spec file " + name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
