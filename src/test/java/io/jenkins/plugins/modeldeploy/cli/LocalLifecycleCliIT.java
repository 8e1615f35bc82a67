package io.jenkins.plugins.modeldeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.modeldeploy.testing.StableRouteProbe;
import io.jenkins.plugins.modeldeploy.testing.TestModels;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole lifecycle on one machine through the packaged CLI, each command its own process, against the persistent
 * local target — the acceptance run of the lifecycle: a retrain promoted by the non-inferiority gate, a version slower
 * than its SLO rolled back and gone, one that fails its smoke test never serving, the replaced version scaled to zero
 * at once with {@code --keep-previous 0s}, a rollback to version 1, the model undeployed and the target stopped with no
 * harness process left — while a client calls the stable route at 40 req/s and sees no transport error and no
 * 502/503/504. Bad input gets one line and changes nothing.
 */
class LocalLifecycleCliIT {
    private static final Path JAR = Path.of(System.getProperty("modeldeploy.cliJar", "target/model-deploy-cli.jar"));
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final List<ProcessHandle> started = new ArrayList<>();

    record Run(int exit, String out, String err) {
        JsonNode json() throws IOException {
            return JSON.readTree(out.strip()
                    .lines()
                    .reduce((a, b) -> b)
                    .orElseThrow(() -> new AssertionError("no JSON on stdout; exit " + exit + ", stderr:\n" + err)));
        }
    }

