package io.jenkins.plugins.modeldeploy.route;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.URI;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Routes with Traefik's CRDs (traefik.io/v1alpha1): per-version IngressRoute rules and stripPrefix Middlewares, and a
 * weighted TraefikService behind the stable path. A weight change is one write of the TraefikService, so Traefik
 * switches the whole split at once.
 */
public final class TraefikRouter implements TrafficRouter {
    static final int CONFLICT_RETRIES = 5;
    private static final ObjectApplier.Ownership OWNED =
            ObjectApplier.Ownership.of(List.of("spec"), List.of("metadata.labels", "metadata.annotations"));

    private final KubernetesClient client;
    private final String namespace;
    private final Optional<String> host;
    private final URI base;
    private final ObjectApplier applier;

    /**
     * @param base where clients reach Traefik: {@code http://host} when a host is routed, else the in-cluster address
     *             of Traefik's Service
     */
    public TraefikRouter(KubernetesClient client, String namespace, Optional<String> host, URI base) {
        this.client = Objects.requireNonNull(client, "client");
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.host = Objects.requireNonNull(host, "host");
        this.base = Objects.requireNonNull(base, "base");
        this.applier = new ObjectApplier(client, CONFLICT_RETRIES);
    }

    @Override
    public void reconcile(String model, Collection<String> versions) throws RoutingException {
        if (versions.isEmpty()) {
            throw new RoutingException("no versions of " + model + " to route in namespace " + namespace);
        }
        List<String> ordered = List.copyOf(versions);
        Map<String, Integer> current = currentWeights(model);
        Map<String, Integer> kept = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> entry : current.entrySet()) {
            if (ordered.contains(entry.getKey())) {
                kept.put(entry.getKey(), entry.getValue());
            } else if (entry.getValue() > 0) {
                throw new RoutingException("version " + entry.getKey() + " of " + model + " still carries "
                        + entry.getValue() + "% of " + namespace + "/TraefikService/" + model
                        + "; move its traffic with setWeights before removing its route");
            }
        }
        // A new model: the stable path sends everything to the first version given (the production one).
        Map<String, Integer> weights = kept.isEmpty() ? Map.of(ordered.get(0), 100) : kept;
        for (GenericKubernetesResource object : TraefikRoutes.render(model, namespace, host, ordered, weights)) {
            apply(object);
        }
        deleteStaleMiddlewares(model, ordered);
    }

    private void deleteStaleMiddlewares(String model, List<String> versions) throws RoutingException {
        try {
            for (GenericKubernetesResource middleware : client.genericKubernetesResources(
                            TraefikRoutes.context("Middleware"))
                    .inNamespace(namespace)
                    .withLabel(TraefikRoutes.NAME_LABEL, model)
                    .withLabel(TraefikRoutes.MANAGED_BY_LABEL, TraefikRoutes.MANAGER)
                    .list()
                    .getItems()) {
                String name = middleware.getMetadata().getName();
                boolean wanted = name.equals(model + "-strip")
                        || versions.stream().anyMatch(v -> name.equals(model + "-" + v + "-strip"));
                if (!wanted) {
                    client.genericKubernetesResources(TraefikRoutes.context("Middleware"))
                            .inNamespace(namespace)
                            .withName(name)
                            .delete();
                }
            }
        } catch (KubernetesClientException e) {
            throw new RoutingException(
                    namespace + "/Middleware (model " + model + "): HTTP " + e.getCode() + " " + e.getMessage(), e);
        }
    }

    @Override
    public void setWeights(String model, Map<String, Integer> weights) throws RoutingException {
        Map<String, Integer> checked = Weights.checked(model, weights);
        if (get(model) == null) {
            throw new RoutingException(namespace + "/TraefikService/" + model + " does not exist; reconcile the"
                    + " routes of " + model + " first");
        }
        apply(TraefikRoutes.weightedService(model, namespace, checked));
    }

    @Override
    public Map<String, Integer> currentWeights(String model) throws RoutingException {
        GenericKubernetesResource service = get(model);
        return service == null ? Map.of() : weightsOf(model, service);
    }

    /** The split a TraefikService holds, version to weight (the catalog reads it from its cache with this). */
    @SuppressWarnings("unchecked")
    public static Map<String, Integer> weightsOf(String model, GenericKubernetesResource service) {
        Map<String, Integer> weights = new LinkedHashMap<>();
        Object spec = service.getAdditionalProperties().get("spec");
        if (!(spec instanceof Map<?, ?> specMap)
                || !(specMap.get("weighted") instanceof Map<?, ?> weighted)
                || !(weighted.get("services") instanceof List<?> services)) {
            return weights;
        }
        for (Object item : services) {
            Map<String, Object> entry = (Map<String, Object>) item;
            String name = String.valueOf(entry.get("name"));
            String version = name.startsWith(model + "-") ? name.substring(model.length() + 1) : name;
            Object weight = entry.get("weight");
            weights.put(version, weight instanceof Number n ? n.intValue() : 1); // Traefik's default weight is 1
        }
        return weights;
    }

    @Override
    public URI stableEndpoint(String model) {
        return Endpoints.stable(base, model);
    }

    @Override
    public URI versionEndpoint(String model, String version) {
        return Endpoints.version(base, model, version);
    }

    /** Deletes the model's IngressRoute, TraefikService and Middlewares — only those model-deploy manages. */
    @Override
    public void remove(String model) throws RoutingException {
        for (String kind : List.of("IngressRoute", "TraefikService", "Middleware")) {
            try {
                var objects = client.genericKubernetesResources(TraefikRoutes.context(kind))
                        .inNamespace(namespace);
                for (GenericKubernetesResource object : objects.withLabel(TraefikRoutes.NAME_LABEL, model)
                        .withLabel(TraefikRoutes.MANAGED_BY_LABEL, TraefikRoutes.MANAGER)
                        .list()
                        .getItems()) {
                    objects.withName(object.getMetadata().getName()).delete();
                }
            } catch (KubernetesClientException e) {
                throw new RoutingException(
                        namespace + "/" + kind + " (model " + model + "): HTTP " + e.getCode()
                                + " " + e.getMessage()
                                + (e.getCode() == 404
                                        ? " (are Traefik's CRDs installed? see" + " docs/traefik.md)"
                                        : ""),
                        e);
            }
        }
    }

    private GenericKubernetesResource get(String model) throws RoutingException {
        try {
            return client.genericKubernetesResources(TraefikRoutes.context("TraefikService"))
                    .inNamespace(namespace)
                    .withName(model)
                    .get();
        } catch (KubernetesClientException e) {
            throw new RoutingException(
                    namespace + "/TraefikService/" + model + ": HTTP " + e.getCode() + " "
                            + e.getMessage()
                            + (e.getCode() == 404 ? " (are Traefik's CRDs installed? see docs/traefik.md)" : ""),
                    e);
        }
    }

    private void apply(GenericKubernetesResource object) throws RoutingException {
        try {
            applier.apply(TraefikRoutes.context(object.getKind()), object, OWNED);
        } catch (ObjectApplyException e) {
            throw new RoutingException(e.getMessage(), e);
        }
    }
}
