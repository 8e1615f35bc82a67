package io.jenkins.plugins.modeldeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.modeldeploy.event.EventJson;
import io.jenkins.plugins.modeldeploy.testing.RabbitMqBroker;
import io.jenkins.plugins.modeldeploy.testing.TestModels;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `events tail` receives what `smoke --events` publishes, through a real broker; the password never shows. */
class EventsCliIT {
    private static final Path JAR = Path.of(System.getProperty("modeldeploy.cliJar", "target/model-deploy-cli.jar"));

    @TempDir
    Path dir;

    @Test
    void tailPrintsTheEventsASmokeTestPublishes() throws Exception {
        try (RabbitMqBroker broker = RabbitMqBroker.start(dir.resolve("broker"))) {
            String amqp = "amqp://guest@127.0.0.1:" + broker.port();
            Path model = TestModels.testModel("echo-python", dir);
            Process serve = new ProcessBuilder(
                            "java", "-jar", JAR.toString(), "serve", model.toString(), "--port", "0", "--workers", "1")
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            Process tail = null;
            try {
                String first = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8))
                        .readLine();
                URI url = URI.create(first.substring(first.indexOf(" at ") + 4));
                ProcessBuilder tailBuilder = new ProcessBuilder(
                        "java",
                        "-jar",
                        JAR.toString(),
                        "events",
                        "tail",
                        "--amqp",
                        amqp,
                        "--model",
                        "echo",
                        "--count",
                        "2",
                        "--output",
                        "json");
                tailBuilder.environment().put("MODEL_DEPLOY_AMQP_PASSWORD", "guest");
                tail = tailBuilder.start();
                BufferedReader tailErr =
                        new BufferedReader(new InputStreamReader(tail.getErrorStream(), StandardCharsets.UTF_8));
                String listening = tailErr.readLine();
                assertThat(listening)
                        .startsWith("listening on amqp://guest@127.0.0.1:" + broker.port() + "/ for model echo");

                ProcessBuilder smokeBuilder = new ProcessBuilder(
                                "java",
                                "-jar",
                                JAR.toString(),
                                "smoke",
                                "--url",
                                url.resolve("/predict").toString(),
                                "--model",
                                model.toString(),
                                "--model-version",
                                "4",
                                "--rate",
                                "50",
                                "--duration",
                                "2s",
                                "--warmup",
                                "500ms",
                                "--events",
                                amqp,
                                "--journal-dir",
                                dir.resolve("journal").toString())
                        .redirectErrorStream(true);
                smokeBuilder.environment().put("MODEL_DEPLOY_AMQP_PASSWORD", "guest");
                Process smoke = smokeBuilder.start();
                String smokeOutput = new String(smoke.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(smoke.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(smoke.exitValue()).as(smokeOutput).isZero();
                assertThat(smokeOutput)
                        .contains("echo-4 smoke     smoke test started: 50 req/s for 2 s")
                        .doesNotContain("guest:guest");

                assertThat(tail.waitFor(30, TimeUnit.SECONDS)).isTrue();
                List<String> types = new ArrayList<>();
                for (String line : new String(tail.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                        .strip()
                        .split("\n")) {
                    types.add(EventJson.parse(line).type());
                }
                assertThat(types).containsExactly("smoke.started", "smoke.finished");
                assertThat(dir.resolve("journal/echo-4.jsonl")).exists();
            } finally {
                serve.destroy();
                serve.waitFor(20, TimeUnit.SECONDS);
                if (tail != null) {
                    tail.destroyForcibly();
                }
            }
        }
    }
}
