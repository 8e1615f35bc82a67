package io.jenkins.plugins.modeldeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.modeldeploy.event.JournalSink;
import io.jenkins.plugins.modeldeploy.testing.RawHttp;
import io.jenkins.plugins.modeldeploy.testing.TestModels;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The packaged CLI jar as users run it: help everywhere, exit codes, one-line errors, serve and demo. */
class CliIT {
    private static final Path JAR = Path.of(System.getProperty("modeldeploy.cliJar", "target/model-deploy-cli.jar"));

    @TempDir
    Path workDir;

    record Run(int exitCode, String out, String err) {}

    private static Run run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("java", "-jar", JAR.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        var out = process.getInputStream().readAllBytes();
        var err = process.getErrorStream().readAllBytes();
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();
        return new Run(
                process.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "serve",
                "validate",
                "build",
                "base-image",
                "render",
                "smoke",
                "events",
                "events tail",
                "demo",
                "deploy",
                "promote",
                "rollback",
                "status",
                "local",
                "local start",
                "local stop",
                "local status"
            })
    void everyCommandHasHelp(String command) throws Exception {
        List<String> args = new ArrayList<>(command.isEmpty() ? List.of() : List.of(command.split(" ")));
        args.add("--help");
        Run run = run(args.toArray(String[]::new));
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("Usage: model-deploy" + (command.isEmpty() ? "" : " " + command));
        assertThat(run.err()).isEmpty();
    }

