package io.jenkins.plugins.modeldeploy.route;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Traefik objects (traefik.io/v1alpha1) that route one model: {@code /models/m/v} to exactly version v, and
 * {@code /models/m} to production through a weighted TraefikService (the A/B split); stripPrefix middlewares remove
 * the prefix so the harness sees {@code /predict}. Weights change with one patch of the TraefikService.
 */
public final class TraefikRoutes {
    public static final String API_VERSION = "traefik.io/v1alpha1";
    /**
     * The label keys of kube.ModelLabels, repeated because {@code kube} depends on {@code route} and not the other way
     * round; {@code ModelLabelsTest} checks that both agree.
     */
    public static final String NAME_LABEL = "app.kubernetes.io/name";

    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String MANAGER = "model-deploy";
    /**
     * On the IngressRoute and the TraefikService: the {@code spec} model-deploy last wrote, as JSON. Like kubectl's
     * {@code kubectl.kubernetes.io/last-applied-configuration}, it tells which entry points, TLS keys, routes,
     * middlewares and weighted children are ours, so that dropping one of ours removes it while whatever an operator
     * added survives (see {@link TraefikMerge}).
     */
    public static final String APPLIED_ANNOTATION = "model-deploy.jenkins.io/applied-spec";
    /**
     * On the TraefikService: the split asked for (JSON, version to weight), including versions left out of
     * {@code weighted.services} because their weight is 0 or they had no ready endpoint; a later reconcile serves it
     * again once they are ready.
     */
    public static final String REQUESTED_ANNOTATION = "model-deploy.jenkins.io/requested-weights";

    static final int SERVICE_PORT = 80;
    /**
     * The request header that forces a version on the stable path (every harness answer carries it, so a client sends
     * feedback, or a tester a forced request, with the version that answered).
     */
    public static final String VERSION_HEADER = "X-Model-Version";
    /** The TraefikService that mirrors the stable path while a shadow test runs: {@code <model>-mirror}. */
    public static final String MIRROR_SUFFIX = "-mirror";

    /** The sticky cookie of a model's weighted service: {@code model-deploy-<model>}. */
    public static String stickyCookie(String model) {
        return "model-deploy-" + model;
    }

    private TraefikRoutes() {}

    /**
     * @param versions every deployed version (each gets its own path)
     * @param weights  the stable path's split, version to weight (e.g. {"1": 90, "2": 10}); at least one entry
     */
    public static List<GenericKubernetesResource> render(
            String model,
            String namespace,
            Optional<String> host,
            List<String> versions,
            Map<String, Integer> weights) {
        return render(model, namespace, host, versions, weights, RouteOptions.DEFAULTS);
    }

    /**
     * As {@link #render(String, String, Optional, List, Map)} with entry points, TLS and the operator's middlewares;
     * versions with weight 0 are left out of the weighted service (see {@link #weightedService}).
     */
    public static List<GenericKubernetesResource> render(
            String model,
            String namespace,
            Optional<String> host,
            List<String> versions,
            Map<String, Integer> weights,
            RouteOptions options) {
        if (weights.isEmpty() || weights.values().stream().allMatch(w -> w == 0)) {
            throw new IllegalArgumentException("the stable route of " + model + " needs at least one version with"
                    + " weight > 0, was " + weights);
        }
        if (weights.values().stream().anyMatch(w -> w < 0)) {
            throw new IllegalArgumentException("weights must not be negative, were " + weights);
        }
        for (String version : weights.keySet()) {
            if (!versions.contains(version)) {
                throw new IllegalArgumentException("weight for version " + version + " of " + model
                        + ", which is not deployed (deployed: " + versions + ")");
            }
        }
        List<GenericKubernetesResource> objects = new ArrayList<>();
        objects.add(stripPrefix(model + "-strip", namespace, model, "/models/" + model));
        for (String version : versions) {
            objects.add(stripPrefix(
                    model + "-" + version + "-strip", namespace, model, "/models/" + model + "/" + version));
        }
        objects.add(weightedService(model, namespace, weights));
        objects.add(ingressRoute(model, namespace, host, versions, options, model));
        return objects;
    }

