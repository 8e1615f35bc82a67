package io.jenkins.plugins.modeldeploy.abtest;

import io.jenkins.plugins.modeldeploy.smoke.Http1Connection;
import io.jenkins.plugins.modeldeploy.smoke.Payload;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import java.util.function.IntUnaryOperator;

/**
 * Requests sent to a model's stable route while an experiment runs and real traffic is too thin: the sample payloads
 * in turn, paced at a fixed rate by a few keep-alive connections. Only the gateway's (or Traefik's) counters judge the
 * variants' operational numbers; what this sees is reported for the log. When payloads carry labels ({@code
 * "expected"}), each 2xx answer is scored ({@link LabelScorer}) and the scores are accumulated for the version that
 * served it (its {@code X-Model-Version} header): the experiment adds them to the variants' quality observations.
 * With a sticky header, requests carry it with values cycling over {@value #STICKY_USERS} synthetic users.
 */
public final class SyntheticTraffic implements AutoCloseable {
    private static final int CONNECTIONS = 4;
    private static final int TIMEOUT_MILLIS = 10_000;
    /** Distinct values of the sticky header, so that assignment by hash is exercised across many clients. */
    static final int STICKY_USERS = 200;

    static final String VERSION_HEADER = "x-model-version";

    private final List<Thread> senders = new ArrayList<>();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong unattributed = new AtomicLong();
    private final Map<String, Map<String, Moments>> scores = new HashMap<>();
    private volatile boolean running = true;

    private SyntheticTraffic() {}

    /** Starts sending {@code rate} requests per second in total to {@code predictUrl}. */
    public static SyntheticTraffic start(URI predictUrl, List<Payload> payloads, double rate) {
        return start(predictUrl, payloads, rate, Optional.empty());
    }

    /**
     * Starts sending {@code rate} requests per second in total to {@code predictUrl}; with a {@code stickyHeader},
     * each request carries it with the next of {@value #STICKY_USERS} synthetic user ids.
     */
    public static SyntheticTraffic start(
            URI predictUrl, List<Payload> payloads, double rate, Optional<String> stickyHeader) {
        if (payloads.isEmpty()) {
            throw new IllegalArgumentException("synthetic traffic needs at least one sample payload");
        }
        if (!(rate > 0)) {
            throw new IllegalArgumentException("synthetic traffic rate must be positive, was " + rate);
        }
        SyntheticTraffic traffic = new SyntheticTraffic();
        String host = predictUrl.getHost() + (predictUrl.getPort() > 0 ? ":" + predictUrl.getPort() : "");
        List<byte[]> requests = payloads.stream()
                .map(p -> Http1Connection.request(
                        "POST", predictUrl.getRawPath(), host, "application/json", "model-deploy-abtest", p.body()))
                .toList();
        // with a sticky header, request n goes as user n mod STICKY_USERS: built per request (payloads x users
        // prepared up front could be large)
        IntUnaryOperator payloadOf =
                stickyHeader.isEmpty() ? n -> n % payloads.size() : n -> payload(n, payloads.size());
        IntFunction<byte[]> build = stickyHeader.isEmpty()
                ? n -> requests.get(n % requests.size())
                : n -> Http1Connection.request(
                        "POST",
                        predictUrl.getRawPath(),
                        host,
                        "application/json",
                        "model-deploy-abtest",
                        Map.of(stickyHeader.get(), "synthetic-user-" + (n % STICKY_USERS)),
                        payloads.get(payload(n, payloads.size())).body());
        long intervalNanos = (long) (CONNECTIONS * 1e9 / rate);
        for (int i = 0; i < CONNECTIONS; i++) {
            long offset = i * intervalNanos / CONNECTIONS;
            int first = i;
            Thread thread = new Thread(
                    () -> traffic.send(predictUrl, payloads, payloadOf, build, intervalNanos, offset, first),
                    "model-deploy-synthetic-" + i);
            thread.setDaemon(true);
            traffic.senders.add(thread);
            thread.start();
        }
        return traffic;
    }

    private void send(
            URI url,
            List<Payload> payloads,
            IntUnaryOperator payloadOf,
            IntFunction<byte[]> build,
            long intervalNanos,
            long offsetNanos,
            int first) {
        Http1Connection connection = null;
        long next = System.nanoTime() + offsetNanos;
        // the senders interleave: sender i sends request i, i + CONNECTIONS, ... (every payload, and every user)
        long index = first;
        while (running) {
            LockSupport.parkNanos(next - System.nanoTime());
            next += intervalNanos;
            int request = (int) (index % ((long) payloads.size() * STICKY_USERS));
            index += CONNECTIONS;
            try {
                if (connection == null) {
                    connection = new Http1Connection(url, TIMEOUT_MILLIS, TIMEOUT_MILLIS);
                }
                Http1Connection.Response response = connection.exchange(build.apply(request));
                if (response.status() < 200 || response.status() > 299) {
                    failed.incrementAndGet();
                } else {
                    record(payloads.get(payloadOf.applyAsInt(request)), response);
                }
                if (response.closes()) {
                    connection.close();
                    connection = null;
                }
            } catch (IOException e) {
                failed.incrementAndGet();
                if (connection != null) {
                    connection.close();
                    connection = null;
                }
            }
            sent.incrementAndGet();
        }
        if (connection != null) {
            connection.close();
        }
    }

    /**
     * The payload of request {@code n} with a sticky header: user {@code u = n mod }{@value #STICKY_USERS} sends, at
     * its {@code k}-th request, payload {@code (u + k) mod payloads}, so that each user sends every payload over time
     * (plain {@code n mod payloads} would send one user the same few payloads whenever the counts share a factor).
     */
    static int payload(int n, int payloads) {
        return (int) (((long) (n % STICKY_USERS) + n / STICKY_USERS) % payloads);
    }

    private void record(Payload payload, Http1Connection.Response response) {
        if (payload.expected().isEmpty()) {
            return;
        }
        String version = response.extensionHeaders().get(VERSION_HEADER);
        if (version == null || version.isBlank()) {
            unattributed.incrementAndGet();
            return;
        }
        Map<String, Moments> score = LabelScorer.score(payload, response.body());
        synchronized (scores) {
            scores.compute(version, (v, sofar) -> sofar == null ? score : LabelScorer.add(sofar, score));
        }
    }

    /**
     * The scores of the labelled answers so far by the version that served them (cumulative since the start), then by
     * metric name: a snapshot, safe to read while the traffic runs.
     */
    public Map<String, Map<String, Moments>> scores() {
        synchronized (scores) {
            Map<String, Map<String, Moments>> copy = new HashMap<>();
            scores.forEach((version, metrics) -> copy.put(version, Map.copyOf(metrics)));
            return Map.copyOf(copy);
        }
    }

    /** Labelled 2xx answers that could not be scored: they named no serving version. */
    public long unattributed() {
        return unattributed.get();
    }

    public long sent() {
        return sent.get();
    }

    /** Non-2xx answers and transport failures seen. */
    public long failed() {
        return failed.get();
    }

    @Override
    public void close() {
        running = false;
        for (Thread sender : senders) {
            try {
                sender.join(TIMEOUT_MILLIS + 1_000L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
