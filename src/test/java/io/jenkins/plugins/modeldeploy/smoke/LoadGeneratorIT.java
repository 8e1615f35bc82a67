package io.jenkins.plugins.modeldeploy.smoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.jenkins.plugins.modeldeploy.testing.ScriptedHttpServer;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The open-loop generator against scripted local servers: rate accuracy, coordinated omission, error kinds. */
class LoadGeneratorIT {
    private static final List<Payload> ONE = List.of(payload("{\"instances\": [[1]]}"));

    private static Payload payload(String body) {
        return new Payload("test", body.getBytes(java.nio.charset.StandardCharsets.UTF_8), 1, Optional.empty());
    }

    @ParameterizedTest(name = "{0} req/s")
    @ValueSource(ints = {100, 1000})
    void holdsTheRequestedRateWithinOnePercent(int rate) throws Exception {
        try (ScriptedHttpServer server =
                new ScriptedHttpServer((t, path, body) -> ScriptedHttpServer.Answer.ok("{\"predictions\":[1]}"))) {
            LoadResult result = new LoadGenerator()
                    .run(
                            server.url("/predict"),
                            ONE,
                            LoadProfile.constant(rate, Duration.ofSeconds(22), Duration.ofSeconds(2)),
                            p -> {});
            List<Long> arrivals = server.arrivals();
            // At the server: arrivals of the measured 20 s (the last 20 s of the schedule).
            long last = arrivals.get(arrivals.size() - 1);
            long from = last - Duration.ofSeconds(20).toNanos();
            long inWindow = arrivals.stream().filter(a -> a > from).count();
            double serverRate = (inWindow - 1)
                    / ((last
                                    - arrivals.stream()
                                            .filter(a -> a > from)
                                            .findFirst()
                                            .orElseThrow())
                            / 1e9);
            System.out.printf(
                    "rate %d: server saw %.2f req/s, generator achieved %.2f req/s, send delay p50 %d us"
                            + " p99 %d us, %d connections%n",
                    rate,
                    serverRate,
                    result.achievedRate(),
                    result.sendDelay().getValueAtPercentile(50),
                    result.sendDelay().getValueAtPercentile(99),
                    result.connections());
            assertThat(serverRate).isCloseTo(rate, within(rate * 0.01));
            assertThat(result.achievedRate()).isCloseTo(rate, within(rate * 0.01));
            assertThat(result.requests()).isEqualTo(rate * 20L);
            assertThat(result.errorCount()).isZero();
        }
    }

    /**
     * The server stops answering for one second in the middle of a 100 req/s run. On the schedule, the 100 requests
     * intended during the stall wait until it ends, so their latencies are spread evenly from ~1000 ms down to ~10
     * ms; the p99 of 1000 measured requests is then the stall latency at the 99th percentile of that mixture.
     */
    @Test
    void reportsTheStallTheScheduleImpliesNotTheLatencyOfRequestsThatHappenedToBeSent() throws Exception {
        int rate = 100;
        Duration stall = Duration.ofSeconds(1);
        AtomicLong firstArrival = new AtomicLong();
        long stallStartsAfter = Duration.ofSeconds(6).toNanos();
        try (ScriptedHttpServer server = new ScriptedHttpServer((arrival, path, body) -> {
            firstArrival.compareAndSet(0, arrival);
            long since = arrival - firstArrival.get();
            if (since >= stallStartsAfter && since < stallStartsAfter + stall.toNanos()) {
                return new ScriptedHttpServer.Answer(
                        200, "{}", firstArrival.get() + stallStartsAfter + stall.toNanos());
            }
            return ScriptedHttpServer.Answer.ok("{}");
        })) {
            LoadResult result = new LoadGenerator()
                    .run(
                            server.url("/predict"),
                            ONE,
                            LoadProfile.constant(rate, Duration.ofSeconds(12), Duration.ofSeconds(2)),
                            p -> {});

            // Expected latencies from the schedule: stalled request k (k = 0..99) waits stall - k/rate; the rest ~0.
            int measured = rate * 10;
            int stalled = (int) (rate * stall.toMillis() / 1000);
            List<Double> expected = new ArrayList<>();
            for (int i = 0; i < measured - stalled; i++) {
                expected.add(0.0);
            }
            for (int k = 0; k < stalled; k++) {
                expected.add(stall.toMillis() - k * 1000.0 / rate);
            }
            expected.sort(Double::compare);
            double expectedP99 = expected.get((int) Math.ceil(0.99 * measured) - 1);
            System.out.printf(
                    "stall: expected p99 %.1f ms, measured p99 %.1f ms, max %.1f ms%n",
                    expectedP99, result.latencyMs(99), result.maxLatencyMs());
            assertThat(expectedP99).isEqualTo(900.0);
            assertThat(result.latencyMs(99)).isCloseTo(expectedP99, within(25.0));
            assertThat(result.maxLatencyMs()).isCloseTo(stall.toMillis(), within(25.0));
            assertThat(result.latencyMs(50)).isLessThan(5.0);
            assertThat(result.requests()).isEqualTo(measured);
        }
    }

