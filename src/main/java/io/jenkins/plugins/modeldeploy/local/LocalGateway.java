package io.jenkins.plugins.modeldeploy.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.modeldeploy.abtest.GatedMetric;
import io.jenkins.plugins.modeldeploy.abtest.MetricsException;
import io.jenkins.plugins.modeldeploy.abtest.MetricsSource;
import io.jenkins.plugins.modeldeploy.abtest.ShadowStats;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 *
 * <p>On the stable path: a request naming a routed version in {@value #VERSION_HEADER} goes to it (404 when it has no
 * route) and is not counted in the experiment's counters; {@code POST …/feedback} (and V2's
 * {@code …/v2/models/m[/versions/v]/feedback}) goes to the version in that header, else the version in a V2 path,
 * else the version that answered the body's ids (the last {@value #REMEMBERED_IDS} answers' ids are remembered);
 * a {@linkplain #setSticky sticky} model assigns by a hash of the header's value; a {@linkplain #setMirror mirrored}
 * model sends copies to its shadow asynchronously and compares the answers. The client's end-to-end headers go to the
 * backend and the backend's {@code X-…} headers come back. Every answered prediction is offered to the {@linkplain
 * #predictionSink prediction sink}.
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
    /** The request header that forces a version on the stable route (and names it for feedback). */
    public static final String VERSION_HEADER = "X-Model-Version";
    /** How many request ids (and the version that answered each) the gateway remembers for feedback. */
    static final int REMEMBERED_IDS = 100_000;
    /** Mirrored copies waiting for a shadow thread; beyond it, copies are dropped and counted. */
    static final int SHADOW_QUEUE = 1_000;

    private static final int SHADOW_THREADS = 2;
    private static final long STICKY_SEED = 0x57_1c_4a_55_16_4e_d0_01L;
    private static final Pattern V2_FEEDBACK = Pattern.compile("/v2/models/([^/]+)(?:/versions/([^/]+))?/feedback");

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
    private final Map<String, String> stickyHeaders = new ConcurrentHashMap<>();
    private final Map<String, Mirror> mirrors = new ConcurrentHashMap<>();
    private final Map<VersionRef, ShadowComparison> shadows = new ConcurrentHashMap<>();
    private final RecentIds answered = new RecentIds(REMEMBERED_IDS);
    private final AtomicLong anonymousUnits = new AtomicLong();
    private final AtomicLong shadowDropped = new AtomicLong();
    private final ThreadPoolExecutor shadowThreads;
    private volatile PredictionSink sink = PredictionSink.NONE;

    private LocalGateway(int port, Balancing balancing, java.util.function.Consumer<String> notices)
            throws IOException {
        this.balancing = balancing;
        this.notices = notices;
        AtomicLong shadowThreadCount = new AtomicLong();
        this.shadowThreads = new ThreadPoolExecutor(
                SHADOW_THREADS,
                SHADOW_THREADS,
                30,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(SHADOW_QUEUE),
                task -> {
                    Thread thread = new Thread(task, "model-deploy-shadow-" + shadowThreadCount.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                },
                new ThreadPoolExecutor.AbortPolicy());
        this.shadowThreads.allowCoreThreadTimeOut(true);
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
        mirrors.remove(model);
        stickyHeaders.remove(model);
        if (!table.get().containsKey(model)) {
            return;
        }
        Map<String, ModelRoutes> next = new LinkedHashMap<>(table.get());
        next.remove(model);
        table.set(Map.copyOf(next));
    }

    /**
     * Sends a copy of {@code percent}% of the stable route's predictions (POST requests, drawn at random) to
     * {@code shadow} after production answered, on a bounded queue of {@value #SHADOW_QUEUE} copies served by
     * {@value #SHADOW_THREADS} threads (a copy that finds the queue full is dropped and counted in {@link
     * #shadowDropped}): the client's answer never waits for the shadow. The shadow's answers count in its counters
     * ({@link #sample}) and are compared with production's ({@link #shadow}), from zero again at each call.
     */
    @Override
    public synchronized void setMirror(String model, String shadow, int percent) throws RoutingException {
        if (percent < 1 || percent > 100) {
            throw new RoutingException("cannot mirror " + percent + "% of model " + model + " to version " + shadow
                    + ": the mirrored percent must be 1 to 100");
        }
        List<String> routed = routedVersions(model);
        if (!routed.contains(shadow)) {
            throw new RoutingException("cannot mirror model " + model + " to version " + shadow
                    + ": it has no route (routed: " + routed + ")");
        }
        shadows.put(new VersionRef(model, shadow), new ShadowComparison());
        mirrors.put(model, new Mirror(shadow, percent));
    }

    /** Stops mirroring; what the shadow answered so far stays readable through {@link #shadow}. */
    @Override
    public void clearMirror(String model) {
        mirrors.remove(model);
    }

    /**
     * Assigns the stable route's requests that carry {@code header} by a hash of its value (FNV-1a 64 mixed by
     * MurmurHash3's finalizer, salted with the model's name, taken modulo the live weights' sum, against the
     * cumulative weights of the versions in name order): one value lands on one version as long as the split and
     * the versions' health stay the same. Requests without the header are drawn by weight and each counts as its own
     * unit. Each version's distinct units are estimated in {@link VariantStats#units()}.
     */
    @Override
    public void setSticky(String model, Optional<String> header) throws RoutingException {
        if (header.isEmpty()) {
            stickyHeaders.remove(model);
            return;
        }
        String name = header.get();
        if (name.isEmpty()
                || !name.chars()
                        .allMatch(
                                c -> c < 128 && (Character.isLetterOrDigit(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0))) {
            throw new RoutingException("cannot make model " + model + " sticky on header '" + name
                    + "': a header name is a token (letters, digits, !#$%&'*+-.^_`|~)");
        }
        stickyHeaders.put(model, name);
        stableCounters.forEach((version, counters) -> {
            if (version.model().equals(model)) {
                counters.resetUnits();
            }
        });
    }

    /** The header the model's stable route is sticky on, if any. */
    public Optional<String> stickyHeader(String model) {
        return Optional.ofNullable(stickyHeaders.get(model));
    }

    /** Where the gateway hands every answered prediction; {@link PredictionSink#NONE} (the default) logs nothing. */
    public void predictionSink(PredictionSink sink) {
        this.sink = sink == null ? PredictionSink.NONE : sink;
    }

    /** Mirrored copies dropped because the shadow queue was full, since the gateway started. */
    public long shadowDropped() {
        return shadowDropped.get();
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

    /**
     * As {@link #sample}, with the built-in quality metrics among {@code quality} read from the version's harness
     * ({@code /metrics}, its {@code model_deploy_feedback_*} counters), and the window the difference from now on.
     * Custom metrics (PromQL queries) are left out: the local target has no Prometheus.
     */
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

    /**
     * The version's counters since the gateway started, with the cumulative quality observations of the named
     * built-in metrics (accuracy, mae, rmse, reward) from its harness's feedback counters.
     *
     * @throws MetricsException when metrics are asked for and the version's harness is not running or not readable
     */
    public VariantStats cumulative(String model, String version, Collection<String> metrics) throws MetricsException {
        VariantStats stats = sample(model, version);
        if (metrics.isEmpty()) {
            return stats;
        }
        Backend backend = backends.get(new VersionRef(model, version));
        if (backend == null || !backend.up) {
            throw new MetricsException("cannot read the feedback counters of version " + version + " of model " + model
                    + ": it is not running in the local gateway");
        }
        Http1Connection.Response response;
        try {
            response = backend.exchange(backend.request("GET", "/metrics", null, List.of(), new byte[0]));
        } catch (IOException e) {
            throw new MetricsException(
                    "cannot read the feedback counters of version " + version + " of model " + model + " from "
                            + backend.url + "/metrics: " + e.getMessage(),
                    e);
        }
        if (response.status() != 200) {
            throw new MetricsException("cannot read the feedback counters of version " + version + " of model " + model
                    + ": " + backend.url + "/metrics answered " + response.status());
        }
        return stats.withQuality(
                FeedbackMetrics.read(new String(response.body(), StandardCharsets.UTF_8), version, metrics));
    }

    /** How the shadow's answers compared with production's since its mirror was last set; NONE if never mirrored. */
    @Override
    public ShadowStats shadow(String model, String version) {
        ShadowComparison comparison = shadows.get(new VersionRef(model, version));
        return comparison == null ? ShadowStats.NONE : comparison.snapshot();
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
            return forward(request, backend, rest, "version", null, null, started);
        }
        String rest = path.substring(("/models/" + model).length());
        if (rest.isEmpty()) {
            rest = "/";
        }
        if ("POST".equals(request.method()) && isFeedback(rest)) {
            return feedback(request, model, routes, rest, started);
        }
        String forced = request.header(VERSION_HEADER);
        if (forced != null) {
            // Traefik's header router has its own rule ahead of the weighted service: it works whatever the split.
            if (!routes.versions.contains(forced)) {
                return error(
                        404,
                        "version " + forced + " of model " + model + " (asked for in " + VERSION_HEADER
                                + ") has no route; routed: " + routes.versions);
            }
            Backend backend = backends.get(new VersionRef(model, forced));
            if (backend == null || !backend.up) {
                return error(503, "version " + forced + " of model " + model + " is not ready");
            }
            return forward(request, backend, rest, "forced", null, null, started);
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
        String stickyHeader = stickyHeaders.get(model);
        String unitValue = stickyHeader == null ? null : request.header(stickyHeader);
        Backend backend = unitValue == null ? pick(model, routes, null) : pickSticky(model, routes, unitValue);
        if (backend == null) {
            return error(503, "no ready version of model " + model + " has weight on its stable route");
        }
        String unit = stickyHeader == null
                ? null
                : unitValue != null ? "v:" + unitValue : "a:" + anonymousUnits.incrementAndGet();
        return forward(request, backend, rest, "stable", routes, unit, started);
    }

    private static boolean isFeedback(String rest) {
        return rest.equals("/feedback") || V2_FEEDBACK.matcher(rest).matches();
    }

    /**
     * Feedback on the stable route goes to the version named in {@value #VERSION_HEADER}, else in a V2 path's
     * {@code /versions/v}, else to the version that answered the body's ids (remembered from the answers); ids
     * answered by different versions are refused (400), ids the gateway does not remember answer 404.
     */
    private GatewayServer.Response feedback(
            GatewayServer.Request request, String model, ModelRoutes routes, String rest, long started) {
        String version = request.header(VERSION_HEADER);
        Matcher v2 = V2_FEEDBACK.matcher(rest);
        if (version == null && v2.matches() && v2.group(2) != null) {
            version = v2.group(2);
        }
        if (version == null) {
            JsonNode body;
            try {
                body = Wire.JSON.readTree(request.body());
            } catch (IOException e) {
                return error(400, "body: feedback is not JSON: " + firstLine(e.getMessage()));
            }
            List<JsonNode> items = new ArrayList<>();
            if (body != null && body.isArray()) {
                body.forEach(items::add);
            } else if (body != null && body.isObject()) {
                items.add(body);
            }
            if (items.isEmpty()) {
                return error(400, "body: feedback is an object or a non-empty list of objects");
            }
            Map<String, List<String>> byVersion = new TreeMap<>();
            for (int i = 0; i < items.size(); i++) {
                String where = body.isArray() ? "[" + i + "]." : "";
                JsonNode id = items.get(i).path("id");
                if (!id.isTextual() || id.asText().isEmpty()) {
                    return error(400, where + "id: missing or not a non-empty string");
                }
                String answeredBy = answered.version(model, id.asText());
                if (answeredBy == null) {
                    return error(
                            404,
                            where + "id: unknown id '" + clip(id.asText()) + "' at the gateway of model " + model
                                    + " (it remembers the versions of the last " + REMEMBERED_IDS
                                    + " answers; name the version in " + VERSION_HEADER + ")");
                }
                byVersion.computeIfAbsent(answeredBy, v -> new ArrayList<>()).add(id.asText());
            }
            if (byVersion.size() > 1) {
                return error(
                        400,
                        "body: the ids were answered by versions " + byVersion.keySet() + " of model " + model
                                + "; send one feedback request per version (or name it in " + VERSION_HEADER + ")");
            }
            version = byVersion.keySet().iterator().next();
        }
        if (!routes.versions.contains(version)) {
            return error(
                    404, "version " + version + " of model " + model + " has no route; routed: " + routes.versions);
        }
        Backend backend = backends.get(new VersionRef(model, version));
        if (backend == null || !backend.up) {
            return error(503, "version " + version + " of model " + model + " is not ready");
        }
        return forward(request, backend, rest, "feedback", null, null, started);
    }

    private static String firstLine(String message) {
        return message == null ? "unreadable" : clip(message.lines().findFirst().orElse(""));
    }

    private static String clip(String text) {
        return text.length() <= 128 ? text : text.substring(0, 128) + "…";
    }

    /**
     * The version a sticky unit lands on: its hash in [0, live weights' sum) against the cumulative weights of the
     * ready versions with weight, in version name order.
     */
    private Backend pickSticky(String model, ModelRoutes routes, String unit) {
        List<String> versions = new ArrayList<>(routes.served.keySet());
        versions.sort(null);
        List<Backend> candidates = new ArrayList<>(versions.size());
        List<Integer> weights = new ArrayList<>(versions.size());
        int total = 0;
        for (String version : versions) {
            int weight = routes.served.get(version);
            Backend backend = backends.get(new VersionRef(model, version));
            if (weight > 0 && backend != null && backend.up) {
                candidates.add(backend);
                weights.add(weight);
                total += weight;
            }
        }
        if (total == 0) {
            return null;
        }
        long point = Long.remainderUnsigned(UnitSketch.hash64(model + "\u0000" + unit, STICKY_SEED), total);
        for (int i = 0; i < candidates.size(); i++) {
            point -= weights.get(i);
            if (point < 0) {
                return candidates.get(i);
            }
        }
        return candidates.get(candidates.size() - 1);
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
            String unit,
            long started) {
        String target = request.rawQuery() == null ? path : path + "?" + request.rawQuery();
        byte[] bytes =
                backend.request(request.method(), target, request.contentType(), request.headers(), request.body());
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
                    return forward(request, other, path, route, stableRoutes, unit, started);
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
        long nanos = System.nanoTime() - started;
        // feedback is not a prediction, whichever route it took (…/feedback on a version's path too)
        boolean prediction = "POST".equals(request.method()) && !"feedback".equals(route) && !isFeedback(path);
        String requestId = response.extensionHeaders().getOrDefault("x-request-id", "");
        if (prediction && response.status() >= 200 && response.status() <= 299) {
            remember(backend.version, path, requestId, response);
        }
        if (stableRoutes != null) {
            VariantCounters counters = stableCounters.computeIfAbsent(backend.version, v -> new VariantCounters());
            counters.record(
                    response.status(), nanos, sloMillis.getOrDefault(backend.version.model(), Double.MAX_VALUE));
            if (unit != null) {
                counters.recordUnit(unit);
            }
            if (prediction) {
                mirror(request, target, backend.version, response);
            }
        }
        if (prediction) {
            offer(
                    backend.version,
                    "version".equals(route) ? "version" : "stable",
                    requestId,
                    request.body(),
                    response.status(),
                    response.body(),
                    nanos);
        }
        return new GatewayServer.Response(response.status(), response.contentType(), headers, response.body());
    }

    /** Remembers which version answered the request id (and a V2 answer's body id) for feedback on the stable route. */
    private void remember(VersionRef version, String path, String requestId, Http1Connection.Response response) {
        if (!requestId.isEmpty()) {
            answered.put(version.model(), requestId, version.version());
        }
        if (path.endsWith("/infer")) {
            try {
                JsonNode id = Wire.JSON.readTree(response.body()).path("id");
                // only ids a harness could have generated or accepted as X-Request-Id (1-128 token characters): the
                // body's id is the client's, echoed unchecked, and the map is bounded by count, not by size
                if (id.isTextual()
                        && REMEMBERED_ID.matcher(id.asText()).matches()
                        && !id.asText().equals(requestId)) {
                    answered.put(version.model(), id.asText(), version.version());
                }
            } catch (IOException | RuntimeException e) {
                // not a V2 answer with an id: the header's id is remembered
            }
        }
    }

    private void offer(
            VersionRef version, String route, String requestId, byte[] request, int status, byte[] body, long nanos) {
        try {
            sink.offer(new PredictionSink.Prediction(version, route, requestId, request, status, body, nanos));
        } catch (RuntimeException e) {
            // a sink must not throw; if it does, serving goes on
        }
    }

    /** Ids the gateway remembers for feedback: what the harness accepts as an {@code X-Request-Id} (1-128 token characters). */
    private static final java.util.regex.Pattern REMEMBERED_ID =
            java.util.regex.Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]{1,128}");

    /**
     * The largest request-plus-answer a shadow copy is queued for: the queue is bounded by count, so the copies'
     * bodies must be bounded too (1,000 × 1 MiB at most); a larger one is dropped and counted.
     */
    static final int MAX_SHADOW_COPY_BYTES = 1 << 20;

    /** Queues a copy of a stable-route prediction for the model's shadow, if mirrored and drawn. */
    private void mirror(
            GatewayServer.Request request, String target, VersionRef production, Http1Connection.Response answer) {
        Mirror mirror = mirrors.get(production.model());
        if (mirror == null
                || mirror.shadow.equals(production.version())
                || ThreadLocalRandom.current().nextInt(100) >= mirror.percent) {
            return;
        }
        if ((long) request.body().length + answer.body().length > MAX_SHADOW_COPY_BYTES) {
            shadowDropped.incrementAndGet();
            return;
        }
        VersionRef shadow = new VersionRef(production.model(), mirror.shadow);
        ShadowComparison comparison = shadows.computeIfAbsent(shadow, v -> new ShadowComparison());
        try {
            shadowThreads.execute(() -> shadow(request, target, shadow, answer, comparison));
        } catch (RejectedExecutionException e) {
            shadowDropped.incrementAndGet();
        }
    }

    /** On a shadow thread: sends the copy, counts the shadow's answer in its counters and compares it. */
    private void shadow(
            GatewayServer.Request request,
            String target,
            VersionRef shadow,
            Http1Connection.Response production,
            ShadowComparison comparison) {
        long started = System.nanoTime();
        Backend backend = backends.get(shadow);
        int status = -1;
        byte[] body = new byte[0];
        String requestId = "";
        if (backend != null && backend.up) {
            try {
                Http1Connection.Response response = backend.exchange(backend.request(
                        request.method(), target, request.contentType(), request.headers(), request.body()));
                status = response.status();
                body = response.body();
                requestId = response.extensionHeaders().getOrDefault("x-request-id", "");
            } catch (IOException e) {
                // counted as a failed shadow answer below
            }
        }
        long nanos = System.nanoTime() - started;
        stableCounters
                .computeIfAbsent(shadow, v -> new VariantCounters())
                .record(status < 0 ? 502 : status, nanos, sloMillis.getOrDefault(shadow.model(), Double.MAX_VALUE));
        if (production.status() >= 200 && production.status() <= 299) {
            comparison.record(request.body(), production.body(), status, body);
        }
        if (status >= 0) {
            offer(shadow, "shadow", requestId, request.body(), status, body, nanos);
        }
    }

    /** The gateway's own answer: a JSON error, counted as a failed request. */
    private GatewayServer.Response error(int status, String message) {
        count(status, false);
        String json = Wire.JSON.createObjectNode().put("error", message).toString();
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
        shadowThreads.shutdownNow();
        backends.values().forEach(Backend::closeIdle);
    }

    /** A model's mirror: the shadow version and the percent of stable-route predictions copied to it. */
    private record Mirror(String shadow, int percent) {}

    /**
     * Request ids of the models' answers and the version that answered each, the last {@code capacity} of them (the
     * oldest forgotten first): how feedback on the stable route finds its version.
     */
    private static final class RecentIds {
        private final int capacity;
        private final LinkedHashMap<String, String> versions = new LinkedHashMap<>();

        RecentIds(int capacity) {
            this.capacity = capacity;
        }

        synchronized void put(String model, String id, String version) {
            String key = model + "\u0000" + id;
            versions.remove(key); // a reused id moves to the end
            versions.put(key, version);
            if (versions.size() > capacity) {
                Iterator<Map.Entry<String, String>> oldest = versions.entrySet().iterator();
                oldest.next();
                oldest.remove();
            }
        }

        synchronized String version(String model, String id) {
            return versions.get(model + "\u0000" + id);
        }
    }

    /** One model's routes: which versions have their own path, and the stable path's split. */
    private record ModelRoutes(List<String> versions, Map<String, Integer> weights, Map<String, Integer> served) {}
}
