package io.jenkins.plugins.modeldeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.modeldeploy.testing.TestModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17's acceptance run: on the local target, versions with the same latency and no errors that differ only in
 * how often they predict the label of the labelled samples. Synthetic A/B traffic sends the labelled samples and
 * scores each answer for the version that served it; {@code --quality-metric accuracy} gates on it. A less accurate
 * version is rolled back and removed, a more accurate one promoted, and the JSON output carries each variant's
 * accuracy. Then a run kept sticky by a header (each variant serves some of the 200 synthetic users), and a shadow run
 * whose answers are compared with production's. Needs the quality gate (Analysis) and the local gateway's
 * mirror/sticky/shadow control API.
 */
class QualityGateCliIT {
    private static final Path JAR = Path.of(System.getProperty("modeldeploy.cliJar", "target/model-deploy-cli.jar"));
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private ProcessHandle daemon;

    record Run(int exit, String out, String err) {
        /** The last line of stdout, where {@code --output json} prints the outcome. */
        JsonNode json() throws IOException {
            List<String> lines = out.strip().lines().toList();
            if (lines.isEmpty()) {
                throw new AssertionError("no JSON on stdout; exit " + exit + ", stderr:\n" + err);
            }
            return JSON.readTree(lines.get(lines.size() - 1));
        }
    }