    /**
     * The IngressRoute alone, its stable route going to the TraefikService {@code stableService}: the model's weighted
     * one, or its mirroring one ({@link #mirrorService}) while a shadow test runs.
     */
    public static GenericKubernetesResource ingressRoute(
            String model,
            String namespace,
            Optional<String> host,
            List<String> versions,
            RouteOptions options,
            String stableService) {
        List<Map<String, Object>> routes = new ArrayList<>();
        for (String version : versions) {
            routes.add(route(
                    rule(host, "/models/" + model + "/" + version),
                    options.chain(model + "-" + version + "-strip"),
                    ordered("name", model + "-" + version, "kind", "Service", "port", SERVICE_PORT)));
        }
        String stableRule = rule(host, "/models/" + model);
        for (String version : versions) {
            // The stable path with X-Model-Version: <version> goes to that version (feedback for the version that
            // answered; a tester forcing a variant), stripped as the stable path is. Traefik v3's matcher
            // Header(`key`, `value`) takes two arguments and matches one of the header's values exactly
            // (traefik/traefik pkg/muxer/http/matcher.go:24 and :190, at fd5a576; v2's was Headers(...)). Traefik's
            // default priority is the rule's length (pkg/muxer/http/mux.go:75): this rule is longer than the version
            // paths' for long version names, so a request to /models/m/1/... carrying the header of version 2 would
            // go to version 2 with the wrong prefix stripped. An explicit priority one above the stable rule's length
            // puts it above the stable route and below every version path (whose rule is at least 4 longer).
            Map<String, Object> route = route(
                    headerRule(stableRule, version),
                    options.chain(model + "-strip"),
                    ordered("name", model + "-" + version, "kind", "Service", "port", SERVICE_PORT));
            route.put("priority", headerPriority(stableRule));
            routes.add(route);
        }
        routes.add(route(
                stableRule, options.chain(model + "-strip"), ordered("name", stableService, "kind", "TraefikService")));
        Map<String, Object> spec = ordered("entryPoints", options.effectiveEntryPoints(), "routes", routes);
        options.tls().ifPresent(tls -> {
            Map<String, Object> tlsSpec = new LinkedHashMap<>();
            tls.secretName().ifPresent(name -> tlsSpec.put("secretName", name));
            tls.certResolver().ifPresent(name -> tlsSpec.put("certResolver", name));
            spec.put("tls", tlsSpec);
        });
        GenericKubernetesResource route = resource("IngressRoute", model, namespace, model, spec);
        route.getMetadata().setAnnotations(new LinkedHashMap<>(Map.of(APPLIED_ANNOTATION, json(spec))));
        return route;
    }

    /** The stable rule restricted to requests naming {@code version} in {@link #VERSION_HEADER}. */
    static String headerRule(String stableRule, String version) {
        return "(" + stableRule + ") && Header(`" + VERSION_HEADER + "`, `" + version + "`)";
    }

    /** Above the stable route's default priority (its rule's length), below every version path's. */
    static int headerPriority(String stableRule) {
        return stableRule.length() + 1;
    }

