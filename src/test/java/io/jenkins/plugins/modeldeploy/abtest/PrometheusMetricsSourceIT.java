package io.jenkins.plugins.modeldeploy.abtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.sun.net.httpserver.HttpServer;
import io.jenkins.plugins.modeldeploy.route.TrafficRouter;
import io.jenkins.plugins.modeldeploy.testing.PrometheusServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reading the variants from a real Prometheus (scraping every second) that scrapes metrics shaped like Traefik's: a
 * stand-in exporter with Traefik's metric names and labels ({@link ScriptedTraefik}, simulated traffic), since
 * Traefik itself cannot run here. Each test uses its own namespace, so its series are its own.
 */
class PrometheusMetricsSourceIT {
    /** Traefik's default buckets plus 0.05 (the 50 ms SLO), as Traefik's Go client writes them. */
    private static final List<String> BUCKETS = List.of("0.01", "0.05", "0.1", "1", "+Inf");

    private static final AtomicReference<String> fixed = new AtomicReference<>("");
    private static final List<ScriptedTraefik> traefiks = new CopyOnWriteArrayList<>();
    private static HttpServer exporter;
    private static PrometheusServer prometheus;

    @BeforeAll
    static void startPrometheus() throws Exception {
        exporter = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        exporter.createContext("/metrics", exchange -> {
            StringBuilder text = new StringBuilder(fixed.get());
            for (ScriptedTraefik traefik : traefiks) {
                String metrics = traefik.metrics();
                if (metrics == null) { // a restarting Traefik: the whole scrape fails, as the pod is unreachable
                    exchange.sendResponseHeaders(503, -1);
                    exchange.close();
                    return;
                }
                text.append(metrics);
            }
            byte[] body = text.toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        exporter.start();
        prometheus = PrometheusServer.start("127.0.0.1:" + exporter.getAddress().getPort());
    }

    @AfterAll
    static void stopPrometheus() throws Exception {
        if (prometheus != null) {
            prometheus.close();
        }
        exporter.stop(0);
    }

    @AfterEach
    void forgetTraefiks() {
        traefiks.forEach(ScriptedTraefik::close);
        traefiks.clear();
        fixed.set("");
    }

    private static ScriptedTraefik traefik(String namespace, List<String> bounds, String labels, double rate) {
        ScriptedTraefik traefik = new ScriptedTraefik(namespace, "iris", bounds, labels, rate);
        traefiks.add(traefik);
        return traefik;
    }

    private static String traefikMetrics(String service, long ok, long failed, long okFast, long failedFast) {
        String labels = "method=\"POST\",protocol=\"http\",service=\"" + service + "\"";
        return "traefik_service_requests_total{code=\"200\"," + labels + "} " + ok + "\n"
                + "traefik_service_requests_total{code=\"500\"," + labels + "} " + failed + "\n"
                + bucketLines("200", labels, okFast, ok) + bucketLines("500", labels, failedFast, failed);
    }

    private static String bucketLines(String code, String labels, long fast, long all) {
        String prefix = "traefik_service_request_duration_seconds_bucket{code=\"" + code + "\"," + labels;
        return prefix + ",le=\"0.01\"} " + fast / 2 + "\n" + prefix + ",le=\"0.05\"} " + fast + "\n" + prefix
                + ",le=\"0.1\"} " + all + "\n" + prefix + ",le=\"+Inf\"} " + all + "\n"
                + "traefik_service_request_duration_seconds_sum{code=\"" + code + "\"," + labels + "} " + all * 0.02
                + "\ntraefik_service_request_duration_seconds_count{code=\"" + code + "\"," + labels + "} " + all
                + "\n";
    }

    @Test
    void countsRequestsErrorsAndSloViolationsPerVersionFromTraefikMetrics() throws Exception {
        fixed.set(traefikMetrics("ml-iris-1-80@kubernetes", 950, 50, 940, 50)
                + traefikMetrics("ml-iris-2-80@kubernetes", 100, 0, 100, 0));
        PrometheusMetricsSource source = new PrometheusMetricsSource(prometheus.url(), "ml", 50);
        VariantStats one = awaitRequests(source, "1", 1000);
        assertThat(one.errors()).isEqualTo(50);
        assertThat(one.sloViolations()).isEqualTo(10);
        assertThat(one.p50Ms()).isBetween(5.0, 50.0);
        VariantStats two = awaitRequests(source, "2", 100);
        assertThat(two.errors()).isZero();
        assertThat(source.sample("iris", "3").requests()).isZero();

        fixed.set(traefikMetrics("ml-iris-1-80@kubernetes", 1950, 60, 1900, 60));
        VariantStats later = awaitRequests(source, "1", 2010);
        assertThat(later.errors()).isEqualTo(60);
        assertThat(later.sloViolations()).isEqualTo(50);

        PrometheusMetricsSource strict = new PrometheusMetricsSource(prometheus.url(), "ml", 20);
        assertThatThrownBy(() -> strict.sample("iris", "1"))
                .isInstanceOf(MetricsException.class)
                .hasMessageContaining("le=\"0.02\"")
                .hasMessageContaining("metrics.prometheus.buckets");

        PrometheusMetricsSource down = new PrometheusMetricsSource(URI.create("http://127.0.0.1:9"), "ml", 50);
        assertThatThrownBy(() -> down.sample("iris", "1"))
                .isInstanceOf(MetricsException.class)
                .hasMessageContaining("cannot query Prometheus at http://127.0.0.1:9");
    }

    /**
     * Review finding 9: Traefik restarting mid-test starts its counters again from zero. Subtracting the starting
     * totals gave a hugely negative champion (its counter held all its history); increase() over the window counts
     * what was served in it.
     */
    @Test
    void aTraefikRestartMidTestStillGivesTheRequestsServedInTheWindow() throws Exception {
        ScriptedTraefik traefik = traefik("restart", BUCKETS, "", 100)
                .history("1", 100_000, 0.005)
                .latency("1", 0.005)
                .latency("2", 0.005);
        traefik.weights(Map.of("1", 100));
        PrometheusMetricsSource source = new PrometheusMetricsSource(prometheus.url(), "restart", 50);
        awaitScraped(source, "1");
        Run run = runExperiment(source, traefik, router -> {
            // 3.5 s into the test, down for 1.5 s (scrapes fail), then counting from zero again
            Thread.sleep(3_500);
            traefik.restart(Duration.ofMillis(1_500));
        });

        for (ExperimentResult.Checkpoint checkpoint : run.result.timeline()) {
            assertThat(checkpoint.championRequests())
                    .as("champion at %s s", checkpoint.seconds())
                    .isNotNegative();
            assertThat(checkpoint.challengerRequests())
                    .as("challenger at %s s", checkpoint.seconds())
                    .isNotNegative();
        }
        assertServedInWindow(run.result.champion(), run.served("1"));
        assertServedInWindow(run.result.challenger(), run.served("2"));
        assertThat(run.result.champion().errors())
                .isCloseTo(run.served("1") / 10, within(Math.round(0.25 * run.served("1") / 10) + 3));
        assertThat(run.result.champion().sloViolations()).isZero();
    }

    /**
     * Review finding 9: the champion's percentiles covered all its history (here slow, 500 ms), not the test; over
     * the window they are those of what it served in the test (5 ms), like the challenger's.
     */
    @Test
    void theChampionsPercentilesAndSloViolationsCoverOnlyTheTestWindow() throws Exception {
        ScriptedTraefik traefik = traefik("window", BUCKETS, "", 100)
                .history("1", 100_000, 0.5)
                .latency("1", 0.005)
                .latency("2", 0.005);
        traefik.weights(Map.of("1", 100));
        PrometheusMetricsSource source = new PrometheusMetricsSource(prometheus.url(), "window", 50);
        awaitScraped(source, "1");
        assertThat(source.sample("iris", "1").p50Ms()).as("all time").isGreaterThan(100);

        Run run = runExperiment(source, traefik, router -> {});

        VariantStats champion = run.result.champion();
        assertThat(champion.p50Ms()).as("p50 over the window").isBetween(4.0, 6.0);
        assertThat(champion.p99Ms()).as("p99 over the window").isBetween(9.0, 10.0);
        assertThat(champion.sloViolations()).isZero();
        assertThat(run.result.challenger().p50Ms()).isBetween(4.0, 6.0);
        assertServedInWindow(champion, run.served("1"));
    }

    /**
     * Review finding 9: Traefik's default buckets (0.1, 0.3, 1.2, 5) have none at a 50 ms SLO. The A/B test fails
     * before the split is set, naming the SLO, the buckets found and the setting to change.
     */
    @Test
    void aMissingSloBucketFailsBeforeTheSplitIsSet() throws Exception {
        ScriptedTraefik traefik = traefik("nobucket", List.of("0.1", "0.3", "1.2", "5", "+Inf"), "", 100)
                .history("1", 1_000, 0.05);
        traefik.weights(Map.of("1", 100));
        PrometheusMetricsSource source = new PrometheusMetricsSource(prometheus.url(), "nobucket", 50);
        awaitScraped(source, "1");
        Router router = new Router(traefik);

        assertThatThrownBy(() ->
                        new ExperimentRunner(router, source, e -> {}, Duration.ofSeconds(1)).run(plan(), List.of()))
                .isInstanceOf(MetricsException.class)
                .hasMessageContaining("no bucket le=\"0.05\"")
                .hasMessageContaining("SLO of 50 ms")
                .hasMessageContaining("the buckets found are 0.1, 0.3, 1.2, 5, +Inf")
                .hasMessageContaining("metrics.prometheus.buckets: \"0.05,0.1,0.3,1.2,5\"");
        assertThat(router.changes).as("the split was never set").isEmpty();
    }

    /** Review finding 9: Prometheus 3 stores the bucket bound 1 as le="1.0"; a 1 s SLO must find it. */
    @Test
    void aWholeSecondSloFindsPrometheus3sBucketLabel() throws Exception {
        ScriptedTraefik traefik = traefik("prom3", List.of("0.1", "0.5", "1.0", "5.0", "+Inf"), "", 0)
                .history("1", 900, 0.3)
                .history("1", 100, 2.0);
        PrometheusMetricsSource source = new PrometheusMetricsSource(prometheus.url(), "prom3", 1000);
        awaitScraped(source, "1");

        VariantStats stats = source.sample("iris", "1");

        assertThat(stats.requests()).isEqualTo(1000);
        assertThat(stats.sloViolations()).isEqualTo(100);
        source.preflight("iris", "1"); // finds the bucket too
        assertThat(PrometheusMetricsSource.bucketAt(1.0, List.of("0.5", "1.0"))).contains("1.0");
        assertThat(PrometheusMetricsSource.bucketAt(1.0, List.of("0.5", "1"))).contains("1");
    }

    /**
     * Review finding 9: behind Thanos, Mimir or a federation the same Traefik service exists once per cluster; the
     * configured matchers restrict every query to one.
     */
    @Test
    void labelMatchersCountOnlyTheSelectedCluster() throws Exception {
        ScriptedTraefik prod = traefik("fed", BUCKETS, "cluster=\"prod\"", 20).history("1", 1_000, 0.005);
        ScriptedTraefik staging =
                traefik("fed", BUCKETS, "cluster=\"staging\"", 60).history("1", 3_000, 0.005);
        PrometheusMetricsSource onlyProd = new PrometheusMetricsSource(
                prometheus.url(), "fed", 50, LabelMatchers.parse("--prometheus-matchers", "cluster=\"prod\""));
        PrometheusMetricsSource everything = new PrometheusMetricsSource(prometheus.url(), "fed", 50);
        awaitScraped(onlyProd, "1");

        assertThat(onlyProd.sample("iris", "1").requests()).isEqualTo(1_000);
        assertThat(everything.sample("iris", "1").requests())
                .as("both clusters, as before")
                .isEqualTo(4_000);

        Instant start = onlyProd.asOf("iris", "1"); // the last scrape, on Prometheus' clock
        long prodBefore = prod.served("1");
        prod.latency("1", 0.005).weights(Map.of("1", 100));
        staging.latency("1", 0.005).weights(Map.of("1", 100));
        MetricsSource.Window window = onlyProd.window("iris", "1", start);
        Thread.sleep(5_000); // traffic to measure: 5 s of both clusters
        VariantStats windowed = window.read();
        long served = prod.served("1") - prodBefore;
        assertThat(windowed.requests()).isCloseTo(served, within(Math.round(0.25 * served) + 20));

        PrometheusMetricsSource nowhere = new PrometheusMetricsSource(
                prometheus.url(), "fed", 50, LabelMatchers.parse("--prometheus-matchers", "cluster=\"mars\""));
        assertThatThrownBy(() -> nowhere.preflight("iris", "1"))
                .isInstanceOf(MetricsException.class)
                .hasMessageContaining("no traefik_service_request_duration_seconds_bucket series matching"
                        + " cluster=\"mars\", though it has Traefik's without them: check the Prometheus label"
                        + " matchers");
    }

    /** The harness's feedback counters for iris {@code version}, as its /metrics writes them (one pod). */
    private static String feedback(String version, double... values) {
        String[] names = {
            "labelled_total",
            "correct_total",
            "numeric_labelled_total",
            "absolute_error_total",
            "squared_error_total",
            "squared_error_squares_total",
            "rewards_total",
            "reward_sum",
            "reward_squares_total"
        };
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < names.length; i++) {
            text.append("model_deploy_feedback_")
                    .append(names[i])
                    .append("{model=\"iris\",version=\"")
                    .append(version)
                    .append("\"} ")
                    .append(values[i])
                    .append('\n');
        }
        return text.toString();
    }

    /**
     * Quality over a window from the model pods' feedback counters (built-in metrics) and from a custom metric's
     * queries: the window's Moments are what was added after its start, whatever came before.
     */
    @Test
    void qualityMetricsComeFromTheHarnessCountersAndCustomQueriesOverTheWindow() throws Exception {
        String custom = "app_scored_total{variant=\"2\"} 20\napp_good_total{variant=\"2\"} 10\n";
        // the same model and version in another namespace (the scrape's target label) is not ours
        String elsewhere = "model_deploy_feedback_labelled_total{model=\"iris\",version=\"2\",namespace=\"other\"} %d\n"
                + "model_deploy_feedback_correct_total{model=\"iris\",version=\"2\",namespace=\"other\"} %d\n";
        fixed.set(feedback("2", 100, 90, 50, 25, 20, 10, 10, 5, 30)
                + custom
                + feedback("3", 7, 7, 0, 0, 0, 0, 0, 0, 0)
                + String.format(elsewhere, 1000, 0));
        PrometheusMetricsSource source = new PrometheusMetricsSource(prometheus.url(), "quality", 50);
        String scraped = "max(timestamp(model_deploy_feedback_labelled_total{version=\"2\"}))";
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (source.query(scraped, null).isEmpty()) {
            assertThat(System.nanoTime()).as("scraped within 30 s").isLessThan(deadline);
            Thread.sleep(200);
        }
        Thread.sleep(1_500); // two samples before the window
        Instant start =
                Instant.ofEpochMilli(Math.round(source.query(scraped, null).getAsDouble() * 1000));
        List<GatedMetric> quality = List.of(
                GatedMetric.parse("accuracy"),
                GatedMetric.parse("mae;margin=0.1"),
                GatedMetric.parse("rmse;margin=0.1"),
                GatedMetric.parse("reward;margin=0.1"),
                GatedMetric.parse(
                        "good;kind=proportion;direction=higher;margin=0.05;count=sum(app_scored_total{variant=\"{{variant}}\"})"
                                + ";sum=sum(app_good_total{variant=\"{{variant}}\"})"));
        MetricsSource.Window window = source.window("iris", "2", start, quality);

        // 60 labelled, 45 correct; 30 numeric with |e| 15, e^2 12, e^4 6; 10 rewards summing to -3, squares 10;
        // the custom counters 40 scored, 20 good
        fixed.set(feedback("2", 160, 135, 80, 40, 32, 16, 20, 2, 40)
                + "app_scored_total{variant=\"2\"} 60\napp_good_total{variant=\"2\"} 30\n"
                + String.format(elsewhere, 5000, 0));
        Thread.sleep(4_000);
        VariantStats stats = window.read();

        Moments accuracy = stats.quality("accuracy");
        assertThat(accuracy.count()).isBetween(60L, 75L); // increase() extrapolates to the window's end
        assertThat(accuracy.mean()).isCloseTo(0.75, within(0.02));
        assertThat(accuracy.sumOfSquares()).isEqualTo(accuracy.sum());
        Moments mae = stats.quality("mae");
        assertThat(mae.count()).isBetween(30L, 38L);
        assertThat(mae.mean()).isCloseTo(0.5, within(0.02));
        assertThat(mae.sumOfSquares() / mae.count()).isCloseTo(0.4, within(0.02));
        Moments rmse = stats.quality("rmse");
        assertThat(rmse.mean()).isCloseTo(0.4, within(0.02));
        assertThat(rmse.sumOfSquares() / rmse.count()).isCloseTo(0.2, within(0.02));
        assertThat(stats.quality("reward")).isEqualTo(new Moments(10, -3, 10));
        assertThat(stats.quality("good")).isEqualTo(new Moments(40, 20, 20));

        // a version without feedback series (or a harness without e^4) leaves the metric out
        VariantStats none = source.window("iris", "4", start, quality).read();
        assertThat(none.quality()).isEmpty();
        // counters that started again (a restarted pod): the later values are all new
        fixed.set(feedback("2", 4, 3, 0, 0, 0, 0, 2, 1, 1)
                + "app_scored_total{variant=\"2\"} 5\napp_good_total{variant=\"2\"} 1\n");
        Thread.sleep(3_000);
        VariantStats reset = window.read();
        assertThat(reset.quality("good")).isEqualTo(new Moments(5, 1, 1));
        assertThat(reset.quality("reward")).isEqualTo(new Moments(2, 1, 1));
        assertThat(reset.quality("accuracy").count()).isGreaterThanOrEqualTo(60L);
        assertThatThrownBy(() -> source.window("iris", "2\"} or vector(1", start, quality))
                .isInstanceOf(MetricsException.class)
                .hasMessageContaining("cannot put");
    }

    private static void assertServedInWindow(VariantStats measured, long served) {
        // increase() extrapolates to the window's end and cannot see what a pod served between its last scrape and
        // its restart (up to a scrape interval, a second here): within a quarter, plus a little for short windows
        assertThat(served).isGreaterThan(100);
        assertThat(measured.requests())
                .as("requests of %s, %d really served in the window", measured.version(), served)
                .isCloseTo(served, within(Math.round(0.25 * served) + 20));
    }

    private interface During {
        void run(Router router) throws Exception;
    }

    /**
     * An experiment's result and what was really served in its window: from the first scrape after the split that
     * held both variants (where the runner starts the window) to the restore of the weights.
     */
    private record Run(ExperimentResult result, Map<String, Long> servedAtStart, Map<String, Long> servedAtEnd) {
        long served(String version) {
            return servedAtEnd.get(version) - servedAtStart.get(version);
        }
    }

    /** A 50/50 test of 2 against 1 for 8 s that never decides early; {@code during} runs after the split. */
    private static Run runExperiment(PrometheusMetricsSource source, ScriptedTraefik traefik, During during)
            throws Exception {
        Router router = new Router(traefik);
        Thread background = new Thread(() -> {
            try {
                router.split.await();
                during.run(router);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        background.setDaemon(true);
        background.start();
        ExperimentResult result =
                new ExperimentRunner(router, source, e -> {}, Duration.ofSeconds(1)).run(plan(), List.of());
        background.join(10_000);
        ScriptedTraefik.Scrape start = traefik.firstScrapeWith(router.splitAt, java.util.Set.of("1", "2"));
        return new Run(
                result,
                start.served(),
                Map.of("1", router.servedBeforeRestore.get(0), "2", router.servedBeforeRestore.get(1)));
    }

    private static ExperimentPlan plan() {
        return new ExperimentPlan(
                "iris",
                "1",
                "2",
                50,
                Duration.ofSeconds(1),
                Duration.ofSeconds(8),
                1_000_000_000L, // never enough: the test runs to its end, then INCONCLUSIVE
                0.05,
                ExperimentPlan.Method.SEQUENTIAL,
                OptionalDouble.empty(),
                50);
    }

    /** Traefik's weighted route: a change of weights is what the stand-in serves from then on. */
    static final class Router implements TrafficRouter {
        final ScriptedTraefik traefik;
        final List<Map<String, Integer>> changes = new ArrayList<>();
        volatile long splitAt;
        final List<Long> servedBeforeRestore = new ArrayList<>();
        final java.util.concurrent.CountDownLatch split = new java.util.concurrent.CountDownLatch(1);
        Map<String, Integer> weights = Map.of("1", 100);

        Router(ScriptedTraefik traefik) {
            this.traefik = traefik;
        }

        @Override
        public void reconcile(String model, Collection<String> versions) {}

        @Override
        public synchronized void setWeights(String model, Map<String, Integer> w) {
            if (changes.isEmpty()) {
                splitAt = System.nanoTime();
            } else {
                servedBeforeRestore.add(traefik.served("1"));
                servedBeforeRestore.add(traefik.served("2"));
            }
            changes.add(Map.copyOf(w));
            weights = Map.copyOf(w);
            traefik.weights(w);
            split.countDown();
        }

        @Override
        public synchronized Map<String, Integer> currentWeights(String model) {
            return weights;
        }

        @Override
        public URI stableEndpoint(String model) {
            return URI.create("http://traefik/models/" + model);
        }

        @Override
        public URI versionEndpoint(String model, String version) {
            return URI.create("http://traefik/models/" + model + "/" + version);
        }

        @Override
        public void remove(String model) {}
    }

    private static void awaitScraped(PrometheusMetricsSource source, String version) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (source.asOf("iris", version).equals(Instant.EPOCH)) {
            assertThat(System.nanoTime()).as("scraped within 30 s").isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private static VariantStats awaitRequests(PrometheusMetricsSource source, String version, long expected)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        VariantStats stats = source.sample("iris", version);
        while (stats.requests() != expected && System.nanoTime() < deadline) {
            Thread.sleep(250);
            stats = source.sample("iris", version);
        }
        assertThat(stats.requests()).as("requests of version " + version).isEqualTo(expected);
        return stats;
    }
}
