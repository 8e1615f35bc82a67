package io.jenkins.plugins.modeldeploy.target;

import io.jenkins.plugins.modeldeploy.abtest.MetricsSource;
import io.jenkins.plugins.modeldeploy.route.TrafficRouter;
import java.util.List;
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

    /**
     * Stops serving a version (removes it, or scales it to zero so a rollback can bring it back). Idempotent. The
     * version must carry no weight on the stable route any more (the lifecycle moves its traffic first).
     */
    void retire(VersionRef version, RetireMode mode) throws TargetException;

    /** Brings a version retired with {@link RetireMode#SCALE_TO_ZERO} back and waits until it serves. */
    DeployedVersion restore(VersionRef version, java.time.Duration timeout)
            throws RolloutException, InterruptedException;

    /**
     * Why this process cannot send requests to the versions and the stable route (what a smoke test and synthetic A/B
     * traffic do), naming what to configure; empty when it can. Checked before a run that needs it does anything.
     */
    default java.util.Optional<String> unreachable() {
        return java.util.Optional.empty();
    }

    /** The router for this target's model routes. */
    TrafficRouter router();

    /** Where promotion state and stages live (annotations on Kubernetes, a state file locally). */
    ReleaseStore releases();

    /**
     * Where A/B tests read what each version served on the stable route: the local gateway's counters, or Prometheus
     * over Traefik's metrics on Kubernetes (when configured); {@code sloP99Ms} is the latency that counts as a
     * violation. Empty: this target cannot measure an A/B test (the error names what to configure).
     */
    Optional<MetricsSource> metrics(double sloP99Ms);

    /**
     * Every model this target runs, read from where the truth lives (the cluster's objects, the local state), within
     * {@code timeout}.
     */
    List<ModelStatus> status(java.time.Duration timeout) throws TargetException;

    @Override
    void close();
}
