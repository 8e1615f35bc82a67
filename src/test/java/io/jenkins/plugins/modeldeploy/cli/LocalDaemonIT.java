package io.jenkins.plugins.modeldeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.modeldeploy.testing.TestModels;
import java.io.IOException;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The persistent local target through the packaged CLI, each command its own process as a user runs them: start in
 * the background, a refused second start, a deployment and the status across invocations, stop with every harness
 * process gone, the one-line error with nothing running, production back after a restart, and a daemon that was
 * killed replaced by the next start (its harness processes stopped).
 */
class LocalDaemonIT {
    private static final Path JAR = Path.of(System.getProperty("modeldeploy.cliJar", "target/model-deploy-cli.jar"));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private final List<ProcessHandle> started = new ArrayList<>();

    record Run(int exitCode, String out, String err) {
        JsonNode json() throws IOException {
            return JSON.readTree(out.strip().lines().reduce((a, b) -> b).orElseThrow());
        }
    }

    private Run run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("java", "-jar", JAR.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("MODEL_DEPLOY_STATE");
        Process process = builder.start();
        // both streams to the end: a daemon that kept them open would hang this
        var err = process.getErrorStream();
        byte[] out = process.getInputStream().readAllBytes();
        byte[] errBytes = err.readAllBytes();
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();
        return new Run(
                process.exitValue(),
                new String(out, StandardCharsets.UTF_8),
                new String(errBytes, StandardCharsets.UTF_8));
    }

