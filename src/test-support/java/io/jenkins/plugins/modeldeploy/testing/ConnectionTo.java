package io.jenkins.plugins.modeldeploy.testing;

import io.jenkins.plugins.modeldeploy.abtest.MetricsSource;
import io.jenkins.plugins.modeldeploy.route.TrafficRouter;
import io.jenkins.plugins.modeldeploy.target.DeployedVersion;
import io.jenkins.plugins.modeldeploy.target.ModelStatus;
import io.jenkins.plugins.modeldeploy.target.ReleaseStore;
import io.jenkins.plugins.modeldeploy.target.RetireMode;
import io.jenkins.plugins.modeldeploy.target.RolloutException;
import io.jenkins.plugins.modeldeploy.target.RolloutRequest;
import io.jenkins.plugins.modeldeploy.target.Target;
import io.jenkins.plugins.modeldeploy.target.TargetException;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A connection to a test cluster that outlives it, as a real cluster outlives its clients: everything goes to the
 * cluster's target except {@link #close()}, which runs {@code onClose} and stops nothing.
 */
public final class ConnectionTo implements Target {
    private final Target cluster;
    private final Runnable onClose;

    public ConnectionTo(Target cluster, Runnable onClose) {
        this.cluster = cluster;
        this.onClose = onClose;
    }

    @Override
    public String describe() {
        return cluster.describe();
    }

    @Override
    public DeployedVersion rollout(RolloutRequest request) throws RolloutException, InterruptedException {
        return cluster.rollout(request);
    }

    @Override
    public void retire(VersionRef version, RetireMode mode) throws TargetException {
        cluster.retire(version, mode);
    }

    @Override
    public DeployedVersion restore(VersionRef version, Duration timeout) throws RolloutException, InterruptedException {
        return cluster.restore(version, timeout);
    }

    @Override
    public TrafficRouter router() {
        return cluster.router();
    }

    @Override
    public ReleaseStore releases() {
        return cluster.releases();
    }

    @Override
    public Optional<MetricsSource> metrics(double sloP99Ms) {
        return cluster.metrics(sloP99Ms);
    }

    @Override
    public List<ModelStatus> status(Duration timeout) throws TargetException {
        return cluster.status(timeout);
    }

    @Override
    public void close() {
        onClose.run();
    }
}