    private Run run(String... args) throws IOException, InterruptedException {
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

    /** Deploys with the acceptance run's A/B settings: synthetic traffic at 100 req/s, at most 120 s, approved. */
    private Run deploy(Path model, String version, String state, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "deploy",
                model.toString(),
                "--version",
                version,
                "--target",
                "local",
                "--state",
                state,
                "--journal-dir",
                dir.resolve("journal").toString(),
                "--output",
                "json",
                "--smoke-rate",
                "20",
                "--smoke-duration",
                "3s",
                "--synthetic-rate",
                "100",
                "--ab-max",
                "120s",
                "--approve"));
        args.addAll(Arrays.asList(options));
        return run(args.toArray(String[]::new));
    }

    private Optional<JsonNode> version(String state, String version) throws Exception {
        Run status = run("status", "--target", "local", "--state", state, "--output", "json");
        assertThat(status.exit()).as(status.err()).isZero();
        for (JsonNode model : status.json().path("models")) {
            for (JsonNode each : model.path("versions")) {
                if (model.path("model").asText().equals("knobs")
                        && each.path("version").asText().equals(version)) {
                    return Optional.of(each);
                }
            }
        }
        return Optional.empty();
    }

    private static void assertOneLine(Run run, String text) {
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err().strip()).hasLineCount(1).contains(text);
    }

    @AfterEach
    void killLeftovers() {
        for (ProcessHandle process : started) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    @Test
    void theWholeLifecycleOnOneMachineWithoutAFailedRequest() throws Exception {
        Path model = TestModels.testModel("knobs-python", dir);
        String state = dir.resolve("state").toString();

        assertOneLine(
                run("deploy", model.toString(), "--version", "1", "--target", "local", "--state", state),
                "no local target is running on " + dir.resolve("state").toAbsolutePath());
        Run start = run("local", "start", "--state", state, "--output", "json");
        assertThat(start.exit()).as(start.err()).isZero();
        long daemon = start.json().path("pid").asLong();
        ProcessHandle.of(daemon).ifPresent(started::add);
        URI gateway = URI.create(start.json().path("gateway").asText());
        assertOneLine(run("local", "start", "--state", state), "a local target is already running on");

        Run first = deploy(model, "1", state);
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.json().path("outcome").asText()).isEqualTo("PROMOTED");
        assertThat(first.json().path("production").asText()).isEqualTo("1");

        StableRouteProbe probe =
                new StableRouteProbe(URI.create(gateway + "/models/knobs/predict"), "{\"instances\": [[1, 2]]}", 40);
        try {
            // the same model again, with the default A/B weight (10%) and minimums: shown not worse than 1 by the
            // non-inferiority gate within the 120 s, promoted; 1 is scaled down at once
            Run retrain = deploy(model, "2", state, "--keep-previous", "0s");
            assertThat(retrain.exit()).as(retrain.err()).isZero();
            assertThat(retrain.json().path("verdict").asText()).isEqualTo("PROMOTE");
            assertThat(retrain.json().path("outcome").asText()).isEqualTo("PROMOTED");
            assertThat(retrain.json().path("abTestSeconds").asDouble()).isLessThan(120);
            assertThat(version(state, "1")).hasValueSatisfying(v -> {
                assertThat(v.path("readyReplicas").asInt()).isZero();
                assertThat(v.path("stage").asText()).isEqualTo("retired");
            });

            // slower than its SLO, without a smoke test: the A/B test rolls it back, and it no longer runs
            Run slow = deploy(
                    model,
                    "3",
                    state,
                    "--no-smoke",
                    "--ab-min",
                    "5s",
                    "--ab-min-samples",
                    "200",
                    "--set",
                    "env.MODE=slow",
                    "--set",
                    "env.SLEEP_MS=80",
                    "--workers",
                    "4");
            assertThat(slow.exit()).isEqualTo(1);
            assertThat(slow.json().path("verdict").asText()).isEqualTo("ROLLBACK");
            assertThat(slow.json().path("outcome").asText()).isEqualTo("ROLLED_BACK");
            assertThat(version(state, "3")).isEmpty();

            // failing its smoke test: FAILED, never on the stable route, gone
            Run failing = deploy(model, "4", state, "--set", "env.MODE=fail");
            assertThat(failing.exit()).isEqualTo(1);
            assertThat(failing.json().path("outcome").asText()).isEqualTo("FAILED");
            assertThat(failing.json().path("verdict").isNull()).isTrue();
            assertThat(version(state, "4")).isEmpty();
            assertThat(Files.readString(dir.resolve("journal/knobs-4.jsonl"))).doesNotContain("abtest.started");

            // back to 1, scaled up again first
            Run rollback =
                    run("rollback", "knobs", "--to", "1", "--target", "local", "--state", state, "--output", "json");
            assertThat(rollback.exit()).as(rollback.err()).isZero();
            assertThat(rollback.json().path("production").asText()).isEqualTo("1");
            assertThat(version(state, "1")).hasValueSatisfying(v -> {
                assertThat(v.path("readyReplicas").asInt()).isEqualTo(1);
                assertThat(v.path("weight").asInt()).isEqualTo(100);
            });

            Run history = run("history", "knobs", "--target", "local", "--state", state, "--output", "json");
            List<String> entries = new ArrayList<>();
            history.json()
                    .path("history")
                    .forEach(e -> entries.add(
                            e.path("action").asText() + " " + e.path("version").asText() + " "
                                    + e.path("outcome").asText("-")));
            assertThat(entries)
                    .containsExactly(
                            "DEPLOY 1 PROMOTED",
                            "DEPLOY 2 PROMOTED",
                            "DEPLOY 3 ROLLED_BACK",
                            "DEPLOY 4 FAILED",
                            "ROLLBACK 1 -");

            // bad input: one line, nothing changed
            assertOneLine(
                    run("rollback", "knobs", "--to", "9", "--target", "local", "--state", state),
                    "cannot roll model knobs back to version 9: it is not kept");
            assertOneLine(
                    run("undeploy", "nosuch", "--target", "local", "--state", state),
                    "model nosuch is not deployed on local target");
            assertThat(version(state, "1"))
                    .hasValueSatisfying(
                            v -> assertThat(v.path("weight").asInt()).isEqualTo(100));
            Thread.sleep(1000);
        } finally {
            probe.close();
        }
        assertThat(probe.sent()).isGreaterThan(2000);
        System.out.println("stable route (local): " + probe.sent() + " requests, outcomes " + probe.outcomes());
        assertThat(probe.failures())
                .as("transport errors and 502/503/504 on the stable route: %s", probe.outcomes())
                .isZero();

        Run undeploy = run("undeploy", "knobs", "--target", "local", "--state", state);
        assertThat(undeploy.exit()).as(undeploy.err()).isZero();
        Run status = run("status", "--target", "local", "--state", state, "--output", "json");
        assertThat(status.json().path("models")).isEmpty();

        List<ProcessHandle> harness =
                ProcessHandle.of(daemon).orElseThrow().descendants().toList();
        Run stop = run("local", "stop", "--state", state);
        assertThat(stop.exit()).as(stop.err()).isZero();
        assertThat(ProcessHandle.of(daemon).map(ProcessHandle::isAlive).orElse(false))
                .isFalse();
        assertThat(harness).noneMatch(ProcessHandle::isAlive);
    }
}
