package io.jenkins.plugins.modeldeploy.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.modeldeploy.route.TraefikRouter;
import io.jenkins.plugins.modeldeploy.route.TraefikRoutes;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Traefik's entry point for tests on the mock API server, playing what Traefik's Kubernetes CRD provider and its
 * Prometheus metrics do: {@code /models/m/v/...} goes to version v (its own route), {@code /models/m/...} to a version
 * picked by the weights of the TraefikService {@code m} as the cluster holds them (re-read every 100 ms, as Traefik
 * follows its watch), only versions whose Deployment has ready replicas answer (else 503, as Traefik answers for a
 * Service without endpoints) — a version whose Deployment went away keeps answering for {@link #DRAIN} more, as its
 * pods do during their preStop sleep ({@code RenderOptions.DRAIN_SECONDS}) while Traefik's endpoint watch catches
 * up — and every answer is counted per Service in Traefik's metric names
 * ({@code traefik_service_requests_total}, {@code traefik_service_request_duration_seconds} with the buckets of
 * Traefik's default plus the SLO buckets) on {@code /metrics}. A request carrying {@code X-Model-Version} is routed by
 * the live IngressRoutes' rules ({@link TraefikRuleMatcher}: the version-header routes send it to that version), and
 * every answer names its version in {@code X-Model-Version}, as the harness's do. While TraefikService
 * {@code m-mirror} exists (a shadow test), the stated percent of the stable path's requests is also served by the
 * shadow in the background, counted in its Service's metrics, its answer discarded. A weighted service with a sticky
 * cookie keeps a client that returns the cookie on its child. The versions themselves are scripted: a delay and an
 * error rate per version.
 *
 * <p>A version's Service "has endpoints" when its discovery.k8s.io/v1 EndpointSlices (label
 * {@code kubernetes.io/service-name}) list a ready one, or, where the cluster has no slice for it, when its Deployment
 * has ready replicas. With {@link #allowEmptyServices(boolean) allowEmptyServices(false)} (Traefik's default) the stand-in
 * applies Traefik's rule for a TraefikService: one weighted child (whatever its weight) without endpoints and the whole
 * TraefikService is dropped, so the stable path answers 404 ({@code pkg/provider/kubernetes/crd/kubernetes_http.go},
 * "no servers found", then "Error while building TraefikService"); with {@code true} (the Helm chart's value, and this
 * stand-in's default) only a request picked for the empty child fails (503).
 */
public final class TraefikStandIn implements AutoCloseable {
    /** How a version answers. */
    public record Behaviour(long delayMillis, double errorRate) {
        public static final Behaviour HEALTHY = new Behaviour(0, 0);
    }

    static {
        // The JDK's HttpServer leaves Nagle on unless told (sun.net.httpserver.ServerConfig reads this once, at its
        // first server in the JVM): with the client's delayed ACK every small answer then waits ~40 ms.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private static final List<String> BUCKETS =
            List.of("0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10");

    private final HttpServer server;
    private final KubernetesClient client;
    private final String namespace;
    private final ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "traefik-stand-in-watch");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();
    private final java.util.concurrent.ExecutorService mirrorPool = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "traefik-stand-in-mirror");
        thread.setDaemon(true);
        return thread;
    });
    private volatile Map<String, Map<String, Integer>> weights = Map.of();
    private volatile Set<String> ready = Set.of();
    /** Model to the name of its weighted service's sticky cookie, when it has one. */
    private volatile Map<String, String> stickyCookies = Map.of();
    /** Model to its shadow test's mirror, while TraefikService {@code <model>-mirror} exists. */
    private volatile Map<String, Mirror> mirrors = Map.of();

    private record Mirror(String version, int percent, long[] counts) {}

    /** The live IngressRoutes and Middlewares, for requests naming a version in X-Model-Version. */
    private volatile TraefikRuleMatcher rules = new TraefikRuleMatcher(List.of());
    /** Less than the rendered preStop sleep, so a version the stand-in still routes to surely still answers. */
    static final long DRAIN = TimeUnit.SECONDS.toNanos(2);

    private final Map<String, Long> lastReady = new ConcurrentHashMap<>();
    private volatile boolean allowEmptyServices = true;
    private final AtomicLong refreshes = new AtomicLong();
    /** service -> code -> [count, bucket counts...] */
    private final Map<String, Map<Integer, AtomicLong[]>> counters = new ConcurrentHashMap<>();

    public TraefikStandIn(KubernetesClient client, String namespace) throws IOException {
        this.client = client;
        this.namespace = namespace;
        refresh();
        watch.scheduleWithFixedDelay(this::refresh, 100, 100, TimeUnit.MILLISECONDS);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "traefik-stand-in");
            thread.setDaemon(true);
            return thread;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    /** The entry point, e.g. {@code http://127.0.0.1:N}: what {@code --gateway-url} names. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Where Prometheus scrapes: {@code host:port}. */
    public String metricsTarget() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** Traefik's {@code providers.kubernetesCRD.allowEmptyServices} (Traefik's default is false). */
    public TraefikStandIn allowEmptyServices(boolean allow) {
        allowEmptyServices = allow;
        return this;
    }

    /** Returns once the stand-in has read the cluster again after this call (as Traefik after a watch event). */
    public void awaitRefresh(java.time.Duration timeout) throws InterruptedException {
        long target = refreshes.get() + 2; // one in flight may have read before the caller's write
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (refreshes) {
            while (refreshes.get() < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException(
                            "the Traefik stand-in did not re-read the cluster within " + timeout);
                }
                TimeUnit.NANOSECONDS.timedWait(refreshes, left);
            }
        }
    }

    public TraefikStandIn behave(String model, String version, Behaviour behaviour) {
        behaviours.put(model + "-" + version, behaviour);
        return this;
    }

    private void refresh() {
        try {
            Map<String, Map<String, Integer>> split = new ConcurrentHashMap<>();
            Map<String, Mirror> mirrored = new ConcurrentHashMap<>();
            Map<String, String> cookies = new ConcurrentHashMap<>();
            for (GenericKubernetesResource service : client.genericKubernetesResources(
                            TraefikRoutes.context("TraefikService"))
                    .inNamespace(namespace)
                    .list()
                    .getItems()) {
                String name = service.getMetadata().getName();
                if (name.endsWith(TraefikRoutes.MIRROR_SUFFIX)
                        && service.getAdditionalProperties().get("spec") instanceof Map<?, ?> mirrorSpec
                        && mirrorSpec.get("mirroring") != null) {
                    String model = name.substring(0, name.length() - TraefikRoutes.MIRROR_SUFFIX.length());
                    String shadow = TraefikRouter.mirroredVersion(model, service);
                    if (shadow != null) {
                        Mirror known = mirrors.get(model);
                        int percent = mirrorPercent(service);
                        mirrored.put(
                                model,
                                known != null && known.version().equals(shadow) && known.percent() == percent
                                        ? known
                                        : new Mirror(shadow, percent, new long[2]));
                    }
                    continue;
                }
                split.put(name, TraefikRouter.weightsOf(name, service));
                if (service.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec
                        && spec.get("weighted") instanceof Map<?, ?> weighted
                        && weighted.get("sticky") instanceof Map<?, ?> sticky
                        && sticky.get("cookie") instanceof Map<?, ?> cookie
                        && cookie.get("name") instanceof String cookieName) {
                    cookies.put(name, cookieName);
                }
            }
            mirrors = mirrored;
            stickyCookies = cookies;
            long now = System.nanoTime();
            for (Deployment deployment :
                    client.apps().deployments().inNamespace(namespace).list().getItems()) {
                Integer readyReplicas = deployment.getStatus() == null
                        ? null
                        : deployment.getStatus().getReadyReplicas();
                if (readyReplicas != null && readyReplicas > 0) {
                    lastReady.put(deployment.getMetadata().getName(), now);
                }
            }
            Set<String> up = ConcurrentHashMap.newKeySet();
            lastReady.forEach((name, seen) -> {
                if (now - seen < DRAIN) {
                    up.add(name);
                }
            });
            // EndpointSlices, where the cluster has them, decide for their Service (Traefik reads them).
            Map<String, Boolean> sliced = new java.util.HashMap<>();
            for (EndpointSlice slice : client.discovery()
                    .v1()
                    .endpointSlices()
                    .inNamespace(namespace)
                    .list()
                    .getItems()) {
                String service = slice.getMetadata().getLabels() == null
                        ? null
                        : slice.getMetadata().getLabels().get("kubernetes.io/service-name");
                if (service != null) {
                    boolean any = slice.getEndpoints() != null
                            && slice.getEndpoints().stream()
                                    .anyMatch(e -> e.getConditions() == null
                                            || !Boolean.FALSE.equals(
                                                    e.getConditions().getReady()));
                    sliced.merge(service, any, Boolean::logicalOr);
                }
            }
            sliced.forEach((service, any) -> {
                if (any) {
                    up.add(service);
                } else {
                    up.remove(service);
                }
            });
            weights = split;
            ready = up;
            List<GenericKubernetesResource> routing = new java.util.ArrayList<>();
            for (String kind : List.of("IngressRoute", "Middleware")) {
                routing.addAll(client.genericKubernetesResources(TraefikRoutes.context(kind))
                        .inNamespace(namespace)
                        .list()
                        .getItems());
            }
            rules = new TraefikRuleMatcher(routing);
        } catch (RuntimeException e) {
            // the API server may be closing; the next refresh tries again
        } finally {
            synchronized (refreshes) {
                refreshes.incrementAndGet();
                refreshes.notifyAll();
            }
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange;
                InputStream body = exchange.getRequestBody()) {
            body.readAllBytes();
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/metrics")) {
                reply(exchange, 200, metrics());
                return;
            }
            String[] segments = path.split("/");
            if (segments.length < 3 || !segments[1].equals("models")) {
                reply(exchange, 404, "404 page not found\n");
                return;
            }
            String model = segments[2];
            String forced = forced(exchange, model, path);
            boolean versionPath = forced != null || segments.length > 3 && behavioursKnow(model, segments[3]);
            if (!versionPath && !allowEmptyServices && weights.containsKey(model)) {
                // Traefik built no TraefikService: the router that names it is dropped too, so nothing matches.
                for (String child : weights.get(model).keySet()) {
                    if (!ready.contains(model + "-" + child)) {
                        reply(exchange, 404, "404 page not found\n");
                        return;
                    }
                }
            }
            String version = forced != null ? forced : versionPath ? segments[3] : sticky(exchange, model);
            if (version == null) {
                reply(exchange, 404, "404 page not found\n");
                return;
            }
            String id = model + "-" + version;
            if (!versionPath) {
                mirror(model);
            }
            if (!ready.contains(id)) {
                reply(exchange, 503, "no available server\n");
                return;
            }
            long started = System.nanoTime();
            Behaviour behaviour = behaviours.getOrDefault(id, Behaviour.HEALTHY);
            if (behaviour.delayMillis() > 0) {
                Thread.sleep(behaviour.delayMillis());
            }
            int status = ThreadLocalRandom.current().nextDouble() < behaviour.errorRate() ? 500 : 200;
            exchange.getResponseHeaders().set("X-Model-Version", version); // as the harness answers
            reply(exchange, status, status == 200 ? "{\"predictions\":[1]}" : "{\"error\":\"scripted\"}");
            count(namespace + "-" + id + "-80@kubernetescrd", status, (System.nanoTime() - started) / 1e9);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The version a request carrying {@code X-Model-Version} goes to by the live IngressRoute's rules (its
     * version-header routes, TraefikRoutes#ingressRoute), or null when no rule sends it to one version's Service
     * (then it is routed as without the header). Only such requests are routed by the rules: the others keep the
     * stand-in's path logic.
     */
    private String forced(HttpExchange exchange, String model, String path) {
        String header = exchange.getRequestHeaders().getFirst("X-Model-Version");
        if (header == null) {
            return null;
        }
        String host = exchange.getRequestHeaders().getFirst("Host");
        host = host == null ? "" : host.replaceFirst(":\\d+$", "");
        return rules.route(host, path, Map.of("X-Model-Version", header))
                .filter(hop -> hop.kind().equals("Service") && hop.service().startsWith(model + "-"))
                .map(hop -> hop.service().substring(model.length() + 1))
                .orElse(null);
    }

    /**
     * A shadow test's copy of a stable-path request: every {@code percent}th share by Traefik's count (mirror.go,
     * {@code getActiveMirrors}: a mirror takes the request while its count times 100 is below the total times its
     * percent), served by the shadow version in the background (its answer discarded, the client not waiting) and
     * counted in the shadow Service's metrics.
     */
    private void mirror(String model) {
        Mirror mirror = mirrors.get(model);
        if (mirror == null) {
            return;
        }
        synchronized (mirror) {
            mirror.counts()[0]++;
            if (mirror.counts()[1] * 100 >= mirror.counts()[0] * mirror.percent()) {
                return;
            }
            mirror.counts()[1]++;
        }
        String id = model + "-" + mirror.version();
        if (!ready.contains(id)) {
            return;
        }
        Behaviour behaviour = behaviours.getOrDefault(id, Behaviour.HEALTHY);
        mirrorPool.execute(() -> {
            long started = System.nanoTime();
            try {
                if (behaviour.delayMillis() > 0) {
                    Thread.sleep(behaviour.delayMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            int status = ThreadLocalRandom.current().nextDouble() < behaviour.errorRate() ? 500 : 200;
            count(namespace + "-" + id + "-80@kubernetescrd", status, (System.nanoTime() - started) / 1e9);
        });
    }

    private static int mirrorPercent(GenericKubernetesResource service) {
        if (service.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec
                && spec.get("mirroring") instanceof Map<?, ?> mirroring
                && mirroring.get("mirrors") instanceof List<?> list
                && !list.isEmpty()
                && list.get(0) instanceof Map<?, ?> first
                && first.get("percent") instanceof Number percent) {
            return percent.intValue();
        }
        return 0; // Traefik's default percent
    }

    /**
     * The stable path's pick: by the sticky cookie when the weighted service has one and the request carries a
     * cookie naming a child still in the split, else by weight, and then the cookie is set on the answer, as
     * Traefik's weighted round robin does (pkg/server/service/loadbalancer/wrr/wrr.go, ServeHTTP; the value is a
     * SHA-256 of the child's name, loadbalancer/sticky.go).
     */
    private String sticky(HttpExchange exchange, String model) {
        String cookieName = stickyCookies.get(model);
        if (cookieName == null) {
            return pick(model);
        }
        Map<String, Integer> split = weights.getOrDefault(model, Map.of());
        for (String header : exchange.getRequestHeaders().getOrDefault("Cookie", List.of())) {
            for (String pair : header.split(";")) {
                String[] kv = pair.trim().split("=", 2);
                if (kv.length == 2 && kv[0].equals(cookieName)) {
                    for (Map.Entry<String, Integer> child : split.entrySet()) {
                        if (child.getValue() > 0
                                && cookieValue(model + "-" + child.getKey()).equals(kv[1])) {
                            return child.getKey();
                        }
                    }
                }
            }
        }
        String picked = pick(model);
        if (picked != null) {
            exchange.getResponseHeaders()
                    .add(
                            "Set-Cookie",
                            cookieName + "=" + cookieValue(model + "-" + picked) + "; Path=/; HttpOnly; SameSite=Lax");
        }
        return picked;
    }

    private static String cookieValue(String child) {
        try {
            byte[] digest =
                    java.security.MessageDigest.getInstance("SHA-256").digest(child.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A version path segment names a version the cluster has (else it is the first segment of a stable path). */
    private boolean behavioursKnow(String model, String segment) {
        return weights.getOrDefault(model, Map.of()).containsKey(segment) || ready.contains(model + "-" + segment);
    }

    private String pick(String model) {
        Map<String, Integer> split = weights.get(model);
        if (split == null || split.isEmpty()) {
            return null;
        }
        int total = split.values().stream().mapToInt(Integer::intValue).sum();
        if (total <= 0) {
            return null;
        }
        int draw = ThreadLocalRandom.current().nextInt(total);
        for (Map.Entry<String, Integer> entry : split.entrySet()) {
            draw -= entry.getValue();
            if (draw < 0) {
                return entry.getKey();
            }
        }
        return null;
    }

    private void count(String service, int status, double seconds) {
        AtomicLong[] cells = counters.computeIfAbsent(service, s -> new ConcurrentHashMap<>())
                .computeIfAbsent(status, s -> {
                    AtomicLong[] fresh = new AtomicLong[BUCKETS.size() + 1];
                    for (int i = 0; i < fresh.length; i++) {
                        fresh[i] = new AtomicLong();
                    }
                    return fresh;
                });
        cells[0].incrementAndGet();
        for (int i = 0; i < BUCKETS.size(); i++) {
            if (seconds <= Double.parseDouble(BUCKETS.get(i))) {
                cells[i + 1].incrementAndGet();
            }
        }
    }

    private String metrics() {
        StringBuilder text = new StringBuilder("# TYPE traefik_service_requests_total counter\n"
                + "# TYPE traefik_service_request_duration_seconds histogram\n");
        counters.forEach((service, byCode) -> byCode.forEach((code, cells) -> {
            String labels = "code=\"" + code + "\",method=\"POST\",protocol=\"http\",service=\"" + service + "\"";
            text.append("traefik_service_requests_total{")
                    .append(labels)
                    .append("} ")
                    .append(cells[0].get())
                    .append('\n');
            for (int i = 0; i < BUCKETS.size(); i++) {
                text.append(String.format(
                        Locale.ROOT,
                        "traefik_service_request_duration_seconds_bucket{%s,le=\"%s\"}" + " %d%n",
                        labels,
                        BUCKETS.get(i),
                        cells[i + 1].get()));
            }
            text.append(String.format(
                    Locale.ROOT,
                    "traefik_service_request_duration_seconds_bucket{%s,le=\"+Inf\"}" + " %d%n",
                    labels,
                    cells[0].get()));
        }));
        return text.toString();
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        watch.shutdownNow();
        mirrorPool.shutdownNow();
        server.stop(0);
    }
}
