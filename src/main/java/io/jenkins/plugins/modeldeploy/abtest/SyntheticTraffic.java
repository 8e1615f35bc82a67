package io.jenkins.plugins.modeldeploy.abtest;

import io.jenkins.plugins.modeldeploy.smoke.Http1Connection;
import io.jenkins.plugins.modeldeploy.smoke.Payload;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Requests sent to a model's stable route while an experiment runs and real traffic is too thin: the sample payloads
 * in turn, paced at a fixed rate by a few keep-alive connections. Only the gateway's (or Traefik's) counters judge the
 * variants; what this sees is reported for the log.
 */
public final class SyntheticTraffic implements AutoCloseable {
    private static final int CONNECTIONS = 4;
    private static final int TIMEOUT_MILLIS = 10_000;

    private final List<Thread> senders = new ArrayList<>();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile boolean running = true;

    private SyntheticTraffic() {}

    /** Starts sending {@code rate} requests per second in total to {@code predictUrl}. */
    public static SyntheticTraffic start(URI predictUrl, List<Payload> payloads, double rate) {
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
        long intervalNanos = (long) (CONNECTIONS * 1e9 / rate);
        for (int i = 0; i < CONNECTIONS; i++) {
            long offset = i * intervalNanos / CONNECTIONS;
            Thread thread = new Thread(
                    () -> traffic.send(predictUrl, requests, intervalNanos, offset), "model-deploy-synthetic-" + i);
            thread.setDaemon(true);
            traffic.senders.add(thread);
            thread.start();
        }
        return traffic;
    }

    private void send(URI url, List<byte[]> requests, long intervalNanos, long offsetNanos) {
        Http1Connection connection = null;
        long next = System.nanoTime() + offsetNanos;
        int index = 0;
        while (running) {
            LockSupport.parkNanos(next - System.nanoTime());
            next += intervalNanos;
            try {
                if (connection == null) {
                    connection = new Http1Connection(url, TIMEOUT_MILLIS, TIMEOUT_MILLIS);
                }
                Http1Connection.Response response = connection.exchange(requests.get(index++ % requests.size()));
                if (response.status() < 200 || response.status() > 299) {
                    failed.incrementAndGet();
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