    private static Run cli(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("java", "-jar", JAR.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("MODEL_DEPLOY_STATE");
        Process process = builder.start();
        byte[] out = process.getInputStream().readAllBytes();
        byte[] err = process.getErrorStream().readAllBytes();
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
        return new Run(
                process.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    /** Deploys {@code version}, wrong on {@code wrongPercent} % of the labelled instances, gated on accuracy. */
    private Run deploy(Path model, String state, String version, int wrongPercent, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "deploy",
                model.toString(),
                "--version",
                version,
                "--target",
                "local",
                "--state",
                state,
                "--output",
                "json",
                "--set",
                "env.WRONG_PERCENT=" + wrongPercent,
                "--smoke-rate",
                "20",
                "--smoke-duration",
                "2s",
                "--synthetic-rate",
                "100",
                "--ab-min",
                "5s",
                "--ab-min-samples",
                "100",
                "--ab-weight",
                "50",
                "--approve"));
        args.addAll(List.of(more));
        if (!args.contains("shadow")) {
            args.addAll(List.of("--quality-metric", "accuracy"));
        }
        if (!args.contains("--ab-max")) {
            args.addAll(List.of("--ab-max", "120s"));
        }
        return cli(args.toArray(String[]::new));
    }

    private static List<String> versions(String state) throws Exception {
        Run status = cli("status", "--target", "local", "--state", state, "--output", "json");
        assertThat(status.exit()).as(status.err()).isZero();
        List<String> versions = new ArrayList<>();
        for (JsonNode model : status.json().path("models")) {
            model.path("versions").forEach(v -> versions.add(v.path("version").asText()));
        }
        return versions;
    }

    private static JsonNode comparison(JsonNode abTest, String metric) {
        for (JsonNode comparison : abTest.path("comparisons")) {
            if (comparison.path("metric").asText().equals(metric)) {
                return comparison;
            }
        }
        throw new AssertionError("no comparison of " + metric + " in " + abTest);
    }

    @AfterEach
    void stopDaemon() throws Exception {
        if (daemon != null && daemon.isAlive()) {
            cli("local", "stop", "--state", dir.resolve("state").toString());
            daemon.descendants().forEach(ProcessHandle::destroyForcibly);
            daemon.destroyForcibly();
        }
    }

    @Test
    void aLessAccurateVersionIsRolledBackAndAMoreAccurateOnePromoted() throws Exception {
        Path model = TestModels.testModel("labels-python", dir);
        String state = dir.resolve("state").toString();
        Run start = cli("local", "start", "--state", state, "--output", "json");
        assertThat(start.exit()).as(start.err()).isZero();
        daemon = ProcessHandle.of(start.json().path("pid").asLong()).orElseThrow();

        Run first = deploy(model, state, "1", 5);
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.json().path("production").asText()).isEqualTo("1");

        // right on 75% of the labels against 95%: same latency, no errors, rolled back on accuracy alone
        Run worse = deploy(model, state, "2", 25);
        assertThat(worse.exit()).as(worse.err()).isEqualTo(1);
        JsonNode worseJson = worse.json();
        assertThat(worseJson.path("verdict").asText()).as(worse.out()).isEqualTo("ROLLBACK");
        assertThat(worseJson.path("outcome").asText()).isEqualTo("ROLLED_BACK");
        JsonNode abTest = worseJson.path("abTest");
        JsonNode accuracy = comparison(abTest, "accuracy");
        assertThat(accuracy.path("finding").asText()).isEqualTo("WORSE");
        assertThat(accuracy.path("championRate").asDouble()).isCloseTo(0.95, within(0.06));
        assertThat(accuracy.path("challengerRate").asDouble()).isCloseTo(0.75, within(0.08));
        assertThat(abTest.path("champion").path("version").asText()).isEqualTo("1");
        assertThat(abTest.path("champion")
                        .path("quality")
                        .path("accuracy")
                        .path("count")
                        .asLong())
                .isGreaterThan(0);
        assertThat(abTest.path("champion")
                        .path("quality")
                        .path("accuracy")
                        .path("mean")
                        .asDouble())
                .isCloseTo(0.95, within(0.06));
        assertThat(abTest.path("challenger")
                        .path("quality")
                        .path("accuracy")
                        .path("mean")
                        .asDouble())
                .isCloseTo(0.75, within(0.08));
        assertThat(abTest.path("challenger").path("errors").asLong()).isZero();
        assertThat(worseJson.path("reasons").toString()).contains("accuracy");
        assertThat(versions(state)).containsExactly("1");

        // right on every label: promoted, with its accuracy in the output
        Run better = deploy(model, state, "3", 0);
        assertThat(better.exit()).as(better.err()).isZero();
        JsonNode betterJson = better.json();
        assertThat(betterJson.path("verdict").asText()).as(better.out()).isEqualTo("PROMOTE");
        assertThat(betterJson.path("outcome").asText()).isEqualTo("PROMOTED");
        assertThat(betterJson.path("production").asText()).isEqualTo("3");
        JsonNode promoted = betterJson.path("abTest");
        assertThat(promoted.path("challenger")
                        .path("quality")
                        .path("accuracy")
                        .path("mean")
                        .asDouble())
                .isEqualTo(1.0);
        assertThat(promoted.path("champion")
                        .path("quality")
                        .path("accuracy")
                        .path("mean")
                        .asDouble())
                .isCloseTo(0.95, within(0.06));
        assertThat(comparison(promoted, "accuracy").path("finding").asText()).isIn("NOT_WORSE", "BETTER");
        System.out.println("quality gate: v2 " + abTest.path("reasons") + "; v3 " + promoted.path("reasons"));

        // kept on one variant per user: synthetic traffic sends X-User-Id over 200 ids, each variant serves some
        Run sticky = deploy(model, state, "4", 0, "--sticky-header", "X-User-Id");
        assertThat(sticky.exit()).as(sticky.err()).isZero();
        JsonNode stickyJson = sticky.json().path("abTest");
        assertThat(stickyJson.path("stickyHeader").asText()).isEqualTo("X-User-Id");
        assertThat(stickyJson.path("champion").path("units").asLong()).isBetween(1L, 200L);
        assertThat(stickyJson.path("challenger").path("units").asLong()).isBetween(1L, 200L);
        assertThat(sticky.json().path("verdict").asText()).as(sticky.out()).isEqualTo("PROMOTE");

        // a shadow wrong on a quarter of the labels: its answers are compared with production's (75% agree); gated on
        // errors and latency only (nothing scores a shadow's discarded answers)
        Run shadow = deploy(model, state, "5", 25, "--mode", "shadow", "--ab-max", "30s");
        JsonNode shadowJson = shadow.json().path("abTest");
        assertThat(shadowJson.path("mode").asText())
                .as(shadow.out() + shadow.err())
                .isEqualTo("shadow");
        assertThat(shadowJson.path("shadow").path("compared").asLong()).isGreaterThan(50);
        assertThat(shadowJson.path("shadow").path("agreementRate").asDouble()).isCloseTo(0.75, within(0.1));
        assertThat(shadowJson.path("shadow").path("failed").asLong()).isZero();
        assertThat(shadowJson.path("reasons").toString()).contains("shadow agreement");
        System.out.println("shadow: " + shadow.json().path("verdict") + " " + shadowJson.path("reasons"));
    }
}
