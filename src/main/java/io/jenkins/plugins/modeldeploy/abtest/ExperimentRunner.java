package io.jenkins.plugins.modeldeploy.abtest;

import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.event.EventDetails;
import io.jenkins.plugins.modeldeploy.route.Endpoints;
import io.jenkins.plugins.modeldeploy.route.RoutingException;
import io.jenkins.plugins.modeldeploy.route.TrafficRouter;
import io.jenkins.plugins.modeldeploy.smoke.Payload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs one experiment: splits the stable route, reads both variants' counters once per {@code checkEvery}, asks the
 * {@link Analysis} after each reading, and puts the split back as it found it, whatever happens.
 */
public final class ExperimentRunner {
    private final TrafficRouter router;
    private final MetricsSource metrics;
    private final Consumer<DeploymentEvent> events;
    private final Duration checkEvery;
    private final Consumer<ExperimentProgress> progress;

    public ExperimentRunner(
            TrafficRouter router, MetricsSource metrics, Consumer<DeploymentEvent> events, Duration checkEvery) {
        this(router, metrics, events, checkEvery, reading -> {});
    }

    /** @param progress receives the evidence after every reading, on this thread: it must not block */
    public ExperimentRunner(
            TrafficRouter router,
            MetricsSource metrics,
            Consumer<DeploymentEvent> events,
            Duration checkEvery,
            Consumer<ExperimentProgress> progress) {
        this.router = router;
        this.metrics = metrics;
        this.events = events;
        this.checkEvery = checkEvery;
        this.progress = progress;
    }

