package io.jenkins.plugins.modeldeploy.target;

import io.jenkins.plugins.modeldeploy.abtest.MetricsSource;
import io.jenkins.plugins.modeldeploy.route.TrafficRouter;
import java.util.Optional;

/**
 * Where model versions run: a Kubernetes namespace or this machine. The pipeline is the same for every target; only
 * this seam differs. Implementations publish what they observe as events and never poll where they can watch.
 */
public interface Target extends AutoCloseable {
    /** For messages, e.g. {@code kubernetes namespace ml} or {@code local}. */
    String describe();

    /**
     * Creates or updates the version's workload idempotently (the same request twice starts no second rollout) and
     * waits until it serves or fails, within {@link RolloutRequest#timeout()}. On failure the version is retired as
     * the target is configured to do, routes are left untouched, and the exception names the object and the cause.
     */
    DeployedVersion rollout(RolloutRequest request) throws RolloutException, InterruptedException;

    /** Stops serving a version (removes it, or scales it to zero so a rollback can bring it back). Idempotent. */
    void retire(VersionRef version, RetireMode mode) throws TargetException;

    /** Brings a version retired with {@link RetireMode#SCALE_TO_ZERO} back and waits until it serves. */
    DeployedVersion restore(VersionRef version, java.time.Duration timeout) throws RolloutException,
            InterruptedException;

    /** The router for this target's model routes. */
    TrafficRouter router();

    /** Where promotion state and stages live (annotations on Kubernetes, a state file locally). */
    ReleaseStore releases();

    /**
     * Where A/B tests read what each version served, when the router keeps no counters of its own (Kubernetes:
     * Prometheus over Traefik's metrics, if configured); {@code sloP99Ms} is the latency that counts as a violation.
     */
    default Optional<MetricsSource> metrics(double sloP99Ms) {
        return Optional.empty();
    }

    @Override
    void close();
}
