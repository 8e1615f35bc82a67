package io.jenkins.plugins.modeldeploy.abtest;

import java.time.Instant;

/**
 * Where an experiment reads what each variant served on the model's stable route: the local gateway's counters, or
 * Prometheus over Traefik's service metrics. An experiment reads each variant through a {@link Window} opened when its
 * split was set: by default the difference of cumulative counters since the window opened; Prometheus instead asks
 * for the increase over the window itself, which survives a Traefik restart (its counters start again from zero).
 */
public interface MetricsSource {
    /** What the version served so far, cumulative: the counters as they stand now. */
    VariantStats sample(String model, String version) throws MetricsException;

    /**
     * When the counters {@link #sample} returns now were taken: now for a live source (the local gateway); the time
     * of the last scrape for Prometheus, which is behind by up to a scrape interval. An experiment takes its starting
     * counts only from readings taken after its split was set, so that traffic from before the split (all of it on
     * the champion) never counts as the experiment's.
     */
    default Instant asOf(String model, String version) throws MetricsException {
        return Instant.now();
    }

    /**
     * Checks, before the experiment changes anything, that the source can measure what the experiment gates on (for
     * Prometheus: that Traefik exports a histogram bucket at the SLO); the message says what to change.
     */
    default void preflight(String model, String champion) throws MetricsException {}

    /**
     * What the version serves from {@code start} on: an instant on the source's own clock, as {@link #asOf} reports
     * it (the experiment starts its window at the first reading of both variants after the split). The default
     * subtracts the cumulative counters read now from each later reading; latency percentiles are the source's as
     * last read.
     */
    default Window window(String model, String version, Instant start) throws MetricsException {
        VariantStats base = sample(model, version);
        return () -> minus(sample(model, version), base);
    }

    /**
     * As {@link #window(String, String, Instant)}, and the returned numbers carry the quality observations of the
     * {@code quality} metrics this source can read (built-in ones from the harness's feedback counters, custom ones
     * from their queries); a metric it cannot read is left out (the synthetic traffic's scores may still fill it).
     * The default reads none.
     */
    default Window window(String model, String version, Instant start, java.util.List<GatedMetric> quality)
            throws MetricsException {
        return window(model, version, start);
    }

    /**
     * What the version answered as a shadow of production since the mirror was set ({@link
     * io.jenkins.plugins.modeldeploy.route.TrafficRouter#setMirror}): how many mirrored requests were compared with
     * production's answer and how many agreed, with some disagreeing inputs; {@link ShadowStats#NONE} when this
     * source cannot compare answers (Traefik's mirror discards them).
     */
    default ShadowStats shadow(String model, String version) throws MetricsException {
        return ShadowStats.NONE;
    }

    /** One variant's numbers over an experiment's window, read once per check. */
    @FunctionalInterface
    interface Window {
        VariantStats read() throws MetricsException;
    }

    /**
     * Counts since {@code start}; latency percentiles as last read (the variants are new, so they are close).
     * Assignment units are taken as they stand: distinct counts cannot be subtracted, and a source counts them from
     * the moment stickiness was set for the experiment.
     */
    static VariantStats minus(VariantStats now, VariantStats start) {
        java.util.Map<String, Moments> quality = new java.util.HashMap<>();
        now.quality().forEach((name, moments) -> quality.put(name, moments.minus(start.quality(name))));
        return new VariantStats(
                now.version(),
                now.requests() - start.requests(),
                now.errors() - start.errors(),
                now.sloViolations() - start.sloViolations(),
                now.p50Ms(),
                now.p99Ms(),
                quality,
                now.units());
    }
}
