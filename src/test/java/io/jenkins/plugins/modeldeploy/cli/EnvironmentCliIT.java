package io.jenkins.plugins.modeldeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.modeldeploy.model.ModelRuntime;
import io.jenkins.plugins.modeldeploy.testing.BaseImageCache;
import io.jenkins.plugins.modeldeploy.testing.Wheels;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The user story through the command line: a model whose requirements name a package that exists only in a
 * wheelhouse built here is built and verified ({@code build --verify}), served by {@code serve} and by the local target
 * with that package, and the same model importing a module it did not declare fails {@code build --verify} naming it
 * with nothing written.
 */
class EnvironmentCliIT {
    private static final Path JAR = Path.of(System.getProperty("modeldeploy.cliJar", "target/model-deploy-cli.jar"));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String BODY = "{\"instances\": [1, 2]}";

    @TempDir
    Path dir;

    record Run(int exitCode, String out, String err) {
        JsonNode json() throws Exception {
            return JSON.readTree(out.strip().lines().reduce((a, b) -> b).orElseThrow());
        }
    }

    private static Run run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("java", "-jar", JAR.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("MODEL_DEPLOY_STATE");
        Process process = builder.start();
        var err = process.getErrorStream();
        byte[] out = process.getInputStream().readAllBytes();
        byte[] errBytes = err.readAllBytes();
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
        return new Run(
                process.exitValue(),
                new String(out, StandardCharsets.UTF_8),
                new String(errBytes, StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> predict(URI url) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(url)
                        .timeout(Duration.ofSeconds(20))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(BODY))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private Path model() throws Exception {
        Path model = Files.createDirectories(dir.resolve("toy"));
        Path wheels = Files.createDirectories(model.resolve("wheels"));
        Wheels.build(dir, "mdtoycli", "def double(x):\n    return 2 * x\n", wheels);
        Files.writeString(model.resolve("requirements.txt"), "mdtoycli==1.0\n");
        Files.writeString(model.resolve("model.py"), """
                import mdtoycli


                class Toy:
                    def predict(self, instances):
                        return [mdtoycli.double(x) for x in instances]
                """);
        Files.createDirectories(model.resolve("samples"));
        Files.writeString(model.resolve("samples/one.json"), "{\"instances\": [1, 2], \"expected\": [2, 4]}");
        Files.writeString(model.resolve("model.yaml"), """
                name: toy
                runtime: python
                entrypoint: model:Toy
                samples:
                  - samples/*.json
                slo: {rps: 20, p99Ms: 500, maxErrorRate: 0.01}
                environment:
                  requirements: requirements.txt
                  wheelhouse: wheels
                """);
        return model;
    }

    @Test
    void aWheelhouseModelBuildsVerifiesAndServesThroughServeAndTheLocalTarget() throws Exception {
        Path model = model();
        String base = "tar:" + BaseImageCache.tar(ModelRuntime.PYTHON);

        Path tar = dir.resolve("toy-1.tar");
        Run built = run(
                "build",
                model.toString(),
                "--version",
                "1",
                "--image",
                "127.0.0.1:5999/models/toy",
                "--base-image",
                base,
                "--to",
                "tar:" + tar,
                "--verify",
                "--output",
                "json");
        assertThat(built.exitCode()).as(built.err()).isZero();
        assertThat(built.err()).contains("1 of 1 samples answered");
        assertThat(built.json().path("digest").asText()).startsWith("sha256:");
        assertThat(tar).exists();

        // an import the model did not declare: the build fails naming it, and writes nothing
        Files.writeString(
                model.resolve("model.py"), "import mdtoy_undeclared\n" + Files.readString(model.resolve("model.py")));
        Path bad = dir.resolve("toy-2.tar");
        Run refused = run(
                "build",
                model.toString(),
                "--version",
                "2",
                "--image",
                "127.0.0.1:5999/models/toy",
                "--base-image",
                base,
                "--to",
                "tar:" + bad,
                "--verify");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("No module named 'mdtoy_undeclared'");
        assertThat(bad).doesNotExist();
        Files.writeString(
                model.resolve("model.py"),
                Files.readString(model.resolve("model.py")).replace("import mdtoy_undeclared\n", ""));

        // serve: the declared package comes from the resolved environment, not from the machine
        Process serve = new ProcessBuilder(
                        "java", "-jar", JAR.toString(), "serve", model.toString(), "--port", "0", "--workers", "1")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            String first = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertThat(first).contains(" at ");
            HttpResponse<String> served = predict(URI.create(first.substring(first.indexOf(" at ") + 4) + "/predict"));
            assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
            assertThat(JSON.readTree(served.body()).get("predictions")).hasToString("[2,4]");
        } finally {
            serve.destroy();
            assertThat(serve.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        // the local target runs its own copy of the version: the environment's inputs go with it
        String state = dir.resolve("state").toString();
        Run started = run("local", "start", "--state", state, "--output", "json");
        assertThat(started.exitCode()).as(started.err()).isZero();
        URI gateway = URI.create(started.json().path("gateway").asText());
        try {
            Run deploy = run(
                    "deploy",
                    model.toString(),
                    "--version",
                    "1",
                    "--target",
                    "local",
                    "--state",
                    state,
                    "--smoke-duration",
                    "3s",
                    "--smoke-warmup",
                    "1s",
                    "--output",
                    "json");
            assertThat(deploy.exitCode()).as(deploy.err()).isZero();
            assertThat(deploy.json().path("outcome").asText()).isEqualTo("PROMOTED");
            HttpResponse<String> routed = predict(URI.create(gateway + "/models/toy/predict"));
            assertThat(routed.statusCode()).as(routed.body()).isEqualTo(200);
            assertThat(JSON.readTree(routed.body()).get("predictions")).hasToString("[2,4]");
        } finally {
            Run stopped = run("local", "stop", "--state", state);
            assertThat(stopped.exitCode()).as(stopped.err()).isZero();
        }
    }
}