    @Test
    void countsErrorsByKindAndDropsNone() throws Exception {
        List<Payload> payloads = List.of(
                payload("{\"ok\": 1}"), payload("{\"fail\": 1}"), payload("{\"slow\": 1}"), payload("{\"empty\": 1}"));
        try (ScriptedHttpServer server = new ScriptedHttpServer((arrival, path, body) -> {
            if (body.contains("fail")) {
                return new ScriptedHttpServer.Answer(500, "{\"error\":\"boom\"}", 0);
            }
            if (body.contains("slow")) {
                return new ScriptedHttpServer.Answer(200, "{\"predictions\":[1]}", arrival + 500_000_000L);
            }
            if (body.contains("empty")) {
                return ScriptedHttpServer.Answer.ok("{}");
            }
            return ScriptedHttpServer.Answer.ok("{\"predictions\":[1]}");
        })) {
            LoadProfile profile = LoadProfile.constant(40, Duration.ofSeconds(3), Duration.ZERO)
                    .withRequestTimeout(Duration.ofMillis(200))
                    .withCheck(ResponseCheck.SHAPE);
            LoadResult result = new LoadGenerator().run(server.url("/predict"), payloads, profile, p -> {});
            assertThat(result.requests()).isEqualTo(120);
            assertThat(result.errors())
                    .isEqualTo(Map.of(ErrorKind.STATUS, 30L, ErrorKind.TIMEOUT, 30L, ErrorKind.INVALID_BODY, 30L));
        }
    }

    @Test
    void countsRefusedConnections() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        LoadResult result = new LoadGenerator()
                .run(
                        URI.create("http://127.0.0.1:" + port + "/predict"),
                        ONE,
                        LoadProfile.constant(50, Duration.ofSeconds(2), Duration.ZERO),
                        p -> {});
        assertThat(result.requests()).isEqualTo(100);
        assertThat(result.errors()).isEqualTo(Map.of(ErrorKind.CONNECTION, 100L));
    }

    @Test
    void reportsHittingTheInFlightCap() throws Exception {
        try (ScriptedHttpServer server = new ScriptedHttpServer(
                (arrival, path, body) -> new ScriptedHttpServer.Answer(200, "{}", arrival + 100_000_000L))) {
            LoadProfile profile = LoadProfile.constant(100, Duration.ofSeconds(2), Duration.ZERO)
                    .withMaxInFlight(2);
            LoadResult result = new LoadGenerator().run(server.url("/predict"), ONE, profile, p -> {});
            assertThat(result.connections()).isEqualTo(2);
            // 200 requests, 2 senders answering every 100 ms: at least every other one waits for the cap. More than
            // that depends on phase: the two senders start together, so when both answer at once the next request
            // finds a free sender without a wait (seen: 136 under CI, where 150 was asserted before).
            assertThat(result.inFlightCapHits()).isGreaterThan(100);
            assertThat(result.achievedRate()).isLessThan(25); // 2 connections x 10 answers/s
            assertThat(result.latencyMs(99)).isGreaterThan(1000); // queued behind the cap, measured from intent
        }
    }
}
