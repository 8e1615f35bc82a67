package io.jenkins.plugins.modeldeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.jenkins.plugins.modeldeploy.event.RabbitMqSink;
import io.jenkins.plugins.modeldeploy.testing.RabbitMqBroker;
import java.io.BufferedReader;
import java.io.IOException;
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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #15 item 6: secrets given to the real CLI by environment, by standard input, by option and inside URLs appear
 * in no output file, journal line, event on the broker, smoke report, usage error, model process environment or
 * {@code ps} line. Every leak found is collected, so a failure lists all of them at once.
 */
class SecretsIT {
    private static final Path JAR = Path.of(System.getProperty("modeldeploy.cliJar", "target/model-deploy-cli.jar"));
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final String tag = UUID.randomUUID().toString().substring(0, 8);
    // given through the environment
    private final String amqpEnvSecret = "amqpEnvPw" + tag;
    private final String registryEnvSecret = "registryEnvPw" + tag;
    private final String tokenEnvSecret = "ghTokenPw" + tag;
    // given through standard input
    private final String amqpStdinSecret = "amqpStdinPw" + tag;
    // given on the command line, inside URLs
    private final String amqpUriSecret = "amqpUriPw" + tag;
    private final String smokeUserInfoSecret = "smokeUserPw" + tag;
    private final String smokeQuerySecret = "smokeApiKey" + tag;
    private final String unknownOptionSecret = "typoPw" + tag;

    // every expectation is checked and reported together: one failure must not hide the leaks after it
    private final SoftAssertions softly = new SoftAssertions();
    private final List<String> leaks = Collections.synchronizedList(new ArrayList<>());
    private final List<String> psLines = Collections.synchronizedList(new ArrayList<>());

