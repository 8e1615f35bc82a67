package io.jenkins.plugins.modeldeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The smoke test's progress goes to stderr as plain lines when stderr is not a terminal (here: a test's writer), and
 * nowhere with {@code --output json}, whose stdout stays one JSON document.
 */
class SmokeProgressCliTest {
    @TempDir
    Path dir;

    private HttpServer server;
    private String url;
    private Path payload;

    @BeforeEach
    void answer() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/predict", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] body = "{\"predictions\": [1]}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort() + "/predict";
        payload = Files.writeString(dir.resolve("one.json"), "{\"instances\": [[1]]}");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private InProcessCli.Run smoke(String... more) {
        String[] base = {
            "smoke",
            "--url",
            url,
            "--payload",
            payload.toString(),
            "--rate",
            "20",
            "--duration",
            "2s",
            "--warmup",
            "500ms",
            "--p99",
            "10s" // a loaded test machine must not fail the run: its progress is under test
        };
        String[] args = new String[base.length + more.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return InProcessCli.run(args);
    }

    @Test
    void textModeShowsTheFinalProgressLineOnStderrAndKeepsStdoutForTheResult() {
        InProcessCli.Run run = smoke();
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("PASSED: ");
        assertThat(run.out()).doesNotContain("smoke: ");
        // not a terminal: plain lines, no carriage return, no escape codes; the 2 s run is shorter than the 5 s
        // interval, so only its final line shows: the run's end, every request sent and answered
        assertThat(run.err().lines())
                .singleElement()
                .satisfies(
                        line -> assertThat(line)
                                .matches(
                                        "smoke: 2/2 s: 40 sent, [0-9.]+ req/s, p50 [0-9.]+ ms, p99 [0-9.]+ ms, 0 errors, 0 in flight"));
        assertThat(run.err()).doesNotContain("\r").doesNotContain("\u001b");
    }

    @Test
    void jsonModeShowsNoProgressAndStdoutIsOneJsonDocument() throws Exception {
        InProcessCli.Run run = smoke("--output", "json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out().strip().lines()).hasSize(1);
        JsonNode result = new ObjectMapper().readTree(run.out());
        assertThat(result.get("passed").asBoolean()).isTrue();
        assertThat(result.get("requests").asInt()).isEqualTo(30);
    }
}
