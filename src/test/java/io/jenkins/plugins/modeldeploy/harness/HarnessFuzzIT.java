package io.jenkins.plugins.modeldeploy.harness;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.testing.RawHttp;
import io.jenkins.plugins.modeldeploy.testing.TestModels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * 10,000 generated requests per harness language — mutated and random JSON, non-UTF-8 and over-deep bodies, and
 * HTTP framing attacks (duplicate Content-Length, Content-Length with chunked, invalid chunk sizes, obs-fold, bare
 * LF/CR, oversized header sections, truncations, smuggled pipelined requests) — each on its own connection, sent
 * whole and half-closed: each must get exactly one complete, well-formed HTTP/1.1 response with a JSON body (an
 * {@code error} string on every error status) and nothing after it, and /metrics must count every one of them.
 */
class HarnessFuzzIT {
    private static final int CASES = Integer.getInteger("fuzz.cases", 10_000);
    private static final long SEED = Long.getLong("fuzz.seed", 20261130L);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<Integer> STATUSES = Set.of(200, 400, 404, 405, 411, 413, 414, 415, 431, 500, 501, 505);
    private static final Pattern COUNTER = Pattern.compile("(?m)^model_deploy_requests_total\\{[^}]*} (\\d+)$");

    @TempDir
    Path workDir;