    /**
     * The mirroring TraefikService {@code <model>-mirror}: every request goes to the model's weighted TraefikService
     * (whose answer the client gets) and a copy of {@code percent}% of them to the shadow's Service, whose answers
     * Traefik discards (its mirror handler writes them to a black hole, traefik/traefik
     * pkg/server/service/loadbalancer/mirror/mirror.go:41 and :180, at fd5a576). The IngressRoute's stable route
     * points at it while the shadow test runs.
     */
    public static GenericKubernetesResource mirrorService(String model, String namespace, String shadow, int percent) {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("the mirrored percent of " + model + " must be 0..100, was " + percent);
        }
        Map<String, Object> mirror =
                ordered("name", model + "-" + shadow, "kind", "Service", "port", SERVICE_PORT, "percent", percent);
        GenericKubernetesResource service = resource(
                "TraefikService",
                model + MIRROR_SUFFIX,
                namespace,
                model,
                ordered("mirroring", ordered("name", model, "kind", "TraefikService", "mirrors", List.of(mirror))));
        service.getMetadata()
                .setAnnotations(new LinkedHashMap<>(Map.of(
                        APPLIED_ANNOTATION,
                        json(service.getAdditionalProperties().get("spec")))));
        return service;
    }

    /** The TraefikService alone: what a weight change patches. It serves the split asked for. */
    public static GenericKubernetesResource weightedService(
            String model, String namespace, Map<String, Integer> weights) {
        return weightedService(model, namespace, weights, weights);
    }

    /**
     * The TraefikService serving {@code served}, recording {@code requested}. A child with weight 0 is left out: Traefik
     * builds every child whatever its weight ({@code pkg/server/service/service.go}, the weighted case), and with its
     * default {@code allowEmptyServices=false} one child whose Service has no endpoints fails the whole TraefikService
     * ({@code pkg/provider/kubernetes/crd/kubernetes_http.go}, "no servers found"), so a child that takes no traffic
     * can only do harm there.
     */
    public static GenericKubernetesResource weightedService(
            String model, String namespace, Map<String, Integer> requested, Map<String, Integer> served) {
        return weightedService(model, namespace, requested, served, false);
    }

    /**
     * As {@link #weightedService(String, String, Map, Map)}; {@code sticky}: Traefik's weighted round robin keeps a
     * client on the child named in the cookie {@link #stickyCookie} and sets it on the client's first answer
     * ({@code weighted.sticky.cookie}, traefik/traefik pkg/server/service/loadbalancer/wrr/wrr.go:61 and :152-163, at
     * fd5a576), HttpOnly and SameSite=Lax. Traefik cannot hash a header's value into the weights: on Kubernetes a
     * client stays on its variant by this cookie, so it must keep cookies.
     */
    public static GenericKubernetesResource weightedService(
            String model,
            String namespace,
            Map<String, Integer> requested,
            Map<String, Integer> served,
            boolean sticky) {
        List<Map<String, Object>> services = new ArrayList<>();
        served.forEach((version, weight) -> {
            if (weight == 0) {
                return;
            }
            Map<String, Object> service = new LinkedHashMap<>();
            service.put("name", model + "-" + version);
            service.put("kind", "Service");
            service.put("port", SERVICE_PORT);
            service.put("weight", weight);
            services.add(service);
        });
        Map<String, Object> weighted = ordered("services", services);
        if (sticky) {
            weighted.put(
                    "sticky",
                    ordered("cookie", ordered("name", stickyCookie(model), "httpOnly", true, "sameSite", "lax")));
        }
        GenericKubernetesResource service =
                resource("TraefikService", model, namespace, model, ordered("weighted", weighted));
        service.getMetadata()
                .setAnnotations(new LinkedHashMap<>(Map.of(
                        APPLIED_ANNOTATION,
                        json(service.getAdditionalProperties().get("spec")),
                        REQUESTED_ANNOTATION,
                        json(new LinkedHashMap<>(requested)))));
        return service;
    }

    /**
     * The entry points, TLS and operator middlewares an IngressRoute was last given by model-deploy (its
     * {@link #APPLIED_ANNOTATION}); empty for an IngressRoute without it.
     */
    @SuppressWarnings("unchecked")
    static Optional<RouteOptions> appliedOptions(String model, GenericKubernetesResource route) {
        Map<String, String> annotations = route.getMetadata().getAnnotations();
        String json = annotations == null ? null : annotations.get(APPLIED_ANNOTATION);
        if (json == null) {
            return Optional.empty();
        }
        try {
            Map<String, Object> spec = io.fabric8.kubernetes.client.utils.Serialization.unmarshal(json, Map.class);
            List<String> entryPoints = new ArrayList<>();
            ((List<Object>) spec.getOrDefault("entryPoints", List.of()))
                    .forEach(e -> entryPoints.add(String.valueOf(e)));
            Optional<RouteOptions.Tls> tls = Optional.empty();
            if (spec.get("tls") instanceof Map<?, ?> t) {
                tls = Optional.of(new RouteOptions.Tls(
                        Optional.ofNullable((String) t.get("secretName")),
                        Optional.ofNullable((String) t.get("certResolver"))));
            }
            List<RouteOptions.MiddlewareRef> middlewares = new ArrayList<>();
            for (Object item : (List<Object>) spec.getOrDefault("routes", List.of())) {
                Map<String, Object> routeMap = (Map<String, Object>) item;
                for (Object m : (List<Object>) routeMap.getOrDefault("middlewares", List.of())) {
                    Map<String, Object> ref = (Map<String, Object>) m;
                    String name = (String) ref.get("name");
                    if (!name.equals(model + "-strip")
                                    && !name.matches(java.util.regex.Pattern.quote(model) + "-.*-strip")
                            || ref.get("namespace") != null) {
                        middlewares.add(new RouteOptions.MiddlewareRef(
                                name, Optional.ofNullable((String) ref.get("namespace"))));
                    }
                }
                break; // every route has the same chain; the first tells
            }
            return Optional.of(new RouteOptions(entryPoints, tls, middlewares));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    static String json(Object value) {
        return io.fabric8.kubernetes.client.utils.Serialization.asJson(value);
    }

    private static GenericKubernetesResource stripPrefix(String name, String namespace, String model, String prefix) {
        return resource(
                "Middleware", name, namespace, model, ordered("stripPrefix", ordered("prefixes", List.of(prefix))));
    }

    /** Maps keep the order written, so that rendered YAML is the same on every run. */
    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static Map<String, Object> route(
            String rule, List<RouteOptions.MiddlewareRef> middlewares, Map<String, Object> service) {
        Map<String, Object> route = new LinkedHashMap<>();
        route.put("kind", "Rule");
        route.put("match", rule);
        List<Map<String, Object>> refs = new ArrayList<>();
        for (RouteOptions.MiddlewareRef ref : middlewares) {
            Map<String, Object> item = ordered("name", ref.name());
            ref.namespace().ifPresent(ns -> item.put("namespace", ns));
            refs.add(item);
        }
        route.put("middlewares", refs);
        route.put("services", List.of(service));
        return route;
    }

    /** Traefik v3 rule; a version path is longer than the stable one, so Traefik's default priority prefers it. */
    static String rule(Optional<String> host, String prefix) {
        String path = "(Path(`" + prefix + "`) || PathPrefix(`" + prefix + "/`))";
        return host.map(h -> "Host(`" + h + "`) && " + path).orElse(path);
    }

    private static GenericKubernetesResource resource(
            String kind, String name, String namespace, String model, Map<String, Object> spec) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(NAME_LABEL, model);
        labels.put(MANAGED_BY_LABEL, MANAGER);
        return new GenericKubernetesResourceBuilder()
                .withApiVersion(API_VERSION)
                .withKind(kind)
                .withMetadata(new ObjectMetaBuilder()
                        .withName(name)
                        .withNamespace(namespace)
                        .withLabels(labels)
                        .build())
                .withAdditionalProperties(ordered("spec", spec))
                .build();
    }

    /**
     * Where a Traefik kind lives in the API. Given explicitly so that the client needs no API discovery request
     * (which the mock API server cannot answer for CRDs it was not told about, and which costs a round trip).
     */
    public static ResourceDefinitionContext context(String kind) {
        String plural =
                switch (kind) {
                    case "Middleware" -> "middlewares";
                    case "TraefikService" -> "traefikservices";
                    case "IngressRoute" -> "ingressroutes";
                    default -> throw new IllegalArgumentException("not a Traefik kind this project uses: " + kind);
                };
        return new ResourceDefinitionContext.Builder()
                .withGroup("traefik.io")
                .withVersion("v1alpha1")
                .withKind(kind)
                .withPlural(plural)
                .withNamespaced(true)
                .build();
    }
}
