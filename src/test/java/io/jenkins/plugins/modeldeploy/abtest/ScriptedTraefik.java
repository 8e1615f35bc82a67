package io.jenkins.plugins.modeldeploy.abtest;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What one Traefik pod's {@code /metrics} shows for the services of one model, driven by simulated traffic: every
 * 50 ms each serving version gets its share of the route's requests (by the weights, as Traefik's weighted service
 * splits them), each tenth of them a 500, all at the version's latency. A restart zeroes every counter (Traefik's
 * client library starts again from nothing) and fails its scrapes while it is down; the requests really served are
 * counted separately, never reset, as the truth the tests compare with.
 */
final class ScriptedTraefik implements AutoCloseable {
    private final String namespace;
    private final String model;
    private final List<String> bounds;
    private final String extraLabels;
    private final double routeRate;
    private final Map<String, Version> versions = new LinkedHashMap<>();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "scripted-traefik");
        t.setDaemon(true);
        return t;
    });
    private boolean down;
    private final List<Scrape> scrapes = new java.util.ArrayList<>();

    /** What a scrape saw: when, the requests really served by then, the versions whose series it held. */
    record Scrape(long nanos, Map<String, Long> served, java.util.Set<String> exported) {}

    private static final class Version {
        double latency;
        double rate;
        double carry;
        long served;
        final long[] ok;
        final long[] failed;

        Version(int buckets) {
            ok = new long[buckets];
            failed = new long[buckets];
        }
    }

    /**
     * @param bounds      the {@code le} labels as Traefik's exporter (or Prometheus 3's normalisation) writes them,
     *                    ending with {@code +Inf}
     * @param extraLabels e.g. {@code cluster="prod"}, or empty
     * @param routeRate   requests per second on the model's stable route, split by the weights
     */
    ScriptedTraefik(String namespace, String model, List<String> bounds, String extraLabels, double routeRate) {
        this.namespace = namespace;
        this.model = model;
        this.bounds = List.copyOf(bounds);
        this.extraLabels = extraLabels.isEmpty() ? "" : extraLabels + ",";
        this.routeRate = routeRate;
        ticker.scheduleAtFixedRate(this::tick, 50, 50, TimeUnit.MILLISECONDS);
    }

    /** A version that served {@code requests} before the test (none failed), at {@code latency} seconds. */
    synchronized ScriptedTraefik history(String version, long requests, double latency) {
        Version v = versions.computeIfAbsent(version, k -> new Version(bounds.size()));
        add(v, requests, 0, latency);
        return this;
    }

    /** New requests of {@code version} take {@code latency} seconds. */
    synchronized ScriptedTraefik latency(String version, double latency) {
        versions.computeIfAbsent(version, k -> new Version(bounds.size())).latency = latency;
        return this;
    }

    /** The route's split, percent per version, as Traefik applies it. */
    synchronized void weights(Map<String, Integer> weights) {
        versions.values().forEach(v -> v.rate = 0);
        weights.forEach((version, w) ->
                versions.computeIfAbsent(version, k -> new Version(bounds.size())).rate = routeRate * w / 100.0);
    }

    /** Restarts the pod: down (scrapes fail, nothing served) for {@code outage}, then every counter from zero. */
    void restart(Duration outage) {
        synchronized (this) {
            down = true;
            for (Version v : versions.values()) {
                java.util.Arrays.fill(v.ok, 0);
                java.util.Arrays.fill(v.failed, 0);
                v.carry = 0;
            }
        }
        ticker.schedule(
                () -> {
                    synchronized (this) {
                        down = false;
                    }
                },
                outage.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Requests the version really served so far (never reset). */
    synchronized long served(String version) {
        Version v = versions.get(version);
        return v == null ? 0 : v.served;
    }

    private synchronized void tick() {
        if (down) {
            return;
        }
        for (Version v : versions.values()) {
            v.carry += v.rate * 0.05;
            long n = (long) v.carry;
            v.carry -= n;
            long failed = (v.served + n) / 10 - v.served / 10;
            add(v, n - failed, failed, v.latency);
            v.served += n;
        }
    }

    private void add(Version v, long ok, long failed, double latency) {
        for (int i = 0; i < bounds.size(); i++) {
            if (latency <= bound(bounds.get(i))) {
                v.ok[i] += ok;
                v.failed[i] += failed;
            }
        }
    }

    private static double bound(String le) {
        return le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
    }

    /** The exposition text; null while the pod is down (the scrape fails). */
    synchronized String metrics() {
        if (down) {
            return null;
        }
        StringBuilder text = new StringBuilder();
        Map<String, Long> served = new LinkedHashMap<>();
        java.util.Set<String> exported = new java.util.HashSet<>();
        versions.forEach((version, v) -> {
            String service = namespace + "-" + model + "-" + version + "-80@kubernetescrd";
            served.put(version, v.served);
            if (v.ok[v.ok.length - 1] + v.failed[v.failed.length - 1] > 0) {
                exported.add(version);
            }
            series(text, service, "200", v.ok);
            series(text, service, "500", v.failed);
        });
        scrapes.add(new Scrape(System.nanoTime(), served, exported));
        return text.toString();
    }

    /** The first scrape after {@code nanos} that held the series of all {@code versions}. */
    synchronized Scrape firstScrapeWith(long nanos, java.util.Set<String> versions) {
        return scrapes.stream()
                .filter(s -> s.nanos() > nanos && s.exported().containsAll(versions))
                .findFirst()
                .orElseThrow();
    }

    /** One status code's series, only once it has happened (Traefik creates a series at its first request). */
    private void series(StringBuilder text, String service, String code, long[] buckets) {
        long count = buckets[buckets.length - 1];
        if (count == 0) {
            return;
        }
        String labels =
                extraLabels + "code=\"" + code + "\",method=\"POST\",protocol=\"http\",service=\"" + service + "\"";
        text.append("traefik_service_requests_total{")
                .append(labels)
                .append("} ")
                .append(count)
                .append('\n');
        for (int i = 0; i < bounds.size(); i++) {
            text.append("traefik_service_request_duration_seconds_bucket{")
                    .append(labels)
                    .append(",le=\"")
                    .append(bounds.get(i))
                    .append("\"} ")
                    .append(buckets[i])
                    .append('\n');
        }
        text.append("traefik_service_request_duration_seconds_count{")
                .append(labels)
                .append("} ")
                .append(count)
                .append('\n');
        text.append(String.format(
                Locale.ROOT, "traefik_service_request_duration_seconds_sum{%s} %.3f%n", labels, count * 0.01));
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