    /**
     * @param payloads what synthetic traffic sends when the plan asks for it
     */
    public ExperimentResult run(ExperimentPlan plan, List<Payload> payloads)
            throws RoutingException, MetricsException, InterruptedException {
        String model = plan.model();
        Map<String, Integer> before = router.currentWeights(model);
        if (before.getOrDefault(plan.champion(), 0) == 0) {
            throw new RoutingException("cannot test " + plan.challenger() + " against " + plan.champion() + ": the"
                    + " stable route of " + model + " does not serve the champion (weights " + before + ")");
        }
        Map<String, Integer> split = new LinkedHashMap<>();
        split.put(plan.champion(), 100 - plan.challengerWeight());
        split.put(plan.challenger(), plan.challengerWeight());
        Analysis analysis = new Analysis(plan);
        List<ExperimentResult.Checkpoint> timeline = new ArrayList<>();
        // before anything changes: a test that cannot count SLO violations would run to its end for nothing
        metrics.preflight(model, plan.champion());
        router.setWeights(model, split);
        java.time.Instant switched = java.time.Instant.now();
        publish(
                plan,
                String.format(
                        Locale.ROOT,
                        "A/B test of %s (%d%%) against %s (%d%%) on /models/%s, %s test at" + " alpha %s, %s",
                        plan.challenger(),
                        plan.challengerWeight(),
                        plan.champion(),
                        100 - plan.challengerWeight(),
                        model,
                        plan.method().name().toLowerCase(Locale.ROOT).replace('_', '-'),
                        plan.alpha(),
                        describe(plan.gate())),
                new EventDetails.AbTestStarted(plan.champion(), plan.challenger(), plan.challengerWeight()));
        SyntheticTraffic traffic = plan.syntheticRate().isPresent()
                ? SyntheticTraffic.start(
                        Endpoints.under(router.stableEndpoint(model), "predict"),
                        payloads,
                        plan.syntheticRate().getAsDouble())
                : null;
        try {
            java.time.Instant windowStart = awaitCountsAfter(switched, plan);
            // both variants' numbers over the same window, from the first reading that has both after the switch
            MetricsSource.Window championWindow = metrics.window(model, plan.champion(), windowStart);
            MetricsSource.Window challengerWindow = metrics.window(model, plan.challenger(), windowStart);
            long started = System.nanoTime();
            long next = started;
            while (true) {
                next += checkEvery.toNanos();
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
                boolean last = elapsed.compareTo(plan.maxDuration()) >= 0;
                VariantStats champion = championWindow.read();
                VariantStats challenger = challengerWindow.read();
                Analysis.Decision decision = analysis.update(champion, challenger, elapsed, last);
                timeline.add(new ExperimentResult.Checkpoint(
                        elapsed.toMillis() / 1000.0,
                        champion.requests(),
                        challenger.requests(),
                        champion.errorRate(),
                        challenger.errorRate(),
                        decision.errorRatePValue()));
                progress.accept(new ExperimentProgress(
                        elapsed,
                        plan.maxDuration(),
                        champion,
                        challenger,
                        decision.comparisons(),
                        decision.decided(),
                        decision.verdict()));
                if (decision.decided()) {
                    ExperimentResult result = new ExperimentResult(
                            plan,
                            decision.verdict(),
                            decision.reasons(),
                            champion,
                            challenger,
                            decision.errorRatePValue(),
                            decision.sloPValue(),
                            decision.srmPValue(),
                            elapsed,
                            timeline,
                            decision.comparisons());
                    publish(
                            plan,
                            "A/B test decided " + result.summary(),
                            new EventDetails.AbTestDecided(
                                    result.verdict().name(), String.join("; ", result.reasons())));
                    return result;
                }
            }
        } finally {
            // An abort interrupts this thread (Thread.sleep above throws, or the flag is set). The split is restored
            // anyway, with the flag cleared meanwhile: the router's client (fabric8 waits on futures) would fail at
            // once on an interrupted thread and leave the challenger with production traffic. Set again after.
            boolean interrupted = Thread.interrupted();
            try {
                if (traffic != null) {
                    traffic.close();
                }
                router.setWeights(model, before);
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    static String describe(ExperimentPlan.Gate gate) {
        return gate.kind() == ExperimentPlan.Gate.Kind.SUPERIORITY
                ? "superiority gate"
                : String.format(
                        Locale.ROOT,
                        "non-inferiority gate (margins %.2f pp on the error rate, %.2f pp on SLO" + " violations)",
                        gate.errorRateMargin() * 100,
                        gate.sloViolationMargin() * 100);
    }

    /**
     * Waits until both variants' metrics were taken after the split was set (Prometheus scrapes behind), and returns
     * when the later of them was taken (on the source's clock): the experiment's window starts there. So the window
     * holds no traffic from before the split (which would inflate the champion's share, skewing the comparison and
     * the sample-ratio check), and it starts at a reading where both variants exist: a challenger's series appears in
     * Prometheus only at the first scrape after its first request (Traefik creates a series at its first request,
     * and only once it has applied the split), and {@code increase()} counts a series only from its first sample on.
     * Started at the switch instead, a window could hold a scrape of the champion but none of the challenger, read the
     * challenger as 0 against the champion's traffic and stop the test as a sample-ratio mismatch.
     */
    private java.time.Instant awaitCountsAfter(java.time.Instant switched, ExperimentPlan plan)
            throws MetricsException, InterruptedException {
        long deadline = System.nanoTime() + plan.maxDuration().toNanos();
        java.time.Instant latest = switched;
        for (String version : List.of(plan.champion(), plan.challenger())) {
            java.time.Instant asOf = metrics.asOf(plan.model(), version);
            while (asOf.isBefore(switched)) {
                if (System.nanoTime() > deadline) {
                    throw new MetricsException("the metrics of " + plan.model() + " " + version + " were last"
                            + " taken at " + asOf + ", before the A/B split was set at " + switched + ", and did not"
                            + " catch up within " + plan.maxDuration().toSeconds() + " s: is Prometheus scraping"
                            + " Traefik"
                            + (version.equals(plan.challenger())
                                    ? ", and does the challenger get traffic from the stable route?"
                                    : "?"));
                }
                Thread.sleep(Math.max(1, checkEvery.toMillis()));
                asOf = metrics.asOf(plan.model(), version);
            }
            latest = asOf.isAfter(latest) ? asOf : latest;
        }
        return latest;
    }

    private void publish(ExperimentPlan plan, String message, EventDetails details) {
        events.accept(DeploymentEvent.of(plan.model(), plan.challenger(), message, details));
    }
}