    @Test
    void noSecretReachesAnyOutputTheModelOrPs() throws Exception {
        Path out = Files.createDirectories(dir.resolve("out"));
        Path journal = dir.resolve("journal");
        Path reports = dir.resolve("reports");
        Path model = secretsModel(dir.resolve("model"));
        try (RabbitMqBroker broker = RabbitMqBroker.start(dir.resolve("broker"))) {
            broker.ctl("add_user", "mdenv", amqpEnvSecret);
            broker.ctl("add_user", "mduri", amqpUriSecret);
            broker.ctl("add_user", "mdstdin", amqpStdinSecret);
            for (String user : List.of("mdenv", "mduri", "mdstdin")) {
                broker.ctl("set_permissions", "-p", "/", user, ".*", ".*", ".*");
            }
            String host = "127.0.0.1:" + broker.port();
            BlockingQueue<String> published = new LinkedBlockingQueue<>();
            try (Connection connection = guest(broker).newConnection("secrets-it")) {
                Channel channel = connection.createChannel();
                channel.exchangeDeclare(RabbitMqSink.EXCHANGE, BuiltinExchangeType.TOPIC, true);
                String queue = channel.queueDeclare().getQueue();
                channel.queueBind(queue, RabbitMqSink.EXCHANGE, "#");
                channel.basicConsume(
                        queue,
                        true,
                        (tag, delivery) -> published.add(new String(delivery.getBody(), StandardCharsets.UTF_8)),
                        tag -> {});

                AtomicBoolean sampling = new AtomicBoolean(true);
                Thread ps = daemon(() -> samplePs(sampling));
                Process serve =
                        cli(out, "serve", Map.of(), null, "serve", model.toString(), "--port", "0", "--workers", "1");
                CompletableFuture<String> firstLine = new CompletableFuture<>();
                daemon(() -> copyLines(serve, out.resolve("serve.out"), firstLine));
                try {
                    String first = firstLine.get(120, TimeUnit.SECONDS);
                    assertThat(first).as("serve's first line").contains(" at ");
                    URI url = URI.create(
                            first.substring(first.indexOf(" at ") + 4).strip());
                    checkModelProcess(url);

                    String target = "http://smoke:" + smokeUserInfoSecret + "@" + url.getHost() + ":" + url.getPort()
                            + "/predict?api_key=" + smokeQuerySecret + "&rows=1";
                    // 1: AMQP password from the environment, user only in the URI
                    int env = finish(cli(
                            out,
                            "smoke-env",
                            Map.of(),
                            null,
                            smoke(target, model, journal, reports.resolve("env"), "amqp://mdenv@" + host)));
                    // 2: AMQP password in the URI: works, and warns that ps shows it
                    int uri = finish(cli(
                            out,
                            "smoke-uri",
                            Map.of("MODEL_DEPLOY_AMQP_PASSWORD", ""),
                            null,
                            smoke(
                                    target,
                                    model,
                                    journal,
                                    reports.resolve("uri"),
                                    "amqp://mduri:" + amqpUriSecret + "@" + host)));
                    // 3: AMQP password from standard input
                    List<String> stdinArgs = new ArrayList<>(
                            smoke(target, model, journal, reports.resolve("stdin"), "amqp://mdstdin@" + host));
                    stdinArgs.add("--events-password-stdin");
                    int stdin = finish(cli(
                            out,
                            "smoke-stdin",
                            Map.of("MODEL_DEPLOY_AMQP_PASSWORD", ""),
                            amqpStdinSecret + "\n",
                            stdinArgs.toArray(String[]::new)));
                    // 4: a mistyped option followed by a URL with a password
                    int typo = finish(cli(
                            out,
                            "typo",
                            Map.of(),
                            null,
                            "smoke",
                            "--url",
                            target,
                            "--event",
                            "amqp://mdenv:" + unknownOptionSecret + "@" + host));

                    softly.assertThat(List.of(env, uri, stdin))
                            .as("smoke exit codes (0 passed, 1 failed SLO)")
                            .allMatch(code -> code <= 1);
                    softly.assertThat(typo).as("a usage error").isEqualTo(2);
                    softly.assertThat(Files.readString(out.resolve("smoke-uri.err")))
                            .contains("password in the --events URI is visible to other users in the process list");
                    softly.assertThat(Files.readString(out.resolve("smoke-env.err")))
                            .doesNotContain("visible to other users");

                    List<String> events = new ArrayList<>();
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (events.size() < 6 && System.nanoTime() < deadline) {
                        String event = published.poll(1, TimeUnit.SECONDS);
                        if (event != null) {
                            events.add(event);
                        }
                    }
                    softly.assertThat(events)
                            .as("smoke.started and smoke.finished of each run, on the broker")
                            .hasSize(6);
                    search("events on the broker", String.join("\n", events), allSecrets());
                } finally {
                    serve.destroy();
                    serve.waitFor(30, TimeUnit.SECONDS);
                    sampling.set(false);
                    ps.join(5_000);
                }
            }
        }

        softly.assertThat(journal.resolve("secrets-1.jsonl")).exists();
        softly.assertThat(reports.resolve("env/smoke.json")).exists();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile)
                    .filter(f -> !f.startsWith(dir.resolve("broker")) && !f.startsWith(model))
                    .toList()) {
                search(
                        dir.relativize(file).toString(),
                        Files.readString(file, StandardCharsets.ISO_8859_1),
                        allSecrets());
            }
        }
        // the user typed the URL secrets on the CLI's own command line (that is what the warning is about); no other
        // process may show them, and no process at all may show what came by environment or standard input
        for (String line : psLines) {
            boolean ownCommand = line.contains(JAR.getFileName().toString()) && line.contains(" smoke ");
            search("ps", line, ownCommand ? hiddenSecrets() : allSecrets());
        }
        softly.assertThat(psLines).as("ps was sampled").isNotEmpty();
        softly.assertThat(leaks).as("secrets found").isEmpty();
        softly.assertAll();
    }

    /** Asks the model for its environment and checks it and the /proc environ of the worker and its supervisor. */
    private void checkModelProcess(URI url) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(url.resolve("/predict"))
                                .timeout(Duration.ofSeconds(30))
                                .POST(HttpRequest.BodyPublishers.ofString("{\"instances\": [[1, 2]]}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        search("the environment model code sees", response.body(), allSecrets());
        JsonNode answer = JSON.readTree(
                JSON.readTree(response.body()).get("predictions").get(0).asText());
        assertThat(answer.get("env").get("PATH"))
                .as("model code has an environment")
                .isNotNull();
        // the process running model code and every harness process above it, up to the serve JVM (the user's CLI,
        // which holds what the user gave it): /proc/PID/environ is what each was started with
        ProcessHandle process = ProcessHandle.of(answer.get("pid").asLong()).orElseThrow();
        int checked = 0;
        while (!process.info().command().orElse("").endsWith("java")) {
            byte[] environ = Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "environ"));
            search(
                    "/proc/" + process.pid() + "/environ ("
                            + process.info().command().orElse("?") + ")",
                    new String(environ, StandardCharsets.ISO_8859_1),
                    allSecrets());
            checked++;
            process = process.parent().orElseThrow();
        }
        assertThat(checked).as("harness processes checked").isPositive();
    }

    private List<String> smoke(String target, Path model, Path journal, Path reports, String events) {
        return List.of(
                "smoke",
                "--url",
                target,
                "--model",
                model.toString(),
                "--model-version",
                "1",
                "--rate",
                "20",
                "--duration",
                "1s",
                "--warmup",
                "200ms",
                "--events",
                events,
                "--journal-dir",
                journal.toString(),
                "--report-dir",
                reports.toString(),
                "--output",
                "json");
    }

    private Map<String, String> allSecrets() {
        Map<String, String> secrets = new LinkedHashMap<>(hiddenSecrets());
        secrets.put("AMQP password in the --events URI", amqpUriSecret);
        secrets.put("password in the smoke URL", smokeUserInfoSecret);
        secrets.put("api_key in the smoke URL", smokeQuerySecret);
        secrets.put("password after a mistyped option", unknownOptionSecret);
        return secrets;
    }

    private Map<String, String> hiddenSecrets() {
        return Map.of(
                "MODEL_DEPLOY_AMQP_PASSWORD", amqpEnvSecret,
                "MODEL_DEPLOY_REGISTRY_PASSWORD", registryEnvSecret,
                "GITHUB_TOKEN", tokenEnvSecret,
                "--events-password-stdin", amqpStdinSecret);
    }

    private void search(String where, String text, Map<String, String> secrets) {
        secrets.forEach((name, secret) -> {
            if (text.contains(secret)) {
                int at = text.indexOf(secret);
                leaks.add(name + " in " + where + ": …"
                        + text.substring(Math.max(0, at - 60), Math.min(text.length(), at + secret.length() + 10))
                                .replaceAll("\\s+", " "));
            }
        });
    }

    /** The real CLI jar with every secret in its environment; stdout and stderr go to out/NAME.out and .err. */
    private Process cli(Path out, String name, Map<String, String> extraEnv, String stdin, String... args)
            throws IOException {
        List<String> command = new ArrayList<>(List.of("java", "-jar", JAR.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectError(out.resolve(name + ".err").toFile());
        if (!name.equals("serve")) {
            builder.redirectOutput(out.resolve(name + ".out").toFile());
        }
        builder.environment().put("MODEL_DEPLOY_AMQP_PASSWORD", amqpEnvSecret);
        builder.environment().put("MODEL_DEPLOY_REGISTRY_PASSWORD", registryEnvSecret);
        builder.environment().put("GITHUB_TOKEN", tokenEnvSecret);
        extraEnv.forEach((key, value) -> {
            if (value.isEmpty()) {
                builder.environment().remove(key);
            } else {
                builder.environment().put(key, value);
            }
        });
        Process process = builder.start();
        if (stdin != null) {
            process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        process.getOutputStream().close();
        return process;
    }

    private Process cli(Path out, String name, Map<String, String> extraEnv, String stdin, List<String> args)
            throws IOException {
        return cli(out, name, extraEnv, stdin, args.toArray(String[]::new));
    }

    /** Keeps serve's stdout flowing into a file (a full pipe would stall it); the first line says where it is. */
    private static void copyLines(Process serve, Path file, CompletableFuture<String> firstLine) {
        try (BufferedReader lines =
                        new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
                var writer = Files.newBufferedWriter(file)) {
            String line;
            while ((line = lines.readLine()) != null) {
                firstLine.complete(line);
                writer.write(line);
                writer.newLine();
                writer.flush();
            }
        } catch (IOException e) {
            firstLine.completeExceptionally(e);
        }
        firstLine.complete("serve ended before its first line");
    }

    private static Thread daemon(Runnable task) {
        Thread thread = new Thread(task, "secrets-it");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static int finish(Process process) throws InterruptedException {
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the CLI did not finish within 120 s");
        }
        return process.exitValue();
    }

    /** Samples every process's command line while the CLI runs (ps is a snapshot: nothing to wait for). */
    private void samplePs(AtomicBoolean sampling) {
        while (sampling.get()) {
            try {
                Process ps = new ProcessBuilder("ps", "-eww", "-o", "pid=,args=")
                        .redirectErrorStream(true)
                        .start();
                String listing = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (ps.waitFor(10, TimeUnit.SECONDS)) {
                    psLines.addAll(listing.lines().toList());
                }
                Thread.sleep(150);
            } catch (IOException e) {
                leaks.add("ps could not run: " + e.getMessage());
                return;
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static ConnectionFactory guest(RabbitMqBroker broker) {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(broker.port());
        factory.setUsername("guest");
        factory.setPassword("guest");
        return factory;
    }

    /** A Python model whose every prediction is its own environment and process ids, as JSON text. */
    private static Path secretsModel(Path model) throws IOException {
        Files.createDirectories(model.resolve("samples"));
        Files.writeString(
                model.resolve("model.yaml"),
                "name: secrets\nruntime: python\nentrypoint: model:predict\nserving:\n  workers: 1\n");
        Files.writeString(
                model.resolve("model.py"),
                "import json, os\n\n\ndef predict(instances):\n"
                        + "    state = json.dumps({\"pid\": os.getpid(), \"ppid\": os.getppid(),"
                        + " \"env\": dict(os.environ)})\n"
                        + "    return [state for _ in instances]\n");
        Files.writeString(model.resolve("samples/one.json"), "{\"instances\": [[1, 2]]}");
        return model;
    }
}
