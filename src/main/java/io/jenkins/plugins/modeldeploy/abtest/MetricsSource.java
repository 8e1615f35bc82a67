package io.jenkins.plugins.modeldeploy.abtest;

/**
 * Where an experiment reads what each variant served on the model's stable route: the local gateway's counters, or
 * Prometheus over Traefik's service metrics. Counts are cumulative; the experiment subtracts its starting sample.
 */
public interface MetricsSource {
    VariantStats sample(String model, String version) throws MetricsException;

    /**
     * When the counters {@link #sample} returns now were taken: now for a live source (the local gateway); the time
     * of the last scrape for Prometheus, which is behind by up to a scrape interval. An experiment takes its starting
     * counts only from readings taken after its split was set, so that traffic from before the split (all of it on
     * the champion) never counts as the experiment's.
     */
    default java.time.Instant asOf(String model, String version) throws MetricsException {
        return java.time.Instant.now();
    }
}