    @ParameterizedTest
    @ValueSource(strings = {"mpg-python", "echo-r"})
    void everyRequestGetsExactlyOneWellFormedResponse(String model) throws Exception {
        try (HarnessProcess harness = HarnessProcess.start(
                ModelVersion.of(new ModelSpecLoader().load(TestModels.testModel(model, workDir)), "1", "fuzz"),
                HarnessOptions.loopback(),
                line -> {})) {
            URI url = harness.url();
            List<byte[]> cases = generate(new Random(SEED), model);
            long before = answered(url);
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int i = 0; i < cases.size(); i++) {
                    int index = i;
                    done.add(pool.submit(() -> {
                        String failure = check(url, cases.get(index));
                        if (failure != null) {
                            failures.add("case " + index + " (seed " + SEED + "): " + failure + "\n  sent: "
                                    + printable(cases.get(index), 300));
                        }
                    }));
                }
                for (Future<?> f : done) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(failures)
                    .as(String.join("\n", failures.stream().limit(10).toList()))
                    .isEmpty();
            // every answer was counted, and the server still serves (+1: the first /metrics request)
            assertThat(answered(url) - before).isEqualTo(cases.size() + 1L);
            try (RawHttp http = new RawHttp(url)) {
                assertThat(http.get("/v2/health/ready").status()).isEqualTo(200);
            }
        }
    }

    /** Null when the exchange is right, else what was wrong. */
    private static String check(URI url, byte[] request) {
        byte[] answer;
        try (Socket socket = new Socket()) {
            socket.setSoTimeout(20_000);
            socket.connect(new InetSocketAddress(url.getHost(), url.getPort()), 5_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
                socket.shutdownOutput();
            } catch (SocketException e) {
                // the server refused early and closed while we were still sending: its answer is still readable
            }
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buffer = new byte[65536];
            try {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    all.write(buffer, 0, n);
                }
            } catch (SocketException e) {
                if (all.size() == 0) {
                    return "connection reset without an answer: " + e.getMessage();
                }
            }
            answer = all.toByteArray();
        } catch (IOException e) {
            return "no answer: " + e;
        }
        return wellFormed(answer);
    }

    private static String wellFormed(byte[] answer) {
        String text = new String(answer, StandardCharsets.ISO_8859_1);
        int headEnd = text.indexOf("\r\n\r\n");
        if (headEnd < 0) {
            return "no complete response head in " + answer.length + " bytes: " + printable(answer, 200);
        }
        String[] lines = text.substring(0, headEnd).split("\r\n", -1);
        Matcher status = Pattern.compile("HTTP/1\\.1 (\\d{3}) [^\\r\\n]*").matcher(lines[0]);
        if (!status.matches()) {
            return "bad status line: " + lines[0];
        }
        int code = Integer.parseInt(status.group(1));
        long length = -1;
        String contentType = null;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                return "bad header line: " + lines[i];
            }
            String name = lines[i].substring(0, colon).toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).trim();
            if (name.equals("content-length")) {
                if (length >= 0) {
                    return "two Content-Length headers";
                }
                length = Long.parseLong(value);
            } else if (name.equals("content-type")) {
                contentType = value;
            }
        }
        if (length < 0) {
            return "no Content-Length";
        }
        int bodyStart = headEnd + 4;
        if (answer.length - bodyStart != length) {
            return (answer.length - bodyStart > length ? "more than one response (or trailing bytes): " : "body cut: ")
                    + printable(answer, 400);
        }
        if (!STATUSES.contains(code)) {
            return "unexpected status " + code + ": " + printable(answer, 300);
        }
        if (!"application/json".equals(contentType)) {
            return "Content-Type " + contentType;
        }
        JsonNode body;
        try {
            body = JSON.readTree(Arrays.copyOfRange(answer, bodyStart, answer.length));
        } catch (IOException e) {
            return "body is not JSON: " + printable(answer, 300);
        }
        if (code >= 400) {
            if (body.size() != 1 || !body.path("error").isTextual()) {
                return "error answer without an error string: " + body;
            }
            if (body.get("error").asText().startsWith("internal error")) {
                return "the harness itself failed: " + body;
            }
        }
        return null;
    }

    private static long answered(URI url) throws IOException {
        try (RawHttp http = new RawHttp(url)) {
            Matcher counter = COUNTER.matcher(http.get("/metrics").text());
            long total = 0;
            while (counter.find()) {
                total += Long.parseLong(counter.group(1));
            }
            return total;
        }
    }

    // --- generation -------------------------------------------------------------------------------------------

    static List<byte[]> generate(Random random, String model) {
        String infer = "/v2/models/" + model + "/infer";
        List<byte[]> cases = new ArrayList<>(CASES);
        for (int i = 0; i < CASES; i++) {
            int kind = random.nextInt(10);
            String path = random.nextBoolean() ? "/predict" : infer;
            byte[] request =
                    switch (kind) {
                        case 0, 1, 2 ->
                            post(
                                    path,
                                    mutate(
                                            random,
                                            valid(random, path.equals(infer)).getBytes(StandardCharsets.UTF_8)));
                        case 3 -> post(path, randomJson(random, 0).getBytes(StandardCharsets.UTF_8));
                        case 4 -> post(path, randomBytes(random, 1 + random.nextInt(200)));
                        case 5 -> post(path, deep(random));
                        default -> attack(random, path, valid(random, path.equals(infer)));
                    };
            cases.add(request);
        }
        return cases;
    }

    private static String valid(Random random, boolean v2) {
        double wt = random.nextInt(5) == 0 ? (random.nextBoolean() ? -1 : 999) : random.nextDouble() * 5;
        int hp = random.nextInt(300);
        if (v2) {
            return "{\"id\": \"r" + random.nextInt(1000) + "\", \"inputs\": [{\"name\": \"wt\", \"shape\": [1],"
                    + " \"datatype\": \"FP64\", \"data\": [" + wt + "]}, {\"name\": \"hp\", \"shape\": [1], "
                    + "\"datatype\": \"" + (random.nextBoolean() ? "INT8" : "FP32") + "\", \"data\": [" + hp + "]}]}";
        }
        return "{\"instances\": [{\"wt\": " + wt + ", \"hp\": " + hp + "}]}";
    }

    private static byte[] mutate(Random random, byte[] body) {
        byte[] copy = body.clone();
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = random.nextInt(copy.length);
            switch (random.nextInt(4)) {
                case 0 -> copy[at] = (byte) random.nextInt(256);
                case 1 -> copy = Arrays.copyOf(copy, Math.max(1, at));
                case 2 -> copy[at] = (byte) "{}[]\",:0-.eE\\nul".charAt(random.nextInt(16));
                default -> {
                    String[] inserts = {
                        "null",
                        "1e400",
                        "-0",
                        "\"\\ud800\"",
                        "[",
                        "]",
                        "NaN",
                        "99999999999999999999",
                        "true",
                        "{\"a\":",
                        "\u00e9",
                        "\"\\u0000\""
                    };
                    byte[] insert = inserts[random.nextInt(inserts.length)].getBytes(StandardCharsets.UTF_8);
                    byte[] grown = new byte[copy.length + insert.length];
                    System.arraycopy(copy, 0, grown, 0, at);
                    System.arraycopy(insert, 0, grown, at, insert.length);
                    System.arraycopy(copy, at, grown, at + insert.length, copy.length - at);
                    copy = grown;
                }
            }
        }
        return copy;
    }

    private static String randomJson(Random random, int depth) {
        int pick = depth > 6 ? random.nextInt(6) : random.nextInt(9);
        return switch (pick) {
            case 0 -> "null";
            case 1 -> random.nextBoolean() ? "true" : "false";
            case 2 -> Long.toString(random.nextLong());
            case 3 ->
                new String[] {"1e308", "-1e-320", "0.5", "1E400", "123456789012345678901234567890"}[random.nextInt(5)];
            case 4 -> "\"" + new String[] {"", "x", "\\ud83d", "\\u0000", "\u00fc\u4e2d"}[random.nextInt(5)] + "\"";
            case 5 -> "\"instances\"";
            case 6, 7 -> {
                StringBuilder array = new StringBuilder("[");
                for (int k = random.nextInt(4); k > 0; k--) {
                    array.append(randomJson(random, depth + 1)).append(k > 1 ? "," : "");
                }
                yield array.append(']').toString();
            }
            default -> {
                String[] keys = {
                    "instances",
                    "inputs",
                    "name",
                    "shape",
                    "datatype",
                    "data",
                    "outputs",
                    "id",
                    "parameters",
                    "wt",
                    "hp"
                };
                StringBuilder object = new StringBuilder("{");
                for (int k = random.nextInt(4); k > 0; k--) {
                    object.append('"')
                            .append(keys[random.nextInt(keys.length)])
                            .append("\":")
                            .append(randomJson(random, depth + 1))
                            .append(k > 1 ? "," : "");
                }
                yield object.append('}').toString();
            }
        };
    }

    private static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] deep(Random random) {
        int depth = new int[] {50, 99, 101, 990, 5_000, 100_000}[random.nextInt(6)];
        String open = random.nextBoolean() ? "[" : "{\"a\":";
        String close = open.equals("[") ? "]" : "}";
        String inner = "[".equals(open) ? "1" : "1";
        return ("{\"instances\": [" + open.repeat(depth) + inner + close.repeat(random.nextBoolean() ? depth : 0)
                        + "]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] post(String path, byte[] body) {
        return RawHttp.postRequest(path, "application/json", body);
    }

    private static final String SMUGGLED = "GET /v2/health/live HTTP/1.1\r\nHost: t\r\n\r\n";

    /** One HTTP framing attack around a (valid) body; each must be refused or served as one request. */
    private static byte[] attack(Random random, String path, String body) {
        String start = "POST " + path + " HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n";
        int n = body.length();
        List<Function<Random, String>> attacks = List.of(
                r -> start + "Content-Length: " + n + "\r\nContent-Length: " + (n + SMUGGLED.length()) + "\r\n\r\n"
                        + body + SMUGGLED,
                r -> start + "Content-Length: " + n + "\r\nContent-Length: " + n + "\r\n\r\n" + body,
                r -> start + "Content-Length: " + (n + 7) + "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                        + SMUGGLED,
                r -> start + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n" + Integer.toHexString(n) + "\r\n"
                        + body + "\r\n0\r\n\r\n",
                r -> start + "Transfer-Encoding: chunked\r\n\r\n"
                        + new String[] {"-1", "+5", "0x5", " 5", "5 ", "fffffffffffffffff", "", "z", "-0", "5_0"}
                                [r.nextInt(10)]
                        + "\r\n" + body + "\r\n0\r\n\r\n" + SMUGGLED,
                r -> start + "Transfer-Encoding: "
                        + new String[] {
                                    "chunked, chunked",
                                    "gzip",
                                    "gzip, chunked",
                                    "identity",
                                    "chunked\u000b",
                                    "xchunked",
                                    "chunked;q=1"
                                }
                                [r.nextInt(7)]
                        + "\r\n\r\n" + Integer.toHexString(n) + "\r\n" + body + "\r\n0\r\n\r\n",
                r -> start + "X-Folded: a\r\n b\r\nContent-Length: " + n + "\r\n\r\n" + body,
                r -> start.replace("Host: t\r\n", "Host: t\n") + "Content-Length: " + n + "\r\n\r\n" + body,
                r -> start + "Content-Length: " + n + "\r\n\n" + body,
                r -> start.replace("\r\nHost", "\rHost") + "Content-Length: " + n + "\r\n\r\n" + body,
                r -> start + "X-Nul: a\u0000b\r\nContent-Length: " + n + "\r\n\r\n" + body,
                r -> start + "Content-Length : " + n + "\r\n\r\n" + body,
                r -> new String[] {
                                    "GET  /v2 HTTP/1.1",
                                    "GET /v2 HTTP/1.1 x",
                                    "GET /v2",
                                    "GET /v2 HTTP/2.0",
                                    "GET /v2 HTTP/1.10",
                                    "G(T /v2 HTTP/1.1",
                                    "GET /v2\u0000 HTTP/1.1",
                                    "GET /v2 http/1.1"
                                }
                                [r.nextInt(8)]
                        + "\r\nHost: t\r\n\r\n",
                r -> start + "X-A: 1\r\n".repeat(90 + r.nextInt(30)) + "Content-Length: " + n + "\r\n\r\n" + body,
                r -> start + "X-Big: " + "a".repeat(60_000 + r.nextInt(10_000)) + "\r\nContent-Length: " + n
                        + "\r\n\r\n" + body,
                r -> "GET /" + "a".repeat(8_000 + r.nextInt(500)) + " HTTP/1.1\r\nHost: t\r\n\r\n",
                r -> start.replace("Host: t\r\n", r.nextBoolean() ? "" : "Host: t\r\nHost: u\r\n") + "Content-Length: "
                        + n + "\r\n\r\n" + body,
                r -> start + "Content-Length: " + (n + 1 + r.nextInt(100)) + "\r\n\r\n" + body,
                r -> start + "Content-Length: " + (2_000_000 + r.nextInt(1000)) + "\r\n\r\n" + body,
                r -> start + "Content-Length: "
                        + new String[] {"+" + n, "-1", n + "_0", "0x10", n + " " + n, ""}[r.nextInt(6)]
                        + "\r\n\r\n" + body,
                r -> start + "Transfer-Encoding: chunked\r\n\r\n" + ("1;" + "e".repeat(4000) + "\r\nx\r\n").repeat(5)
                        + "0\r\n\r\n",
                r -> start + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(n) + "\r\n" + body
                        + "XX0\r\n\r\n",
                r -> start + "Transfer-Encoding: chunked\r\n\r\n" + "fffffff\r\n" + body,
                r -> "POST " + path + " HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                r -> {
                    String whole = start + "Content-Length: " + n + "\r\n\r\n" + body;
                    return whole.substring(0, 1 + r.nextInt(whole.length() - 1)); // truncated anywhere
                },
                r -> new String(randomBytes(r, 1 + r.nextInt(300)), StandardCharsets.ISO_8859_1)
                                .replaceFirst("^[\r\n]+", "x")
                        + "\r\n\r\n");
        return attacks.get(random.nextInt(attacks.size())).apply(random).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String printable(byte[] bytes, int max) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(bytes.length, max); i++) {
            int b = bytes[i] & 0xff;
            if (b == '\r') {
                out.append("\\r");
            } else if (b == '\n') {
                out.append("\\n");
            } else if (b < 0x20 || b >= 0x7f) {
                out.append(String.format("\\x%02x", b));
            } else {
                out.append((char) b);
            }
        }
        return bytes.length > max ? out + "... (" + bytes.length + " bytes)" : out.toString();
    }
}
