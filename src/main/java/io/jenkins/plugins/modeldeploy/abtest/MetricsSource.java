package io.jenkins.plugins.modeldeploy.abtest;

/**
 * Where an experiment reads what each variant served on the model's stable route: the local gateway's counters, or
 * Prometheus over Traefik's service metrics. Counts are cumulative; the experiment subtracts its starting sample.
 */
public interface MetricsSource {
    VariantStats sample(String model, String version) throws MetricsException;
}
