package io.jenkins.plugins.modeldeploy.local;

import io.jenkins.plugins.modeldeploy.abtest.MetricsSource;
import io.jenkins.plugins.modeldeploy.abtest.VariantStats;
import io.jenkins.plugins.modeldeploy.harness.HarnessOptions;
import io.jenkins.plugins.modeldeploy.route.Endpoints;
import io.jenkins.plugins.modeldeploy.route.RoutingException;
import io.jenkins.plugins.modeldeploy.route.TrafficRouter;
import io.jenkins.plugins.modeldeploy.route.Weights;
import io.jenkins.plugins.modeldeploy.smoke.Http1Connection;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The local stand-in for Traefik: a reverse proxy on loopback with the same routes ({@code /models/m/v} to exactly
 * version v, {@code /models/m} split by weight, prefix stripped), keep-alive connections to the backends, and the
 * per-variant counters an experiment reads.
 *
 * <p>Routes live in one immutable table swapped atomically, and a request picks its backend once, so a weight change
 * takes effect for the next request while in-flight ones finish where they started. A version is routed only after
 * it has been {@linkplain #register registered} ready, and never after it is {@linkplain #markDown marked down}.
 *
 * <p>Two ways of balancing the stable path ({@link Balancing}): {@code FORGIVING} (the default) skips a version that is
 * down and retries a refused request on another; {@code TRAEFIK} mirrors Traefik with its default
 * {@code allowEmptyServices=false} and what {@code TraefikRouter} writes: the served split leaves out versions with
 * weight 0 or no live backend (their share goes to the others), and a served version without a live backend makes the
 * whole stable path answer 404, as Traefik drops a TraefikService with an empty child.
 */
public final class LocalGateway implements TrafficRouter, MetricsSource, AutoCloseable {
    static final String ROUTE_HEADER = "X-Model-Deploy-Route";

    /** How the stable path treats a version without a live backend; see the class comment. */
    public enum Balancing {
        FORGIVING,
        TRAEFIK
    }

    private static final int MAX_BODY_BYTES = 16 << 20;
    private static final String INJECTED_HEADER = HarnessOptions.INJECTED_FAULT_HEADER.toLowerCase();

    private final GatewayServer server;
    private final URI baseUri;
    private final Map<VersionRef, Backend> backends = new ConcurrentHashMap<>();
    private final AtomicReference<Map<String, ModelRoutes>> table = new AtomicReference<>(Map.of());
    private final Map<String, Double> sloMillis = new ConcurrentHashMap<>();
    private final Map<VersionRef, VariantCounters> stableCounters = new ConcurrentHashMap<>();
    private final AtomicLong failedRequests = new AtomicLong();
    private final AtomicLong injectedFaults = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final Balancing balancing;
    private final java.util.function.Consumer<String> notices;

    private LocalGateway(int port, Balancing balancing, java.util.function.Consumer<String> notices)
            throws IOException {
        this.balancing = balancing;
        this.notices = notices;
        this.server = GatewayServer.start(port, this::handle, this::rejection, MAX_BODY_BYTES);
        this.baseUri = URI.create("http://127.0.0.1:" + server.port());
    }

    /** Starts a gateway on 127.0.0.1 ({@code port} 0: a free one). */
    public static LocalGateway start(int port) throws IOException {
        return new LocalGateway(port, Balancing.FORGIVING, message -> {});
    }

    /** Starts a gateway balancing as {@code balancing} says; {@code notices} hears of versions left out. */
    public static LocalGateway start(int port, Balancing balancing, java.util.function.Consumer<String> notices)
            throws IOException {
        return new LocalGateway(port, balancing, notices);
    }

    public URI baseUri() {
        return baseUri;
    }

    // --- backends ---------------------------------------------------------------------------------------------

    /** Makes a ready version known (not yet routed: {@link #reconcile} exposes it). Replaces an earlier backend. */
    public void register(VersionRef version, URI url, double sloP99Ms) {
        Backend previous = backends.put(version, new Backend(version, url));
        sloMillis.put(version.model(), sloP99Ms);
        if (previous != null) {
            previous.closeIdle();
        }
        reserve(version.model());
    }

    /** Takes a version out of rotation at once (its process died); requests go to the other ready versions. */
    public void markDown(VersionRef version) {
        Backend backend = backends.get(version);
        if (backend != null) {
            backend.up = false;
        }
        reserve(version.model());
    }

    /**
     * In {@code TRAEFIK} balancing, serves the model's split again after a backend came or went: the gateway sees its
     * backends directly, as {@code TraefikRouter} reads endpoints when it writes the split.
     */
    private synchronized void reserve(String model) {
        ModelRoutes routes = table.get().get(model);
        if (balancing == Balancing.TRAEFIK && routes != null) {
            swap(model, new ModelRoutes(routes.versions, routes.weights, served(model, routes.weights)));
        }
    }

    /** The split served for {@code requested}: as is, or (TRAEFIK) without weight-0 and down versions. */
    private Map<String, Integer> served(String model, Map<String, Integer> requested) {
        if (balancing == Balancing.FORGIVING) {
            return requested;
        }
        Map<String, Integer> weighted = new LinkedHashMap<>();
        Map<String, Integer> live = new LinkedHashMap<>();
        requested.forEach((version, weight) -> {
            if (weight > 0) {
                weighted.put(version, weight);
                if (isReady(new VersionRef(model, version))) {
                    live.put(version, weight);
                }
            }
        });
        if (live.isEmpty()) {
            return Map.copyOf(weighted); // nothing to protect: served as asked, the stable path fails as on Traefik
        }
        if (live.size() == weighted.size()) {
            return Map.copyOf(Weights.redistribute(live)); // sums to 100 even after a version's route went
        }
        Map<String, Integer> served = Weights.redistribute(live);
        weighted.keySet().stream()
                .filter(v -> !live.containsKey(v))
                .forEach(v -> notices.accept("version " + v + " of model " + model + " has no live backend: left out"
                        + " of the stable route, its " + weighted.get(v) + "% goes to " + served));
        return Map.copyOf(served);
    }

    /**
     * Forgets a version (its route too) after waiting up to {@code drain} for its in-flight requests; returns whether
     * they all finished. Refuses while the stable route still gives it weight.
     */
    public boolean unregister(VersionRef version, Duration drain) throws RoutingException, InterruptedException {
        refuseWhileWeighted(version);
        synchronized (this) {
            ModelRoutes routes = table.get().get(version.model());
            if (routes != null && routes.versions.contains(version.version())) {
                Set<String> remaining = new LinkedHashSet<>(routes.versions);
                remaining.remove(version.version());
                swap(version.model(), new ModelRoutes(List.copyOf(remaining), routes.weights, routes.served));
            }
        }
        return drain(backends.remove(version), drain);
    }

    /**
     * Takes a version out of service but keeps its route, like a Kubernetes Service scaled to zero: its path
     * answers 503 until it is registered again. Waits up to {@code drain} for in-flight requests.
     */
    public boolean park(VersionRef version, Duration drain) throws RoutingException, InterruptedException {
        refuseWhileWeighted(version);
        Backend backend = backends.get(version);
        if (backend != null) {
            backend.up = false;
        }
        return drain(backend, drain);
    }

    private void refuseWhileWeighted(VersionRef version) throws RoutingException {
        ModelRoutes routes = table.get().get(version.model());
        if (routes != null && routes.served.getOrDefault(version.version(), 0) > 0) {
            throw new RoutingException("cannot remove version " + version.version() + " of model " + version.model()
                    + ": the stable route still sends it " + routes.served.get(version.version()) + "% of requests");
        }
    }

    private static boolean drain(Backend backend, Duration drain) throws InterruptedException {
        if (backend == null) {
            return true;
        }
        long deadline = System.nanoTime() + drain.toNanos();
        while (backend.inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        backend.closeIdle();
        return backend.inFlight.get() == 0;
    }

    public boolean isReady(VersionRef version) {
        Backend backend = backends.get(version);
        return backend != null && backend.up;
    }

    // --- TrafficRouter ------------------------------------------------------------------------------------------

    /** The models that have routes. */
    Set<String> models() {
        return Set.copyOf(table.get().keySet());
    }

    /**
     * Puts back routes and weights as they were stored (a restarted daemon), without the checks of
     * {@link #reconcile} and {@link #setWeights}: a version that did not come back yet answers 503 on its own
     * route and is skipped on the stable one, as when it is marked down.
     */
    synchronized void restoreRoutes(String model, List<String> versions, Map<String, Integer> weights) {
        Map<String, Integer> copy = Map.copyOf(weights);
        swap(model, new ModelRoutes(List.copyOf(new LinkedHashSet<>(versions)), copy, served(model, copy)));
    }

    /** The versions that have their own route. */
    public List<String> routedVersions(String model) {
        ModelRoutes routes = table.get().get(model);
        return routes == null ? List.of() : routes.versions;
    }

    @Override
    public synchronized void reconcile(String model, Collection<String> versions) throws RoutingException {
        for (String version : versions) {
            if (!backends.containsKey(new VersionRef(model, version))) {
                throw new RoutingException("cannot route /models/" + model + "/" + version + ": version " + version
                        + " of model " + model + " is not running in the local gateway");
            }
        }
        ModelRoutes current = table.get().get(model);
        Map<String, Integer> weights = new LinkedHashMap<>();
        if (current != null) {
            current.weights.forEach((version, weight) -> {
                if (versions.contains(version)) {
                    weights.put(version, weight);
                }
            });
        }
        for (Map.Entry<String, Integer> entry :
                (current == null ? Map.<String, Integer>of() : current.served).entrySet()) {
            if (entry.getValue() > 0 && !versions.contains(entry.getKey())) {
                throw new RoutingException("cannot drop the route of version " + entry.getKey() + " of model " + model
                        + ": the stable route sends it " + entry.getValue() + "%; set its weight to 0 first");
            }
        }
        Map<String, Integer> kept = balancing == Balancing.FORGIVING && current != null ? current.weights : weights;
        swap(model, new ModelRoutes(List.copyOf(new LinkedHashSet<>(versions)), kept, served(model, kept)));
    }

    @Override
    public synchronized void setWeights(String model, Map<String, Integer> weights) throws RoutingException {
        Map<String, Integer> checked = Weights.checked(model, weights);
        ModelRoutes current = table.get().get(model);
        List<String> versions = current == null ? List.of() : current.versions;
        for (Map.Entry<String, Integer> entry : checked.entrySet()) {
            if (entry.getValue() > 0) {
                if (!versions.contains(entry.getKey())) {
                    throw new RoutingException("cannot send " + entry.getValue() + "% of model " + model
                            + " to version " + entry.getKey() + ": it has no route (routed: " + versions + ")");
                }
                // TRAEFIK balancing takes it and leaves it out until it is live, as TraefikRouter does.
                if (balancing == Balancing.FORGIVING && !isReady(new VersionRef(model, entry.getKey()))) {
                    throw new RoutingException("cannot send " + entry.getValue() + "% of model " + model
                            + " to version " + entry.getKey() + ": it is not ready");
                }
            }
        }
        swap(model, new ModelRoutes(versions, checked, served(model, checked)));
    }

    /** The split as served: in TRAEFIK balancing without the versions left out (as TraefikRouter reports it). */
    @Override
    public Map<String, Integer> currentWeights(String model) {
        ModelRoutes routes = table.get().get(model);
        return routes == null ? Map.of() : routes.served;
    }

    @Override
    public URI stableEndpoint(String model) {
        return Endpoints.stable(baseUri, model);
    }

    @Override
    public URI versionEndpoint(String model, String version) {
        return Endpoints.version(baseUri, model, version);
    }

    /** The URL of one version through the gateway ({@code …/models/m/v}). */
    public URI versionEndpoint(VersionRef version) {
        return versionEndpoint(version.model(), version.version());
    }

    /**
     * Forgets the model's routes, as undeploying does before its versions are removed: from then on its paths answer
     * 404, while requests already in flight finish on the version they were sent to (its backend stays until it is
     * unregistered, which drains it).
     */
    @Override
    public synchronized void remove(String model) {
        if (!table.get().containsKey(model)) {
            return;
        }
        Map<String, ModelRoutes> next = new LinkedHashMap<>(table.get());
        next.remove(model);
        table.set(Map.copyOf(next));
    }

    private void swap(String model, ModelRoutes routes) {
        Map<String, ModelRoutes> next = new LinkedHashMap<>(table.get());
        next.put(model, routes);
        table.set(Map.copyOf(next));
    }

    // --- counters -------------------------------------------------------------------------------------------------

    /** Counts of the stable route's requests that went to {@code version}, since the gateway started. */
    @Override
    public VariantStats sample(String model, String version) {
        VariantCounters counters = stableCounters.get(new VersionRef(model, version));
        return counters == null ? new VariantStats(version, 0, 0, 0, 0, 0) : counters.snapshot(version);
    }

    /** Non-2xx answers the gateway gave, on any route, that the backend did not mark as injected faults. */
    public long failedRequests() {
        return failedRequests.get();
    }

    /** Answers the backends failed on purpose ({@value HarnessOptions#INJECTED_FAULT_HEADER}). */
    public long injectedFaults() {
        return injectedFaults.get();
    }

    public long requests() {
        return requests.get();
    }

    // --- proxying ---------------------------------------------------------------------------------------------------

    private GatewayServer.Response handle(GatewayServer.Request request) {
        long started = System.nanoTime();
        requests.incrementAndGet();
        String path = request.rawPath();
        String[] segments = path.split("/", 5);
        // "", "models", m, v-or-rest, rest
        if (segments.length < 3 || !"models".equals(segments[1]) || segments[2].isEmpty()) {
            return error(404, "no route for " + path + " (routes are /models/<model>[/<version>]/…)");
        }
        String model = segments[2];
        ModelRoutes routes = table.get().get(model);
        if (routes == null) {
            return error(404, "no model " + model + " is routed by this gateway");
        }
        if (segments.length >= 4 && routes.versions.contains(segments[3])) {
            String rest = "/" + (segments.length == 5 ? segments[4] : "");
            VersionRef version = new VersionRef(model, segments[3]);
            Backend backend = backends.get(version);
            if (backend == null || !backend.up) {
                return error(503, "version " + version.version() + " of model " + model + " is not ready");
            }
            return forward(request, backend, rest, "version", null, started);
        }
        String rest = path.substring(("/models/" + model).length());
        if (rest.isEmpty()) {
            rest = "/";
        }
        if (balancing == Balancing.TRAEFIK) {
            for (String version : routes.served.keySet()) {
                if (!isReady(new VersionRef(model, version))) {
                    // Traefik (allowEmptyServices=false): one empty child and the TraefikService is not built; the
                    // router naming it is dropped too, so the stable path matches nothing.
                    return error(
                            404,
                            "404 page not found: the weighted service of model " + model + " has version " + version
                                    + " without a live backend");
                }
            }
        }
        Backend backend = pick(model, routes, null);
        if (backend == null) {
            return error(503, "no ready version of model " + model + " has weight on its stable route");
        }
        return forward(request, backend, rest, "stable", routes, started);
    }

    /** A weighted random choice among the ready versions with weight, skipping {@code excluded}. */
    private Backend pick(String model, ModelRoutes routes, Backend excluded) {
        List<Backend> candidates = new ArrayList<>(routes.weights.size());
        List<Integer> weights = new ArrayList<>(routes.weights.size());
        int total = 0;
        for (Map.Entry<String, Integer> entry : routes.served.entrySet()) {
            if (entry.getValue() <= 0) {
                continue;
            }
            Backend backend = backends.get(new VersionRef(model, entry.getKey()));
            if (backend != null && backend.up && backend != excluded) {
                candidates.add(backend);
                weights.add(entry.getValue());
                total += entry.getValue();
            }
        }
        if (total == 0) {
            return null;
        }
        int draw = ThreadLocalRandom.current().nextInt(total);
        for (int i = 0; i < candidates.size(); i++) {
            draw -= weights.get(i);
            if (draw < 0) {
                return candidates.get(i);
            }
        }
        return candidates.get(candidates.size() - 1);
    }

    private GatewayServer.Response forward(
            GatewayServer.Request request,
            Backend backend,
            String path,
            String route,
            ModelRoutes stableRoutes,
            long started) {
        String target = request.rawQuery() == null ? path : path + "?" + request.rawQuery();
        byte[] bytes = Http1Connection.request(
                request.method(),
                target,
                backend.hostHeader,
                request.contentType(),
                "model-deploy-gateway",
                request.body());
        Http1Connection.Response response;
        try {
            response = backend.exchange(bytes);
        } catch (IOException e) {
            if (stableRoutes != null && backend.wasRefused(e) && balancing == Balancing.TRAEFIK) {
                // Traefik does not retry by default: this request fails, the next ones go to the others.
                markDown(backend.version);
            } else if (stableRoutes != null && backend.wasRefused(e)) {
                // The process behind it is gone: stop routing to it and give the request to another version.
                backend.up = false;
                Backend other = pick(backend.version.model(), stableRoutes, backend);
                if (other != null) {
                    return forward(request, other, path, route, stableRoutes, started);
                }
            }
            return error(
                    502,
                    "version " + backend.version.version() + " of model " + backend.version.model()
                            + " did not answer: " + e.getMessage());
        }
        boolean injected = response.extensionHeaders().containsKey(INJECTED_HEADER);
        Map<String, String> headers = new LinkedHashMap<>(response.extensionHeaders());
        headers.put(ROUTE_HEADER, route);
        count(response.status(), injected);
        if (stableRoutes != null) {
            stableCounters
                    .computeIfAbsent(backend.version, v -> new VariantCounters())
                    .record(
                            response.status(),
                            System.nanoTime() - started,
                            sloMillis.getOrDefault(backend.version.model(), Double.MAX_VALUE));
        }
        return new GatewayServer.Response(response.status(), response.contentType(), headers, response.body());
    }

    /** The gateway's own answer: a JSON error, counted as a failed request. */
    private GatewayServer.Response error(int status, String message) {
        count(status, false);
        String json = "{\"error\":\"" + message.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
        return new GatewayServer.Response(status, "application/json", Map.of(), json.getBytes(StandardCharsets.UTF_8));
    }

    private GatewayServer.Response rejection(int status, String message) {
        requests.incrementAndGet();
        return error(status, message);
    }

    private void count(int status, boolean injected) {
        if (status < 200 || status > 299) {
            (injected ? injectedFaults : failedRequests).incrementAndGet();
        }
    }

    @Override
    public void close() {
        server.close();
        backends.values().forEach(Backend::closeIdle);
    }

    /** One model's routes: which versions have their own path, and the stable path's split. */
    private record ModelRoutes(List<String> versions, Map<String, Integer> weights, Map<String, Integer> served) {}
}
