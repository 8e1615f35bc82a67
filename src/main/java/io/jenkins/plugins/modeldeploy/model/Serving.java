package io.jenkins.plugins.modeldeploy.model;

import java.time.Duration;
import java.util.Objects;

/**
 * How the model is served: worker processes (0 means the harness decides, see {@code docs/harness-protocol.md}), the
 * largest request body it accepts, how long loading the model may take, how many pods serve it and where they run.
 *
 * @param loadTimeout the longest a pod may take from start to ready (loading the model); sizes the startup probe and
 *                    the rollout's readiness limit
 */
public record Serving(int workers, long maxBodyBytes, Duration loadTimeout, Scaling scaling, Placement placement) {
    public static final int AUTO_WORKERS = 0;
    public static final Duration DEFAULT_LOAD_TIMEOUT = Duration.ofSeconds(120);
    public static final Serving DEFAULT =
            new Serving(AUTO_WORKERS, 1L << 20, DEFAULT_LOAD_TIMEOUT, Scaling.DEFAULT, Placement.DEFAULT);

    public Serving {
        Objects.requireNonNull(loadTimeout, "loadTimeout");
        Objects.requireNonNull(scaling, "scaling");
        Objects.requireNonNull(placement, "placement");
        if (loadTimeout.isNegative() || loadTimeout.isZero()) {
            throw new IllegalArgumentException("loadTimeout must be positive, was " + loadTimeout);
        }
    }

    /** Workers and body limit with the defaults for everything the cluster decides. */
    public Serving(int workers, long maxBodyBytes) {
        this(workers, maxBodyBytes, DEFAULT_LOAD_TIMEOUT, Scaling.DEFAULT, Placement.DEFAULT);
    }
}
