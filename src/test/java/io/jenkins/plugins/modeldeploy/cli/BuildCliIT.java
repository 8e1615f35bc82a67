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

    /**
     * A disk that fills while the tar is written (simulated with the shell's file-size limit, {@code ulimit -f}, which
     * makes a write past it fail with EFBIG, "File too large", as ENOSPC would on a full disk; HotSpot ignores SIGXFSZ so
     * the JVM sees the error): the previous tar stays as it was and no partial file is left beside it.
     */
    @Test
    void aTarThatCannotBeWrittenCompletelyLeavesThePreviousTarAndNoPartialFile() throws Exception {
        Path model = ExampleModels.copy(TestModels.examplesRoot(), ExampleModels.IRIS_PYTHON, dir.resolve("model"));
        Files.write(model.resolve("model.pkl"), new byte[1024]);
        Path out = Files.createDirectories(dir.resolve("out"));
        Path tar = out.resolve("iris.tar");
        Run first = run(
                "build",
                model.toString(),
                "--version",
                "1",
                "--image",
                "registry.local/models/iris",
                "--base-image",
                "scratch",
                "--to",
                "tar:" + tar);
        assertThat(first.exitCode()).as(first.err()).isZero();
        byte[] previous = Files.readAllBytes(tar);
        long largestEntry = 0;
        try (var entries =
                new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(Files.newInputStream(tar))) {
            for (var entry = entries.getNextEntry(); entry != null; entry = entries.getNextEntry()) {
                largestEntry = Math.max(largestEntry, entry.getSize());
            }
        }
        // Jib's layer cache holds one file per layer (at most the largest entry): a limit between that and the whole
        // tar lets the cache be written and stops the tar part-way.
        long limitKiB = (largestEntry + previous.length) / 2 / 1024;
        assertThat(limitKiB * 1024).isGreaterThan(largestEntry + 4096).isLessThan(previous.length - 4096L);

        Files.writeString(
                model.resolve("model.py"),
                "\n# a code change, so the new tar would differ\n",
                java.nio.file.StandardOpenOption.APPEND);
        List<String> command = List.of(
                "bash",
                "-c",
                "ulimit -f " + limitKiB + " && exec \"$@\"",
                "bash",
                "java",
                "-XX:-UsePerfData",
                "-jar",
                JAR.toString(),
                "build",
                model.toString(),
                "--version",
                "2",
                "--image",
                "registry.local/models/iris",
                "--base-image",
                "scratch",
                "--to",
                "tar:" + tar);
        Process process = new ProcessBuilder(command).start();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        process.getInputStream().readAllBytes();
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();

        assertThat(process.exitValue()).as(err).isEqualTo(1);
        assertThat(err)
                .contains("model-deploy build: building registry.local/models/iris:2 into " + tar + " failed: ")
                .contains("File too large")
                .contains("the existing tar was left as it was");
        assertThat(Files.readAllBytes(tar)).isEqualTo(previous);
        try (var files = Files.list(out)) {
            assertThat(files).containsExactly(tar);
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
