package io.jenkins.plugins.modeldeploy.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.modeldeploy.abtest.GatedMetric;
import io.jenkins.plugins.modeldeploy.abtest.MetricsException;
import io.jenkins.plugins.modeldeploy.abtest.MetricsSource;
import io.jenkins.plugins.modeldeploy.abtest.ShadowStats;
import io.jenkins.plugins.modeldeploy.abtest.VariantStats;
import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.route.Endpoints;
import io.jenkins.plugins.modeldeploy.route.RoutingException;
import io.jenkins.plugins.modeldeploy.route.TrafficRouter;
import io.jenkins.plugins.modeldeploy.target.DeployedVersion;
import io.jenkins.plugins.modeldeploy.target.FileReleaseStore;
import io.jenkins.plugins.modeldeploy.target.ModelStatus;
import io.jenkins.plugins.modeldeploy.target.ReleaseStore;
import io.jenkins.plugins.modeldeploy.target.RetireMode;
import io.jenkins.plugins.modeldeploy.target.RolloutException;
import io.jenkins.plugins.modeldeploy.target.RolloutRequest;
import io.jenkins.plugins.modeldeploy.target.Target;
import io.jenkins.plugins.modeldeploy.target.TargetException;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The persistent local target as a CLI invocation (or any other process) sees it: every operation goes to the
 * daemon's control API, except the release state, which this process reads and writes in the state directory's
 * {@link FileReleaseStore} itself (file locks make it safe with the daemon and other invocations). Errors come back
 * as the exceptions the daemon's target threw, with the same messages; events the daemon publishes during a rollout
 * reach this target's event consumer as they happen.
 */
public final class DaemonTarget implements Target {
    /** Beyond the rollout's own timeout: copying the model files, loading an image archive. */
    private static final Duration ROLLOUT_MARGIN = Duration.ofMinutes(5);
    /** Retiring drains the gateway (10 s), then the process (10 s drain, killed 5 s later). */
    private static final Duration RETIRE_TIMEOUT = Duration.ofMinutes(2);

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

    private final DaemonRecord record;
    private final ControlClient control;
    private final Consumer<DeploymentEvent> events;
    private final FileReleaseStore releases;
    private final Router router = new Router();

    DaemonTarget(DaemonRecord record, ControlClient control, Consumer<DeploymentEvent> events) {
        this.record = record;
        this.control = control;
        this.events = events;
        this.releases = new FileReleaseStore(new LocalState(record.state()).releases());
    }

    /** The daemon this target drives. */
    public DaemonRecord daemon() {
        return record;
    }

    @Override
    public String describe() {
        return "local target " + record.gateway() + " (state " + record.state() + ")";
    }

    @Override
    public DeployedVersion rollout(RolloutRequest request) throws RolloutException, InterruptedException {
        try {
            return Wire.deployed(control.post(
                    "/v1/rollout",
                    Wire.request(request),
                    request.timeout().plus(ROLLOUT_MARGIN),
                    events,
                    "rolling out " + request.ref().id()));
        } catch (ControlClient.ControlException e) {
            throw e.error()
                    .asRollout("local target " + record.state() + " rolling out "
                            + request.ref().id());
        } catch (IOException e) {
            throw new RolloutException(
                    "local target " + record.state(),
                    "unreadable answer",
                    "rolling out " + request.ref().id() + ": " + e.getMessage(),
                    List.of());
        }
    }

    @Override
    public void retire(VersionRef version, RetireMode mode) throws TargetException {
        try {
            control.post(
                    "/v1/retire",
                    ref(version).put("mode", mode.name()),
                    RETIRE_TIMEOUT,
                    events,
                    (mode == RetireMode.REMOVE ? "removing " : "scaling to zero ") + version.id());
        } catch (ControlClient.ControlException e) {
            throw e.error().asTarget();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TargetException("interrupted while retiring " + version.id(), e);
        }
    }

    @Override
    public DeployedVersion restore(VersionRef version, Duration timeout) throws RolloutException, InterruptedException {
        try {
            return Wire.deployed(control.post(
                    "/v1/restore",
                    ref(version).put("timeoutMillis", timeout.toMillis()),
                    timeout.plus(ROLLOUT_MARGIN),
                    events,
                    "restoring " + version.id()));
        } catch (ControlClient.ControlException e) {
            throw e.error().asRollout("local target " + record.state() + " restoring " + version.id());
        } catch (IOException e) {
            throw new RolloutException(
                    "local target " + record.state(),
                    "unreadable answer",
                    "restoring " + version.id() + ": " + e.getMessage(),
                    List.of());
        }
    }

    /**
     * Makes the version fail this share of predictions from its next start on (a rollout or restore): how a test
     * or a demo makes a version measurably worse.
     */
    public void injectErrors(VersionRef version, double rate) throws TargetException, InterruptedException {
        try {
            control.post(
                    "/v1/inject-errors",
                    ref(version).put("rate", rate),
                    CALL_TIMEOUT,
                    events,
                    "injecting errors into " + version.id());
        } catch (ControlClient.ControlException e) {
            throw e.error().asTarget();
        }
    }

    @Override
    public TrafficRouter router() {
        return router;
    }

    @Override
    public ReleaseStore releases() {
        return releases;
    }

    /** The gateway's per-variant counters, quality from feedback and shadow comparison, read through the control API. */
    @Override
    public Optional<MetricsSource> metrics(double sloP99Ms) {
        return Optional.of(new Metrics());
    }