    @Test
    void smokeWritesReportsAndFailsTheExitCodeWhenTheSloIsMissed() throws Exception {
        Path model = TestModels.testModel("echo-python", workDir);
        Process serve = new ProcessBuilder(
                        "java", "-jar", JAR.toString(), "serve", model.toString(), "--port", "0", "--workers", "1")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            String first = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            String url = first.substring(first.indexOf(" at ") + 4) + "/predict";
            Path reports = workDir.resolve("reports");
            Run passed = run(
                    "smoke",
                    "--url",
                    url,
                    "--model",
                    model.toString(),
                    "--rate",
                    "50",
                    "--duration",
                    "2s",
                    "--warmup",
                    "500ms",
                    "--check",
                    "shape",
                    "--report-dir",
                    reports.toString(),
                    "--journal-dir",
                    workDir.resolve("journal").toString());
            assertThat(passed.exitCode()).as(passed.err()).isZero();
            assertThat(passed.out()).startsWith("PASSED: 75 requests at 50.0 req/s (target 50.0), 0 errors {}");
            assertThat(reports.resolve("smoke.json")).exists();
            assertThat(reports.resolve("smoke-junit.xml")).exists();
            assertThat(reports.resolve("smoke.html")).exists();

            Run failed = run(
                    "smoke",
                    "--url",
                    url,
                    "--payload",
                    model.resolve("samples/one.json").toString(),
                    "--rate",
                    "50",
                    "--duration",
                    "2s",
                    "--warmup",
                    "500ms",
                    "--p99",
                    "0.001ms",
                    "--output",
                    "json");
            assertThat(failed.exitCode()).isEqualTo(1);
            JsonNode result = new ObjectMapper().readTree(failed.out().strip());
            assertThat(result.get("passed").asBoolean()).isFalse();
            assertThat(result.get("requests").asInt()).isEqualTo(75);
            assertThat(failed.err())
                    .startsWith("model-deploy smoke: smoke test failed: p99 latency ")
                    .contains(" ms exceeds the limit of 0.001 ms")
                    .hasLineCount(1);
        } finally {
            serve.destroy();
            serve.waitFor(20, TimeUnit.SECONDS);
        }
    }

    /**
     * A report directory that cannot be written (here: its parent is a regular file, which refuses root as well as
     * anyone; a chmod'ed directory would not stop a root test run) loses nothing of the result: it goes to stdout, the
     * journal and the smoke.finished event, and the write failure is named on stderr and in the exit code.
     */
    @Test
    void smokeWithAnUnwritableReportDirStillReportsTheResultAndNamesTheWriteFailure() throws Exception {
        Path model = TestModels.testModel("echo-python", workDir);
        Process serve = new ProcessBuilder(
                        "java", "-jar", JAR.toString(), "serve", model.toString(), "--port", "0", "--workers", "1")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            String first = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            String url = first.substring(first.indexOf(" at ") + 4) + "/predict";
            Path notADirectory = Files.writeString(workDir.resolve("a-file"), "x");
            Path reports = notADirectory.resolve("reports");
            Path journal = workDir.resolve("journal");
            Run run = run(
                    "smoke",
                    "--url",
                    url,
                    "--model",
                    model.toString(),
                    "--rate",
                    "50",
                    "--duration",
                    "2s",
                    "--warmup",
                    "500ms",
                    "--report-dir",
                    reports.toString(),
                    "--journal-dir",
                    journal.toString(),
                    "--output",
                    "json");
            assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
            JsonNode result = new ObjectMapper().readTree(run.out().strip());
            assertThat(result.get("passed").asBoolean()).isTrue();
            assertThat(result.get("requests").asInt()).isEqualTo(75);
            assertThat(result.get("reportError").asText())
                    .startsWith("the reports could not be written to " + reports + " (" + notADirectory);
            assertThat(run.err())
                    .contains("smoke test passed: p99 ") // the console event, before the failure line
                    .contains(
                            "model-deploy smoke: smoke test passed but the reports could not be written to " + reports);
            assertThat(Files.readString(journal.resolve("echo-dev.jsonl")))
                    .contains("\"smoke.started\"")
                    .contains("\"smoke.finished\"");
        } finally {
            serve.destroy();
            serve.waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void renderPrintsEveryObjectAsYamlDocuments() throws Exception {
        String image = "registry.local/models/iris@sha256:" + "b".repeat(64);
        Run run = run(
                "render",
                TestModels.examplesRoot().resolve("iris-python").toString(),
                "--version",
                "3",
                "--namespace",
                "models",
                "--image",
                image);
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> kinds = new ArrayList<>();
        var yaml = new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
        try (var parser = yaml.getFactory().createParser(run.out())) {
            var documents = yaml.readValues(parser, JsonNode.class);
            while (documents.hasNext()) {
                JsonNode document = documents.next();
                kinds.add(document.get("kind").asText() + " "
                        + document.at("/metadata/name").asText());
            }
        }
        assertThat(kinds)
                .containsExactly(
                        "Deployment iris-3",
                        "Service iris-3",
                        "HorizontalPodAutoscaler iris-3",
                        "PodDisruptionBudget iris-3",
                        "Middleware iris-strip",
                        "Middleware iris-3-strip",
                        "TraefikService iris",
                        "IngressRoute iris");
        assertThat(run.out()).contains("image: \"" + image + "\"");
        Run unpinned = run(
                "render",
                TestModels.examplesRoot().resolve("iris-python").toString(),
                "--version",
                "3",
                "--namespace",
                "models",
                "--image",
                "registry.local/models/iris:3");
        assertThat(unpinned.exitCode()).isEqualTo(2);
        assertThat(unpinned.err()).startsWith("model-deploy render: --image must be pinned by digest");
    }

    @Test
    void usageErrorsExitTwoWithOneLine() throws Exception {
        Run run = run("serve");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err())
                .isEqualTo("model-deploy serve: Missing required parameter: '<model-dir>' (see"
                        + " model-deploy serve --help)\n");
        Run unknown = run("launch");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err().lines()).hasSize(1);
        assertThat(unknown.err()).startsWith("model-deploy: unexpected argument 'launch'");
    }

    @Test
    void failuresExitOneWithOneLineNamingTheCause() throws Exception {
        Path missing = workDir.resolve("missing");
        Run run = run("serve", missing.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err())
                .isEqualTo("model-deploy serve: invalid model in " + missing + ": " + missing
                        + ": model directory does not exist\n");
        Path broken = TestModels.testModel("broken-python", workDir);
        Run failed = run("serve", broken.toString(), "--port", "0");
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.err().lines().reduce((a, b) -> b).orElseThrow())
                .startsWith("model-deploy serve: model broken-dev failed to start (harness exit code 3); its last"
                        + " log lines: | ")
                .contains("RuntimeError: weights file is corrupt");
    }

    @Test
    void validateListsEveryProblem() throws Exception {
        Path model = TestModels.testModel("echo-python", workDir);
        Run ok = run("validate", model.toString());
        assertThat(ok.exitCode()).isZero();
        assertThat(ok.out()).isEqualTo(model + ": valid (python model echo, entrypoint model:predict, 1 sample)\n");
        Run bad = run("validate", model.toString(), "--set", "slo.p99Ms=-5", "--set", "name=Echo");
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err())
                .isEqualTo("--set name: name: must be a DNS-1123 label starting with a letter"
                        + " (lower-case letters, digits and '-', ending with a letter or digit), was \"Echo\"\n"
                        + "--set slo.p99Ms: slo.p99Ms: must be between 0.01 and 3600000 ms, was -5\n"
                        + "model-deploy validate: 2 problems in " + model + "\n");
    }

    @Test
    void servePrintsTheUrlAndStopsTheHarnessOnSigterm() throws Exception {
        Path model = TestModels.testModel("echo-python", workDir);
        Process process = new ProcessBuilder(
                        "java",
                        "-jar",
                        JAR.toString(),
                        "serve",
                        model.toString(),
                        "--port",
                        "0",
                        "--workers",
                        "2",
                        "--version",
                        "5")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String first = out.readLine();
        Matcher matcher = Pattern.compile(
                        "Serving echo version 5 \\(python, 2 workers\\) at (http://127\\.0\\.0\\.1:" + "\\d+)")
                .matcher(first);
        assertThat(matcher.matches()).as(first).isTrue();
        URI url = URI.create(matcher.group(1));
        try (RawHttp http = new RawHttp(url)) {
            assertThat(http.postJson("/predict", "{\"instances\": [[2, 3]]}")
                            .json()
                            .get("predictions"))
                    .hasToString("[5]");
        }
        List<ProcessHandle> harness = process.descendants().toList();
        assertThat(harness).hasSizeGreaterThanOrEqualTo(3); // supervisor and two workers
        process.destroy(); // SIGTERM, as a terminal's Ctrl-C or a service manager would
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        for (ProcessHandle child : harness) {
            child.onExit().get(10, TimeUnit.SECONDS);
            assertThat(child.isAlive()).isFalse();
        }
    }

    @Test
    void demoRefusesContradictoryOptionsInOneLine() throws Exception {
        Run run = run("demo", "--runtime", "container", "--no-images");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err())
                .contains("--runtime container runs the versions' images: it cannot be combined with" + " --no-images");
        Run unknown = run("demo", "--runtime", "vm");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("--runtime must be process or container, was vm");
    }

    @Test
    void demoPromotesTheRetrainAsNotWorseWithoutAFailedRequestAndReportsJson() throws Exception {
        Path reportDir = workDir.resolve("report");
        Run run = run(
                "demo",
                "--examples",
                TestModels.examplesRoot().toString(),
                "--output",
                "json",
                "--report-dir",
                reportDir.toString(),
                "--journal-dir",
                workDir.resolve("journal").toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        String last = run.out().strip().lines().reduce((a, b) -> b).orElseThrow();
        JsonNode summary = new ObjectMapper().readTree(last);
        assertThat(summary.get("model").asText()).isEqualTo("iris");
        assertThat(summary.get("promoted").asText()).isEqualTo("2");
        assertThat(summary.get("verdict").asText()).isEqualTo("PROMOTE");
        assertThat(summary.get("outcome").asText()).isEqualTo("PROMOTED");
        assertThat(summary.get("failedRequests").asLong()).isZero();
        assertThat(summary.get("injectedFaults").asLong()).isZero(); // v2 is a retrain: nothing fails on purpose
        assertThat(summary.at("/smoke/passed").asBoolean()).isTrue();
        assertThat(summary.at("/abTest/reasons/0").asText())
                .isEqualTo("not worse than the champion by more than" + " the margin on any metric");
        // issue 17: v2 (trained on all four measurements) is gated on its accuracy on the labelled held-out rows
        // against v1 (sepal measurements only), after a shadow phase that measured their agreement
        JsonNode accuracy = null;
        for (JsonNode comparison : summary.at("/abTest/experiment/comparisons")) {
            if (comparison.get("metric").asText().equals("accuracy")) {
                accuracy = comparison;
            }
        }
        assertThat(accuracy).as(summary.toString()).isNotNull();
        assertThat(accuracy.get("challengerRate").asDouble()).isGreaterThan(0.95);
        assertThat(accuracy.get("championRate").asDouble()).isBetween(0.5, 0.9);
        assertThat(accuracy.get("finding").asText()).isEqualTo("NOT_WORSE");
        assertThat(summary.at("/abTest/experiment/challenger/quality/accuracy/count")
                        .asLong())
                .isPositive();
        assertThat(summary.at("/shadow/compared").asLong()).isPositive();
        assertThat(summary.at("/shadow/agreement").asDouble()).isBetween(0.5, 0.95);
        assertThat(summary.at("/shadow/failed").asLong()).isZero();
        assertThat(summary.get("images")).hasSize(2);
        assertThat(summary.at("/images/1").asText())
                .startsWith("sha256:")
                .isNotEqualTo(summary.at("/images/2").asText());
        assertThat(summary.get("seconds").asDouble()).isLessThan(180);
        // each run reports into its own folder, named by the run id its events carry (issue #15: two demos in one
        // directory overwrote each other's report)
        String runId = summary.get("runId").asText();
        assertThat(runId).matches("\\d{8}T\\d{6}Z-[0-9a-f]{6}");
        Path report = Path.of(summary.get("report").asText());
        assertThat(report)
                .isEqualTo(reportDir.resolve(runId).resolve("deployment.html").toAbsolutePath());
        assertThat(JournalSink.read(workDir.resolve("journal").resolve("iris-2.jsonl")))
                .isNotEmpty()
                .allSatisfy(e -> assertThat(e.runId()).contains(runId));
        assertThat(Files.readString(report))
                .contains(
                        "<span id=\"verdict\">PROMOTE</span>",
                        "id=\"ab-plot\"",
                        "Smoke test: <span class=\"pass\">PASSED");
        assertThat(summary.get("samples")).hasSize(4);
        assertThat(summary.get("samples"))
                .allSatisfy(s -> assertThat(s.get("status").asInt()).isEqualTo(200));
        assertThat(summary.at("/samples/1/sample").asText()).isEqualTo("samples/setosa.json");
        assertThat(summary.at("/samples/1/response/predictions")).hasToString("[\"setosa\"]");
        assertThat(summary.at("/samples/0/response/predictions"))
                .hasToString("[\"setosa\",\"versicolor\",\"virginica\"]");
    }
}
