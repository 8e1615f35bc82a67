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
    static final int SERVICE_PORT = 80;

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
        objects.add(ingressRoute(model, namespace, host, versions));
        return objects;
    }

    /** The TraefikService alone: what a weight change patches. */
    public static GenericKubernetesResource weightedService(
            String model, String namespace, Map<String, Integer> weights) {
        List<Map<String, Object>> services = new ArrayList<>();
        weights.forEach((version, weight) -> {
            Map<String, Object> service = new LinkedHashMap<>();
            service.put("name", model + "-" + version);
            service.put("kind", "Service");
            service.put("port", SERVICE_PORT);
            service.put("weight", weight);
            services.add(service);
        });
        return resource("TraefikService", model, namespace, model, ordered("weighted", ordered("services", services)));
    }

    private static GenericKubernetesResource stripPrefix(String name, String namespace, String model, String prefix) {
        return resource(
                "Middleware", name, namespace, model, ordered("stripPrefix", ordered("prefixes", List.of(prefix))));
    }

    private static GenericKubernetesResource ingressRoute(
            String model, String namespace, Optional<String> host, List<String> versions) {
        List<Map<String, Object>> routes = new ArrayList<>();
        for (String version : versions) {
            routes.add(route(
                    rule(host, "/models/" + model + "/" + version),
                    model + "-" + version + "-strip",
                    ordered("name", model + "-" + version, "kind", "Service", "port", SERVICE_PORT)));
        }
        routes.add(route(
                rule(host, "/models/" + model), model + "-strip", ordered("name", model, "kind", "TraefikService")));
        return resource(
                "IngressRoute", model, namespace, model, ordered("entryPoints", List.of("web"), "routes", routes));
    }

    /** Maps keep the order written, so that rendered YAML is the same on every run. */
    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static Map<String, Object> route(String rule, String middleware, Map<String, Object> service) {
        Map<String, Object> route = new LinkedHashMap<>();
        route.put("kind", "Rule");
        route.put("match", rule);
        route.put("middlewares", List.of(ordered("name", middleware)));
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