    /** {@link LocalGateway}'s {@link MetricsSource} in the daemon, one control call per reading. */
    private final class Metrics implements MetricsSource {
        @Override
        public VariantStats sample(String model, String version) throws MetricsException {
            return cumulative(model, version, List.of());
        }

        @Override
        public Window window(String model, String version, Instant start, List<GatedMetric> quality)
                throws MetricsException {
            List<String> names = quality.stream()
                    .filter(GatedMetric::builtIn)
                    .map(GatedMetric::name)
                    .toList();
            VariantStats base = cumulative(model, version, names);
            return () -> MetricsSource.minus(cumulative(model, version, names), base);
        }

        private VariantStats cumulative(String model, String version, List<String> quality) throws MetricsException {
            Map<String, String> query = quality.isEmpty()
                    ? Map.of("model", model, "version", version)
                    : Map.of("model", model, "version", version, "quality", String.join(",", quality));
            try {
                return Wire.stats(control.get(
                        "/v1/metrics", query, CALL_TIMEOUT, "reading the counters of " + model + "-" + version));
            } catch (ControlClient.ControlException e) {
                throw e.error().asMetrics();
            } catch (IOException e) {
                throw new MetricsException(
                        "unreadable counters of " + model + "-" + version + " from " + describe() + ": "
                                + e.getMessage(),
                        e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MetricsException("interrupted while reading the counters of " + model + "-" + version, e);
            }
        }

        @Override
        public ShadowStats shadow(String model, String version) throws MetricsException {
            try {
                return Wire.shadow(control.get(
                        "/v1/shadow",
                        Map.of("model", model, "version", version),
                        CALL_TIMEOUT,
                        "reading the shadow comparison of " + model + "-" + version));
            } catch (ControlClient.ControlException e) {
                throw e.error().asMetrics();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MetricsException("interrupted while reading the shadow of " + model + "-" + version, e);
            }
        }
    }

    @Override
    public List<ModelStatus> status(Duration timeout) throws TargetException {
        try {
            List<ModelStatus> models = new ArrayList<>();
            for (JsonNode model : control.get("/v1/status", Map.of(), timeout, "reading the status")
                    .path("models")) {
                models.add(Wire.status(model));
            }
            return models;
        } catch (ControlClient.ControlException e) {
            throw e.error().asTarget();
        } catch (IOException e) {
            throw new TargetException("unreadable status from " + describe() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TargetException("interrupted while reading the status of " + describe(), e);
        }
    }

    private static ObjectNode ref(VersionRef version) {
        return Wire.JSON.createObjectNode().put("model", version.model()).put("version", version.version());
    }

    /** Nothing to release: every call is its own request. */
    @Override
    public void close() {}

    /** The gateway's routes, changed in the daemon (which persists them), read from it. */
    private final class Router implements TrafficRouter {
        @Override
        public void reconcile(String model, Collection<String> versions) throws RoutingException {
            ObjectNode body = Wire.JSON.createObjectNode().put("model", model);
            versions.forEach(body.putArray("versions")::add);
            call("/v1/router/reconcile", body, "routing " + model + " versions " + versions);
        }

        @Override
        public void setWeights(String model, Map<String, Integer> weights) throws RoutingException {
            ObjectNode body = Wire.JSON.createObjectNode().put("model", model);
            body.set("weights", Wire.weights(weights));
            call("/v1/router/weights", body, "setting the weights of " + model + " to " + weights);
        }

        @Override
        public Map<String, Integer> currentWeights(String model) throws RoutingException {
            try {
                return Wire.weights(control.get(
                                "/v1/router/weights",
                                Map.of("model", model),
                                CALL_TIMEOUT,
                                "reading the weights of " + model)
                        .path("weights"));
            } catch (ControlClient.ControlException e) {
                throw e.error().asRouting();
            } catch (IOException e) {
                throw new RoutingException(
                        "unreadable weights of " + model + " from " + describe() + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RoutingException("interrupted while reading the weights of " + model, e);
            }
        }

        @Override
        public URI stableEndpoint(String model) {
            return Endpoints.stable(record.gateway(), model);
        }

        @Override
        public URI versionEndpoint(String model, String version) {
            return Endpoints.version(record.gateway(), model, version);
        }

        @Override
        public void setMirror(String model, String shadow, int percent) throws RoutingException {
            call(
                    "/v1/router/mirror",
                    Wire.JSON
                            .createObjectNode()
                            .put("model", model)
                            .put("shadow", shadow)
                            .put("percent", percent),
                    "mirroring " + percent + "% of " + model + " to version " + shadow);
        }

        @Override
        public void clearMirror(String model) throws RoutingException {
            call(
                    "/v1/router/mirror/clear",
                    Wire.JSON.createObjectNode().put("model", model),
                    "ending the mirror of " + model);
        }

        @Override
        public void setSticky(String model, Optional<String> header) throws RoutingException {
            ObjectNode body = Wire.JSON.createObjectNode().put("model", model);
            header.ifPresent(name -> body.put("header", name));
            call(
                    "/v1/router/sticky",
                    body,
                    header.map(name -> "making " + model + " sticky on " + name)
                            .orElse("ending the stickiness of " + model));
        }

        @Override
        public void remove(String model) throws RoutingException {
            call(
                    "/v1/router/remove",
                    Wire.JSON.createObjectNode().put("model", model),
                    "removing the routes of " + model);
        }

        private void call(String path, ObjectNode body, String doing) throws RoutingException {
            try {
                control.post(path, body, CALL_TIMEOUT, events, doing);
            } catch (ControlClient.ControlException e) {
                throw e.error().asRouting();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RoutingException("interrupted while " + doing, e);
            }
        }
    }
}
