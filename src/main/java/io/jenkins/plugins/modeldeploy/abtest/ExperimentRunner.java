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
        boolean shadow = plan.mode() == ExperimentPlan.Mode.SHADOW;
        boolean sticky = plan.stickyHeader().isPresent();
        SyntheticTraffic traffic = null;
        java.time.Instant switched;
        try {
            if (sticky) {
                router.setSticky(model, plan.stickyHeader());
            }
            if (shadow) {
                router.setMirror(model, plan.challenger(), plan.challengerWeight());
            } else {
                router.setWeights(model, split);
            }
            switched = java.time.Instant.now();
            publish(
                    plan,
                    started(plan),
                    new EventDetails.AbTestStarted(plan.champion(), plan.challenger(), plan.challengerWeight()));
            traffic = plan.syntheticRate().isPresent()
                    ? SyntheticTraffic.start(
                            Endpoints.under(router.stableEndpoint(model), "predict"),
                            payloads,
                            plan.syntheticRate().getAsDouble(),
                            plan.stickyHeader())
                    : null;
            java.time.Instant windowStart = awaitCountsAfter(switched, plan);
            // both variants' numbers over the same window, from the first reading that has both after the switch;
            // the synthetic traffic's scores of labelled answers count from the same moment
            Map<String, Map<String, Moments>> scoresAtStart = traffic == null ? Map.of() : traffic.scores();
            MetricsSource.Window championWindow =
                    metrics.window(model, plan.champion(), windowStart, plan.qualityMetrics());
            MetricsSource.Window challengerWindow =
                    metrics.window(model, plan.challenger(), windowStart, plan.qualityMetrics());
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
                Map<String, Map<String, Moments>> scores = traffic == null ? Map.of() : traffic.scores();
                VariantStats champion = withScores(championWindow.read(), scores, scoresAtStart, plan);
                VariantStats challenger = withScores(challengerWindow.read(), scores, scoresAtStart, plan);
                Analysis.Decision decision = analysis.update(champion, challenger, elapsed, last);
                timeline.add(new ExperimentResult.Checkpoint(
                        elapsed.toMillis() / 1000.0,
                        champion.requests(),
                        challenger.requests(),
                        champion.errorRate(),
                        challenger.errorRate(),
                        decision.errorRatePValue(),
                        decision.comparisons()));
                progress.accept(new ExperimentProgress(
                        elapsed,
                        plan.maxDuration(),
                        champion,
                        challenger,
                        decision.comparisons(),
                        decision.decided(),
                        decision.verdict()));
                if (decision.decided()) {
                    ShadowStats shadowStats = shadow ? metrics.shadow(model, plan.challenger()) : ShadowStats.NONE;
                    List<String> reasons = new ArrayList<>(decision.reasons());
                    if (shadow) {
                        reasons.add(describe(shadowStats));
                    }
                    ExperimentResult result = new ExperimentResult(
                            plan,
                            decision.verdict(),
                            reasons,
                            champion,
                            challenger,
                            decision.errorRatePValue(),
                            decision.sloPValue(),
                            decision.srmPValue(),
                            elapsed,
                            timeline,
                            decision.comparisons(),
                            shadowStats);
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
                restore(model, before, shadow, sticky);
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /**
     * Puts the route back: the weights (or the mirror) and the stickiness, each tried even when another fails; the
     * first failure is thrown.
     */
    private void restore(String model, Map<String, Integer> before, boolean shadow, boolean sticky)
            throws RoutingException {
        RoutingException failure = null;
        try {
            if (shadow) {
                router.clearMirror(model);
            } else {
                router.setWeights(model, before);
            }
        } catch (RoutingException e) {
            failure = e;
        }
        if (sticky) {
            try {
                router.setSticky(model, java.util.Optional.empty());
            } catch (RoutingException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** The window's numbers with the synthetic traffic's scores of the variant since the window's start added. */
    static VariantStats withScores(
            VariantStats stats,
            Map<String, Map<String, Moments>> scores,
            Map<String, Map<String, Moments>> atStart,
            ExperimentPlan plan) {
        Map<String, Moments> since = LabelScorer.minus(
                scores.getOrDefault(stats.version(), Map.of()), atStart.getOrDefault(stats.version(), Map.of()));
        since.keySet()
                .retainAll(plan.qualityMetrics().stream()
                        .filter(GatedMetric::builtIn)
                        .map(GatedMetric::name)
                        .toList());
        return stats.withQuality(since);
    }

    static String describe(ShadowStats stats) {
        return String.format(
                Locale.ROOT,
                "shadow agreement %.2f%% (%d of %d mirrored requests compared agreed; %d failed on the shadow)",
                stats.agreementRate() * 100,
                stats.agreed(),
                stats.compared(),
                stats.failed());
    }

    private static String started(ExperimentPlan plan) {
        String method = plan.method().name().toLowerCase(Locale.ROOT).replace('_', '-');
        String quality = plan.qualityMetrics().isEmpty()
                ? ""
                : ", quality "
                        + String.join(
                                ", ",
                                plan.qualityMetrics().stream()
                                        .map(GatedMetric::name)
                                        .toList());
        String sticky = plan.stickyHeader().map(h -> ", sticky by " + h).orElse("");
        if (plan.mode() == ExperimentPlan.Mode.SHADOW) {
            return String.format(
                    Locale.ROOT,
                    "Shadow test of %s (a copy of %d%% of the requests) against %s on /models/%s, %s test at alpha"
                            + " %s, %s%s%s",
                    plan.challenger(),
                    plan.challengerWeight(),
                    plan.champion(),
                    plan.model(),
                    method,
                    plan.alpha(),
                    describe(plan.gate()),
                    quality,
                    sticky);
        }
        return String.format(
                Locale.ROOT,
                "A/B test of %s (%d%%) against %s (%d%%) on /models/%s, %s test at alpha %s, %s%s%s",
                plan.challenger(),
                plan.challengerWeight(),
                plan.champion(),
                100 - plan.challengerWeight(),
                plan.model(),
                method,
                plan.alpha(),
                describe(plan.gate()),
                quality,
                sticky);
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
