package io.jenkins.plugins.modeldeploy.model;

/**
 * How the harness serves the model: worker processes (0 means one per available CPU) and the largest request body
 * it accepts.
 */
public record Serving(int workers, long maxBodyBytes) {
    public static final int AUTO_WORKERS = 0;
    public static final Serving DEFAULT = new Serving(AUTO_WORKERS, 1L << 20);
}
