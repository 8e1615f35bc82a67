package io.jenkins.plugins.modeldeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.modeldeploy.local.ExampleModels;
import io.jenkins.plugins.modeldeploy.testing.LocalRegistry;
import io.jenkins.plugins.modeldeploy.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `build` from the packaged CLI: JSON result as the last line, and one-line errors. */
class BuildCliIT {
    private static final Path JAR = Path.of(System.getProperty("modeldeploy.cliJar", "target/model-deploy-cli.jar"));

    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err) {}

    private static Run run(String... args) throws Exception {
        return runWith(List.of(), args);
    }

    private static Run runWith(List<String> jvmOptions, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("java"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", JAR.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();
        return new Run(process.exitValue(), out, err);
    }

    @Test
    void buildsPushesAndReportsJson() throws Exception {
        Path model = ExampleModels.copy(TestModels.examplesRoot(), ExampleModels.IRIS_PYTHON, dir);
        Files.write(model.resolve("model.pkl"), new byte[1024]);
        try (LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"), null, null)) {
            String repository = registry.host() + "/models/iris";
            Path journal = dir.resolve("journal");
            Run first = run(
                    "build",
                    model.toString(),
                    "--version",
                    "1",
                    "--image",
                    repository,
                    "--base-image",
                    "scratch",
                    "--insecure-registry",
                    "--output",
                    "json",
                    "--journal-dir",
                    journal.toString());
            assertThat(first.exitCode()).as(first.err()).isZero();
            JsonNode json = new ObjectMapper()
                    .readTree(first.out().strip().lines().reduce((a, b) -> b).orElseThrow());
            assertThat(json.get("image").asText()).isEqualTo(repository + ":1");
            assertThat(json.get("digest").asText()).isEqualTo(registry.digest("models/iris", "1"));
            assertThat(json.get("pinned").asText())
                    .isEqualTo(repository + "@" + json.get("digest").asText());
            assertThat(json.get("layersPushed").asInt()).isEqualTo(3);
            assertThat(json.get("bytesPushed").asLong()).isPositive();
            List<String> types = new ArrayList<>();
            for (String line : Files.readAllLines(journal.resolve("iris-1.jsonl"))) {
                types.add(new ObjectMapper().readTree(line).get("type").asText());
            }
            assertThat(types).containsExactly("build.started", "build.finished");
            assertThat(first.err())
                    .contains("iris-1 build     built " + json.get("pinned").asText());

            Run invalid = run("build", model.toString(), "--version", "1.0", "--image", repository);
            assertThat(invalid.exitCode()).isEqualTo(1);
            assertThat(invalid.err())
                    .startsWith("model-deploy build: invalid model in ")
                    .contains("--version: must be" + " lower-case letters")
                    .hasLineCount(1);
        }
    }

    /** Without --username the credentials come from the user's Docker config file (~/.docker/config.json). */
    @Test
    void usesTheDockerConfigCredentialsAndNamesARefusal() throws Exception {
        Path model = ExampleModels.copy(TestModels.examplesRoot(), ExampleModels.IRIS_PYTHON, dir);
        Files.write(model.resolve("model.pkl"), new byte[1024]);
        try (LocalRegistry registry = LocalRegistry.start(dir.resolve("secured"), "carol", "s3cret-pass")) {
            Path home = dir.resolve("home");
            Files.createDirectories(home.resolve(".docker"));
            Files.writeString(
                    home.resolve(".docker/config.json"),
                    "{\"auths\": {\"" + registry.host() + "\": {\"auth\": \""
                            + java.util.Base64.getEncoder()
                                    .encodeToString("carol:s3cret-pass".getBytes(StandardCharsets.UTF_8))
                            + "\"}}}");
            String repository = registry.host() + "/models/iris";
            Run pushed = runWith(
                    List.of("-Duser.home=" + home),
                    "build",
                    model.toString(),
                    "--version",
                    "1",
                    "--image",
                    repository,
                    "--base-image",
                    "scratch",
                    "--insecure-registry",
                    "--output",
                    "json",
                    "--journal-dir",
                    dir.resolve("journal").toString());
            assertThat(pushed.exitCode()).as(pushed.err()).isZero();
            assertThat(registry.digest("models/iris", "1")).isNotNull();

            Run refused = runWith(
                    List.of("-Duser.home=" + dir.resolve("nobody")),
                    "build",
                    model.toString(),
                    "--version",
                    "2",
                    "--image",
                    repository,
                    "--base-image",
                    "scratch",
                    "--insecure-registry",
                    "--journal-dir",
                    dir.resolve("journal").toString());
            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.err().strip().lines().reduce((a, b) -> b).orElseThrow())
                    .isEqualTo("model-deploy build:"
                            + " registry " + registry.host()
                            + " refused the Docker config file's credentials (or none) for "
                            + repository + " (401 Unauthorized)");
        }
    }
}
