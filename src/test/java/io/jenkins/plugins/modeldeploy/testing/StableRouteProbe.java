package io.jenkins.plugins.modeldeploy.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client of a model's stable route for the whole of a test: one request every {@code 1/rate} seconds (open loop,
 * each on its own, so a slow answer delays no other), counting every status and every transport error. What a
 * release must never cost its clients: a transport error, or a 502, 503 or 504 from the gateway.
 */
public final class StableRouteProbe implements AutoCloseable {
    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "stable-route-probe");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong pending = new AtomicLong();

    /** Starts probing {@code url} (e.g. {@code …/models/echo/predict}) with {@code body} at {@code rate} req/s. */
    public StableRouteProbe(URI url, String body, double rate) {
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        ticks.scheduleAtFixedRate(
                () -> {
                    sent.incrementAndGet();
                    pending.incrementAndGet();
                    client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                            .whenComplete((response, error) -> {
                                String key = error != null
                                        ? "transport error: " + rootMessage(error)
                                        : Integer.toString(response.statusCode());
                                outcomes.computeIfAbsent(key, k -> new AtomicLong())
                                        .incrementAndGet();
                                pending.decrementAndGet();
                            });
                },
                0,
                Math.round(1e9 / rate),
                TimeUnit.NANOSECONDS);
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName();
    }

    /** Every status and transport error seen so far, with counts. */
    public Map<String, Long> outcomes() {
        Map<String, Long> copy = new TreeMap<>();
        outcomes.forEach((key, count) -> copy.put(key, count.get()));
        return copy;
    }

    public long sent() {
        return sent.get();
    }

    /** Transport errors and 502/503/504 answers: what a client of the stable route must never see. */
    public long failures() {
        return outcomes().entrySet().stream()
                .filter(e -> e.getKey().startsWith("transport")
                        || e.getKey().equals("502")
                        || e.getKey().equals("503")
                        || e.getKey().equals("504"))
                .mapToLong(Map.Entry::getValue)
                .sum();
    }

    /** Stops sending and waits (up to 30 s) for the answers still on their way. */
    @Override
    public void close() throws InterruptedException {
        ticks.shutdownNow();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (pending.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }
}