    private static int predict(URI url) throws Exception {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create(url + "/predict"))
                                .timeout(Duration.ofSeconds(10))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"instances\": [[1, 2]]}"))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    @AfterEach
    void killLeftovers() {
        for (ProcessHandle process : started) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    @Test
    void runsTheLifecycleAcrossInvocationsAndBringsProductionBackAfterARestart() throws Exception {
        Path model = TestModels.testModel("echo-python", dir);
        String state = dir.resolve("state").toString();
        String journal = dir.resolve("journal").toString();

        Run start = run("local", "start", "--state", state, "--output", "json");
        assertThat(start.exitCode()).as(start.err()).isZero();
        assertThat(start.out().lines().count()).isEqualTo(1);
        JsonNode daemon = start.json();
        long pid = daemon.path("pid").asLong();
        ProcessHandle.of(pid).ifPresent(started::add);
        URI gateway = URI.create(daemon.path("gateway").asText());
        assertThat(gateway.getHost()).isEqualTo("127.0.0.1");
        assertThat(daemon.path("state").asText())
                .isEqualTo(dir.resolve("state").toAbsolutePath().toString());
        assertThat(ProcessHandle.of(pid)).isPresent();
        assertThat(dir.resolve("state/daemon.log")).exists();

        Run second = run("local", "start", "--state", state);
        assertThat(second.exitCode()).isEqualTo(1);
        assertThat(second.err())
                .hasLineCount(1)
                .startsWith("model-deploy local start: a local target is already" + " running on "
                        + daemon.path("state").asText() + " (pid " + pid + ", gateway " + gateway + ")");

        Run deploy = run(
                "deploy",
                model.toString(),
                "--version",
                "1",
                "--target",
                "local",
                "--state",
                state,
                "--no-smoke",
                "--output",
                "json",
                "--journal-dir",
                journal);
        assertThat(deploy.exitCode()).as(deploy.err()).isZero();
        assertThat(deploy.json().path("outcome").asText()).isEqualTo("PROMOTED");
        assertThat(deploy.err()).contains("echo-1 ready at"); // the daemon's rollout events reached the CLI
        assertThat(predict(URI.create(gateway + "/models/echo"))).isEqualTo(200);

        Run status = run("status", "--target", "local", "--state", state, "--output", "json");
        assertThat(status.exitCode()).as(status.err()).isZero();
        JsonNode echo = status.json().path("models").get(0);
        assertThat(status.json().path("target").asText())
                .isEqualTo("local target " + gateway + " (state "
                        + daemon.path("state").asText() + ")");
        assertThat(echo.path("model").asText()).isEqualTo("echo");
        assertThat(echo.path("release").path("phase").asText()).isEqualTo("STABLE");
        assertThat(echo.path("release").path("production").asText()).isEqualTo("1");
        assertThat(echo.path("weights").path("1").asInt()).isEqualTo(100);
        JsonNode v1 = echo.path("versions").get(0);
        assertThat(v1.path("version").asText()).isEqualTo("1");
        assertThat(v1.path("stage").asText()).isEqualTo("production");
        assertThat(v1.path("readyReplicas").asInt()).isEqualTo(1);
        assertThat(v1.path("desiredReplicas").asInt()).isEqualTo(1);
        assertThat(v1.path("weight").asInt()).isEqualTo(100);

        List<ProcessHandle> harness =
                ProcessHandle.of(pid).orElseThrow().descendants().toList();
        assertThat(harness).isNotEmpty(); // the harness process and its workers
        Run stop = run("local", "stop", "--state", state);
        assertThat(stop.exitCode()).as(stop.err()).isZero();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                .isFalse();
        assertThat(harness).noneMatch(ProcessHandle::isAlive);

        Run nothing = run(
                "deploy",
                model.toString(),
                "--version",
                "2",
                "--target",
                "local",
                "--state",
                state,
                "--no-smoke",
                "--journal-dir",
                journal);
        assertThat(nothing.exitCode()).isEqualTo(1);
        assertThat(nothing.err())
                .hasLineCount(1)
                .isEqualTo("model-deploy deploy: no local target is running on "
                        + daemon.path("state").asText() + ": start one with `model-deploy local start --state "
                        + daemon.path("state").asText() + "`\n");
        Run stopAgain = run("local", "stop", "--state", state);
        assertThat(stopAgain.exitCode()).isEqualTo(1);
        assertThat(stopAgain.err()).hasLineCount(1).contains("no local target is running on");

        // the model directory changes (a retrain for the next version): version 1 runs its own copy
        Files.writeString(model.resolve("model.py"), "raise RuntimeError('not version 1')\n");
        Run restart = run("local", "start", "--state", state, "--output", "json");
        assertThat(restart.exitCode()).as(restart.err()).isZero();
        long restarted = restart.json().path("pid").asLong();
        ProcessHandle.of(restarted).ifPresent(started::add);
        assertThat(restart.json().path("gateway").asText()).isEqualTo(gateway.toString()); // same port again
        assertThat(predict(URI.create(gateway + "/models/echo"))).isEqualTo(200);
        Run after = run("status", "--target", "local", "--state", state, "--output", "json");
        JsonNode back = after.json().path("models").get(0);
        assertThat(back.path("versions").get(0).path("readyReplicas").asInt()).isEqualTo(1);
        assertThat(back.path("weights").path("1").asInt()).isEqualTo(100);

        // a daemon that dies without stopping (kill -9) leaves a stale record; its harness trees do not outlive it
        // (the harness supervisor's parent-death signal and parent poll, its workers with their supervisor), so
        // nothing holds the versions' ports when the next start replaces the record
        List<ProcessHandle> orphans =
                ProcessHandle.of(restarted).orElseThrow().descendants().toList();
        assertThat(orphans).isNotEmpty();
        ProcessHandle killed = ProcessHandle.of(restarted).orElseThrow();
        killed.destroyForcibly();
        killed.onExit().get(10, TimeUnit.SECONDS);
        for (ProcessHandle orphan : orphans) {
            orphan.onExit().get(15, TimeUnit.SECONDS);
        }
        Run dead = run("local", "status", "--state", state);
        assertThat(dead.exitCode()).isEqualTo(1);
        assertThat(dead.out()).startsWith("no local target is running on");
        Run replaced = run("local", "start", "--state", state, "--output", "json");
        assertThat(replaced.exitCode()).as(replaced.err()).isZero();
        long third = replaced.json().path("pid").asLong();
        ProcessHandle.of(third).ifPresent(started::add);
        assertThat(orphans).noneMatch(ProcessHandle::isAlive);
        assertThat(predict(URI.create(gateway + "/models/echo"))).isEqualTo(200);

        List<ProcessHandle> again =
                ProcessHandle.of(third).orElseThrow().descendants().toList();
        Run last = run("local", "stop", "--state", state, "--output", "json");
        assertThat(last.exitCode()).as(last.err()).isZero();
        assertThat(last.json().path("versions").asInt()).isEqualTo(1);
        assertThat(again).noneMatch(ProcessHandle::isAlive);
    }
}
