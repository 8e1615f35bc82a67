package io.jenkins.plugins.modeldeploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's own HTTP/1.1 parser against RFC 9112 framing: every way of making two parsers disagree on where a
 * request ends is refused with one answer and a closed connection, and bodies are bounded while they are read.
 */
class GatewayServerTest {
    private static final int MAX_BODY = 1000;
    private static final Pattern STATUS = Pattern.compile("HTTP/1\\.1 (\\d{3}) [^\r\n]*");

    private final List<GatewayServer.Request> handled = new CopyOnWriteArrayList<>();
    private GatewayServer server;

    @BeforeEach
    void start() throws IOException {
        server = GatewayServer.start(
                0,
                request -> {
                    handled.add(request);
                    byte[] body = (request.method() + " " + request.rawPath() + " "
                                    + new String(request.body(), StandardCharsets.ISO_8859_1))
                            .getBytes(StandardCharsets.ISO_8859_1);
                    return new GatewayServer.Response(200, "text/plain", Map.of(), body);
                },
                (status, message) -> new GatewayServer.Response(
                        status,
                        "application/json",
                        Map.of(),
                        ("{\"error\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8)),
                MAX_BODY);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** One parsed response; {@code close} when it said Connection: close. */
    record Answer(int status, boolean close, String body) {}

    /** Sends the bytes, half-closes, and parses everything the server sends until it closes: strictly. */
    static List<Answer> exchange(int port, byte[] request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            try {
                socket.getOutputStream().write(request);
                socket.shutdownOutput();
            } catch (SocketException e) {
                // the server refused early and closed; what it answered is still to be read
            }
            return parse(socket.getInputStream().readAllBytes());
        }
    }

    /** Responses in {@code bytes}; fails on anything that is not a complete, well-formed response. */
    static List<Answer> parse(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        List<Answer> answers = new ArrayList<>();
        int at = 0;
        while (at < text.length()) {
            int headEnd = text.indexOf("\r\n\r\n", at);
            assertThat(headEnd).as("end of a response head in %s", text).isGreaterThan(at);
            String[] lines = text.substring(at, headEnd).split("\r\n", -1);
            Matcher status = STATUS.matcher(lines[0]);
            assertThat(status.matches()).as("status line %s", lines[0]).isTrue();
            int length = -1;
            boolean close = false;
            for (int i = 1; i < lines.length; i++) {
                String[] field = lines[i].split(": ", 2);
                assertThat(field).as("header line %s", lines[i]).hasSize(2);
                if (field[0].equalsIgnoreCase("content-length")) {
                    assertThat(length).as("one Content-Length").isEqualTo(-1);
                    length = Integer.parseInt(field[1]);
                } else if (field[0].equalsIgnoreCase("connection")) {
                    close = field[1].equalsIgnoreCase("close");
                }
            }
            if (lines[0].startsWith("HTTP/1.1 1")) { // an interim 100 Continue: no body, the answer follows
                assertThat(length).isEqualTo(-1);
                at = headEnd + 4;
                continue;
            }
            assertThat(length).as("Content-Length of %s", lines[0]).isGreaterThanOrEqualTo(0);
            assertThat(headEnd + 4 + length).as("complete body").isLessThanOrEqualTo(text.length());
            answers.add(new Answer(
                    Integer.parseInt(status.group(1)), close, text.substring(headEnd + 4, headEnd + 4 + length)));
            at = headEnd + 4 + length;
        }
        return answers;
    }

    private List<Answer> send(String request) throws IOException {
        return exchange(server.port(), request.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Exactly one answer, the refusal, with Connection: close, and the handler never called. */
    private Answer refused(String request, int status) throws IOException {
        List<Answer> answers = send(request);
        assertThat(answers).as("answers to %s", request).hasSize(1);
        assertThat(answers.get(0).status()).as(answers.get(0).body()).isEqualTo(status);
        assertThat(answers.get(0).close()).isTrue();
        assertThat(handled).as("requests that reached the handler").isEmpty();
        return answers.get(0);
    }

    @Test
    void conflictingOrRepeatedContentLengthIsRefused() throws IOException {
        refused("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 0\r\n\r\nhello", 400);
        refused("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n", 400);
        refused("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n\r\nhello", 400);
        refused("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello", 400);
        refused("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\nhello", 400);
    }

    @Test
    void contentLengthWithTransferEncodingDoesNotSmuggleARequest() throws IOException {
        String smuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
        refused(
                "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + (5 + smuggled.length())
                        + "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled,
                400);
        refused(
                "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n"
                        + smuggled,
                400);
        refused("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", 400);
        refused("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400);
        refused("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400);
        refused("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501);
    }

    @Test
    void invalidChunkSizesAreRefusedBeforeAnyDataIsRead() throws IOException {
        String big = "x".repeat(200_000);
        refused("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n" + big, 400);
        refused("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0x10\r\n" + big, 400);
        refused("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n", 400);
        refused("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n", 400);
        refused("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n" + big, 413);
        refused(
                "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;"
                        + "e".repeat(GatewayServer.MAX_CHUNK_LINE_BYTES) + "\r\nx\r\n0\r\n\r\n",
                400);
    }

    /** The limit holds while the body is read: 413 arrives while the client is still sending. */
    @Test
    void maxBodyBytesAppliesToAChunkedBodyWhileItIsRead() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes());
            String chunk = Integer.toHexString(600) + "\r\n" + "y".repeat(600) + "\r\n";
            out.write((chunk + chunk).getBytes(StandardCharsets.ISO_8859_1)); // 1200 > 1000, no last chunk sent
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            for (int b = in.read(); b >= 0; b = in.read()) { // the server closes after its answer
                received.write(b);
            }
            List<Answer> answers = parse(received.toByteArray());
            assertThat(answers).hasSize(1);
            assertThat(answers.get(0).status()).isEqualTo(413);
            assertThat(answers.get(0).close()).isTrue();
        }
        assertThat(handled).isEmpty();
    }

    @Test
    void obsFoldBareLfAndBareCrAreRefused() throws IOException {
        refused("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b: c\r\n\r\n", 400);
        refused("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n\tb\r\n\r\n", 400);
        refused("GET / HTTP/1.1\nHost: x\n\n", 400);
        refused("GET / HTTP/1.1\r\nHost: x\nX-A: b\r\n\r\n", 400);
        refused("GET / HTTP/1.1\r\nHost: x\rX-A: b\r\n\r\n", 400);
        refused("GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400);
        refused("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n", 400);
        refused("GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400);
        refused("GET / HTTP/1.1\r\n\r\n", 400);
        refused("GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400);
        refused("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505);
    }

    @Test
    void headerCountAndSizeAreLimited() throws IOException {
        StringBuilder many = new StringBuilder("GET / HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < GatewayServer.MAX_HEADER_FIELDS; i++) {
            many.append("X-").append(i).append(": 1\r\n");
        }
        refused(many.append("\r\n").toString(), 431);
        refused("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(GatewayServer.MAX_HEADER_BYTES) + "\r\n\r\n", 431);
        refused("GET /" + "p".repeat(GatewayServer.MAX_REQUEST_LINE_BYTES) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414);
        StringBuilder trailers =
                new StringBuilder("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n");
        for (int i = 0; i < GatewayServer.MAX_HEADER_FIELDS; i++) {
            trailers.append("X-").append(i).append(": 1\r\n");
        }
        refused(trailers.append("\r\n").toString(), 431);
    }

    /** Strictness costs valid clients nothing: pipelined, chunked with extensions and trailers, HTTP/1.0. */
    @Test
    void wellFormedRequestsOnOneConnectionAreAllAnswered() throws IOException {
        List<Answer> answers = send("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                + "\r\n" // one stray CRLF before a request line is ignored (RFC 9112 §2.2)
                + "POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n"
                + "3 ;ext=1\r\nabc\r\n002\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n"
                + "GET http://x/c?q=1 HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n"
                + "GET /d HTTP/1.0\r\n\r\n");
        assertThat(answers).extracting(Answer::status).containsExactly(200, 200, 200, 200);
        assertThat(answers)
                .extracting(Answer::body)
                .containsExactly("POST /a hello", "POST /b abcde", "GET /c ", "GET /d ");
        assertThat(answers).extracting(Answer::close).containsExactly(false, false, false, true);
    }

    /** What a proxy passes on: end-to-end fields as sent, in order; framing and connection fields left out. */
    @Test
    void keepsEndToEndHeadersAndLeavesOutThoseOfTheHop() throws IOException {
        send("POST /a HTTP/1.1\r\nHost: x\r\nX-Request-Id: r1\r\nContent-Type: application/json\r\n"
                + "Cookie: a=1\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\nContent-Length: 2\r\nX-Model-Version: 2\r\n"
                + "Accept: application/json\r\nTE: trailers\r\nExpect: 100-continue\r\n\r\n{}");
        GatewayServer.Request request = handled.get(0);
        assertThat(request.headers())
                .containsExactly(
                        Map.entry("X-Request-Id", "r1"),
                        Map.entry("Cookie", "a=1"),
                        Map.entry("X-Model-Version", "2"),
                        Map.entry("Accept", "application/json"));
        assertThat(request.header("x-model-version")).isEqualTo("2");
        assertThat(request.header("Host")).isNull();
        assertThat(request.contentType()).isEqualTo("application/json");
    }

    /** A handler that throws still gives its request one answer. */
    @Test
    void aFailingHandlerStillAnswers() throws IOException {
        server.close();
        server = GatewayServer.start(
                0,
                request -> {
                    throw new IllegalStateException("bug");
                },
                (status, message) -> new GatewayServer.Response(status, null, Map.of(), new byte[0]),
                MAX_BODY);
        List<Answer> answers = send("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(answers).hasSize(1);
        assertThat(answers.get(0).status()).isEqualTo(500);
        assertThat(answers.get(0).close()).isTrue();
    }

    // --- fuzz ---------------------------------------------------------------------------------------------------

    private static final String[] SEEDS = {
        "POST /models/m/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n"
                + "{\"a\": [1, 2]}",
        "POST /models/m/predict HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\n{\"a\":\r\n8\r\n [1, 2]}\r\n0\r\n\r\n",
        "GET /models/m/ready HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST /models/m/predict HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST /models/m/predict HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 30\r\n\r\n"
                + "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST /models/m/predict HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n" + "z".repeat(3000),
    };
    private static final String[] INSERTS = {
        "\r\n",
        "\n",
        "\r",
        " ",
        "\t",
        ":",
        "\0",
        "\u00ff",
        "-1",
        "0",
        "ffffffffffffffff",
        ";ext=\"v\"",
        "\r\n\r\n",
        "Content-Length: 5\r\n",
        "Content-Length: 0\r\n",
        "Transfer-Encoding: chunked\r\n",
        "Transfer-Encoding: gzip\r\n",
        "Host: y\r\n",
        " folded\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        "Expect: 100-continue\r\n",
        "Connection: close\r\n",
        "HTTP/1.0",
        "HTTP/9.9",
        "X: " + "v".repeat(70_000)
    };

    private static String mutate(Random random, String seed) {
        StringBuilder s = new StringBuilder(seed);
        int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations; m++) {
            int at = random.nextInt(s.length() + 1);
            switch (random.nextInt(4)) {
                case 0 -> s.insert(at, INSERTS[random.nextInt(INSERTS.length)]);
                case 1 -> s.delete(at, Math.min(s.length(), at + 1 + random.nextInt(8)));
                case 2 -> {
                    if (at < s.length()) {
                        s.setCharAt(at, (char) random.nextInt(256));
                    }
                }
                default -> {
                    int lineStart = s.lastIndexOf("\r\n", Math.max(0, at - 1));
                    int lineEnd = s.indexOf("\r\n", at);
                    if (lineStart >= 0 && lineEnd > lineStart) {
                        s.insert(lineEnd, s.substring(lineStart, lineEnd)); // a repeated line
                    }
                }
            }
        }
        return s.toString();
    }

    /**
     * 10,000 mutated requests and framing attacks through the gateway: each connection's bytes get only complete,
     * well-formed responses, exactly as many as requests the gateway counted, a refusal is always the last answer
     * and says Connection: close, and the server then closes.
     */
    @Test
    void fuzzedFramingThroughTheGatewayGetsExactlyOneWellFormedAnswerPerRequest() throws IOException {
        long seed = Long.getLong("fuzz.seed", 15L);
        Random random = new Random(seed);
        try (LocalGateway gateway = LocalGateway.start(0)) {
            int port = gateway.baseUri().getPort();
            long answered = 0;
            for (int i = 0; i < 10_000; i++) {
                String request = mutate(random, SEEDS[random.nextInt(SEEDS.length)]);
                List<Answer> answers;
                try {
                    answers = exchange(port, request.getBytes(StandardCharsets.ISO_8859_1));
                } catch (AssertionError | IOException e) {
                    throw new AssertionError("case " + i + " (seed " + seed + "): " + printable(request), e);
                }
                if (!request.isBlank()) {
                    assertThat(answers).as("case %d: %s", i, printable(request)).isNotEmpty();
                }
                for (int a = 0; a < answers.size(); a++) {
                    Answer answer = answers.get(a);
                    assertThat(answer.status())
                            .as("case %d: %s", i, printable(request))
                            .isIn(200, 400, 404, 413, 414, 431, 501, 503, 505);
                    assertThat(answer.body()).doesNotContain("smuggled\",").startsWith("{\"error\":");
                    if (answer.status() != 404 && answer.status() != 503) {
                        assertThat(answer.close())
                                .as("case %d: refusal closes", i)
                                .isTrue();
                        assertThat(a)
                                .as("case %d: refusal is the last answer", i)
                                .isEqualTo(answers.size() - 1);
                    }
                }
                answered += answers.size();
                assertThat(gateway.requests())
                        .as("case %d: %s", i, printable(request))
                        .isEqualTo(answered);
            }
        }
    }

    private static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.substring(0, Math.min(400, s.length())).toCharArray()) {
            out.append(c < 0x20 || c >= 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return out.toString();
    }
}
