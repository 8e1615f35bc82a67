package io.jenkins.plugins.modeldeploy.model;

import java.time.Duration;
import java.util.Objects;

/**
 * How the model is served: worker processes (0 means the harness decides, see {@code docs/harness-protocol.md}), the
 * largest request body it accepts, how long loading the model may take, how many pods serve it and where they run.
 *
 * @param loadTimeout the longest a pod may take from start to ready (loading the model); sizes the startup probe and
 *                    the rollout's readiness limit
 * @param timeout     the longest one prediction may take; the harness then answers 504 and recycles the worker
 *                    ({@code predictTimeoutSeconds} of the harness configuration, docs/harness-protocol.md)
 */
public record Serving(
        int workers, long maxBodyBytes, Duration loadTimeout, Duration timeout, Scaling scaling, Placement placement) {
    public static final int AUTO_WORKERS = 0;
    public static final Duration DEFAULT_LOAD_TIMEOUT = Duration.ofSeconds(120);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    public static final Serving DEFAULT = new Serving(
            AUTO_WORKERS, 1L << 20, DEFAULT_LOAD_TIMEOUT, DEFAULT_TIMEOUT, Scaling.DEFAULT, Placement.DEFAULT);

    public Serving {
        Objects.requireNonNull(loadTimeout, "loadTimeout");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(scaling, "scaling");
        Objects.requireNonNull(placement, "placement");
        if (loadTimeout.isNegative() || loadTimeout.isZero()) {
            throw new IllegalArgumentException("loadTimeout must be positive, was " + loadTimeout);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
    }

    /** The shortest time without progress after which a rollout may be judged stuck. */
    public static final Duration MIN_PROGRESS_DEADLINE = Duration.ofMinutes(5);
    /** Room on top of the load time for scheduling (a node being provisioned) and pulling the image. */
    public static final Duration PROGRESS_SLACK = Duration.ofMinutes(2);

    /**
     * How long a rollout of this model may go without progress: at least {@link #MIN_PROGRESS_DEADLINE}, and never
     * shorter than the load time plus {@link #PROGRESS_SLACK}. A pod that is still loading makes no progress in the
     * Deployment controller's sense (pkg/controller/deployment/progress.go counts new available replicas), so a fixed
     * 300 s deadline would fail any model declaring a longer {@code loadTimeout} before its startup probe gives up.
     * Rendered as the Deployment's {@code progressDeadlineSeconds}; a Kubernetes rollout waits at least this.
     */
    public Duration progressDeadline() {
        Duration needed = loadTimeout.plus(PROGRESS_SLACK);
        return needed.compareTo(MIN_PROGRESS_DEADLINE) > 0 ? needed : MIN_PROGRESS_DEADLINE;
    }

    /** Workers and body limit with the defaults for everything the cluster decides. */
    public Serving(int workers, long maxBodyBytes) {
        this(workers, maxBodyBytes, DEFAULT_LOAD_TIMEOUT, DEFAULT_TIMEOUT, Scaling.DEFAULT, Placement.DEFAULT);
    }

    /** Workers, body limit and prediction timeout (what runs locally) with the cluster's defaults for the rest. */
    public Serving(int workers, long maxBodyBytes, Duration timeout) {
        this(workers, maxBodyBytes, DEFAULT_LOAD_TIMEOUT, timeout, Scaling.DEFAULT, Placement.DEFAULT);
    }
}
