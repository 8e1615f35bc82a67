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
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Routes with Traefik's CRDs (traefik.io/v1alpha1): per-version IngressRoute rules and stripPrefix Middlewares, and a
 * weighted TraefikService behind the stable path. A weight change is one write of the TraefikService, so Traefik
 * switches the whole split at once. Only the fields the tool needs are written ({@link TraefikMerge}); versions with
 * weight 0 or without a ready endpoint are left out of the weighted service, so that they cannot empty it.
 */
public final class TraefikRouter implements TrafficRouter {
    static final int CONFLICT_RETRIES = 5;
    private static final System.Logger LOG = System.getLogger(TraefikRouter.class.getName());

    private final KubernetesClient client;
    private final String namespace;
    private final Optional<String> host;
    private final URI base;
    private final ObjectApplier applier;
    private final RouteOptions clusterOptions;
    private final Function<String, Optional<RouteOptions>> modelOptions;
    private final ObjectApplier.Mode mode;
    private final Consumer<String> notices;
    private final EndpointReadiness readiness;

    /**
     * @param base where clients reach Traefik: {@code http://host} when a host is routed, else the in-cluster address
     *             of Traefik's Service
     */
    public TraefikRouter(KubernetesClient client, String namespace, Optional<String> host, URI base) {
        this(
                client,
                namespace,
                host,
                base,
                RouteOptions.DEFAULTS,
                m -> Optional.empty(),
                ObjectApplier.Mode.OWNED_FIELDS,
                message -> LOG.log(System.Logger.Level.WARNING, message));
    }

    /**
     * @param clusterOptions entry points, TLS and middlewares of the cluster
     * @param modelOptions   a model's own options (its model.yaml {@code route:} over the cluster's), when the caller
     *                       knows them; empty: keep what the IngressRoute was last given (a command that does not
     *                       read model.yaml must not undo the model's TLS), else the cluster's
     * @param mode           owned-field GET+PUT (works everywhere) or server-side apply (a real API server)
     * @param notices        where a version left out of the weighted service is reported (the build log)
     */
    public TraefikRouter(
            KubernetesClient client,
            String namespace,
            Optional<String> host,
            URI base,
            RouteOptions clusterOptions,
            Function<String, Optional<RouteOptions>> modelOptions,
            ObjectApplier.Mode mode,
            Consumer<String> notices) {
        this.client = Objects.requireNonNull(client, "client");
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.host = Objects.requireNonNull(host, "host");
        this.base = Objects.requireNonNull(base, "base");
        this.clusterOptions = Objects.requireNonNull(clusterOptions, "clusterOptions");
        this.modelOptions = Objects.requireNonNull(modelOptions, "modelOptions");
        this.mode = Objects.requireNonNull(mode, "mode");
        this.notices = Objects.requireNonNull(notices, "notices");
        this.applier = new ObjectApplier(client, CONFLICT_RETRIES);
        this.readiness = new EndpointReadiness(client, namespace);
    }

    @Override
    public void reconcile(String model, Collection<String> versions) throws RoutingException {
        if (versions.isEmpty()) {
            throw new RoutingException("no versions of " + model + " to route in namespace " + namespace);
        }
        List<String> ordered = List.copyOf(versions);
        GenericKubernetesResource live = get(model);
        Map<String, Integer> served = live == null ? Map.of() : weightsOf(model, live);
        for (Map.Entry<String, Integer> entry : served.entrySet()) {
            if (!ordered.contains(entry.getKey()) && entry.getValue() > 0) {
                throw new RoutingException("version " + entry.getKey() + " of " + model + " still carries "
                        + entry.getValue() + "% of " + namespace + "/TraefikService/" + model
                        + "; move its traffic with setWeights before removing its route");
            }
        }
        // The split asked for last (it may hold versions left out for having no ready endpoint: they come back now
        // if they are ready), without the versions no longer routed; their share goes to the largest.
        Map<String, Integer> kept = new LinkedHashMap<>();
        int orphaned = 0;
        for (Map.Entry<String, Integer> entry :
                (live == null ? Map.<String, Integer>of() : requestedOf(model, live)).entrySet()) {
            if (ordered.contains(entry.getKey())) {
                kept.put(entry.getKey(), entry.getValue());
            } else {
                orphaned += entry.getValue();
            }
        }
        if (kept.values().stream().noneMatch(w -> w > 0)) {
            // A new model: the stable path sends everything to the first version given (the production one).
            kept = new LinkedHashMap<>(Map.of(ordered.get(0), 100));
        } else if (orphaned > 0) {
            String largest = kept.entrySet().stream()
                    .max(Map.Entry.comparingByValue())
                    .orElseThrow()
                    .getKey();
            kept.merge(largest, orphaned, Integer::sum);
        }
        RouteOptions options = optionsFor(model);
        Map<String, Integer> servable = servable(model, kept);
        boolean sticky = live != null && stickyOf(live);
        GenericKubernetesResource mirror = ourMirror(model);
        String shadow = mirror == null ? null : mirroredVersion(model, mirror);
        boolean mirrored = shadow != null && ordered.contains(shadow);
        if (mirrored && !readiness.ready(model + "-" + shadow).orElse(true)) {
            notices.accept("shadow version " + shadow + " of " + model + " has no ready endpoint (Service " + namespace
                    + "/" + model + "-" + shadow + "): its mirror is removed so that it cannot take "
                    + namespace + "/IngressRoute/" + model + "'s stable route down; set it again once it is ready");
            mirrored = false;
        }
        for (GenericKubernetesResource object :
                TraefikRoutes.render(model, namespace, host, ordered, servable, options)) {
            if (object.getKind().equals("TraefikService")) {
                object = TraefikRoutes.weightedService(model, namespace, kept, servable, sticky);
            } else if (object.getKind().equals("IngressRoute")) {
                // a shadow test in progress keeps its mirror, unless its shadow is no longer routed
                object = TraefikRoutes.ingressRoute(
                        model,
                        namespace,
                        host,
                        ordered,
                        options,
                        mirrored ? model + TraefikRoutes.MIRROR_SUFFIX : model);
            }
            apply(model, object);
        }
        if (mirror != null && !mirrored) {
            deleteService(model + TraefikRoutes.MIRROR_SUFFIX);
        }
        deleteStaleMiddlewares(model, ordered);
    }

    /** Whether the live weighted service carries the sticky cookie model-deploy set ({@link #setSticky}). */
    @SuppressWarnings("unchecked")
    static boolean stickyOf(GenericKubernetesResource service) {
        Map<String, String> annotations = service.getMetadata().getAnnotations();
        String json = annotations == null ? null : annotations.get(TraefikRoutes.APPLIED_ANNOTATION);
        if (json == null) {
            return false;
        }
        try {
            Map<String, Object> spec = io.fabric8.kubernetes.client.utils.Serialization.unmarshal(json, Map.class);
            return spec.get("weighted") instanceof Map<?, ?> weighted && weighted.get("sticky") != null;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The version a mirroring service copies requests to, or null. */
    @SuppressWarnings("unchecked")
    public static String mirroredVersion(String model, GenericKubernetesResource mirror) {
        if (mirror.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec
                && spec.get("mirroring") instanceof Map<?, ?> mirroring
                && mirroring.get("mirrors") instanceof List<?> mirrors
                && !mirrors.isEmpty()
                && mirrors.get(0) instanceof Map<?, ?> first
                && first.get("name") instanceof String name
                && name.startsWith(model + "-")) {
            return name.substring(model.length() + 1);
        }
        return null;
    }

    /**
     * Keeps clients on one variant by Traefik's sticky cookie {@code model-deploy-<model>} on the weighted service
     * (see {@link TraefikRoutes#weightedService(String, String, Map, Map, boolean)}); Traefik cannot hash a header's
     * value, so {@code header} only says whether: clients stay by the cookie. Weight changes keep it; empty removes it.
     */
    @Override
    public void setSticky(String model, Optional<String> header) throws RoutingException {
        GenericKubernetesResource live = get(model);
        if (live == null) {
            if (header.isEmpty()) {
                return;
            }
            throw new RoutingException(namespace + "/TraefikService/" + model + " does not exist; reconcile the"
                    + " routes of " + model + " first");
        }
        Map<String, Integer> requested = requestedOf(model, live);
        apply(
                model,
                TraefikRoutes.weightedService(
                        model, namespace, requested, servable(model, requested), header.isPresent()));
    }

    /**
     * Points the stable route at the mirroring TraefikService {@code <model>-mirror} ({@link
     * TraefikRoutes#mirrorService}), which sends every request to the weighted service and a copy of {@code percent}%
     * to {@code shadow}'s Service; Traefik discards the copies' answers.
     */
    @Override
    public void setMirror(String model, String shadow, int percent) throws RoutingException {
        if (get(model) == null) {
            throw new RoutingException(namespace + "/TraefikService/" + model + " does not exist; reconcile the"
                    + " routes of " + model + " first");
        }
        List<String> versions = routedVersions(model);
        if (!versions.contains(shadow)) {
            throw new RoutingException("version " + shadow + " of " + model + " has no route in " + namespace
                    + "/IngressRoute/" + model + " (routed: " + versions + "); reconcile its routes before mirroring");
        }
        GenericKubernetesResource existing = getService(model + TraefikRoutes.MIRROR_SUFFIX);
        if (existing != null
                && (existing.getMetadata().getLabels() == null
                        || !model.equals(existing.getMetadata().getLabels().get(TraefikRoutes.NAME_LABEL)))) {
            // a model named "<model>-mirror" has its weighted service under that name
            throw new RoutingException(namespace + "/TraefikService/" + model + TraefikRoutes.MIRROR_SUFFIX
                    + " exists and is not the mirror of " + model + " (label " + TraefikRoutes.NAME_LABEL + "="
                    + (existing.getMetadata().getLabels() == null
                            ? null
                            : existing.getMetadata().getLabels().get(TraefikRoutes.NAME_LABEL))
                    + "); cannot mirror " + model);
        }
        if (!readiness.ready(model + "-" + shadow).orElse(true)) {
            // Traefik builds a mirror like any service: with allowEmptyServices=false one without endpoints fails the
            // mirroring TraefikService, and the stable route that names it with it (as for a weighted child above).
            throw new RoutingException("version " + shadow + " of " + model + " has no ready endpoint (Service "
                    + namespace + "/" + model + "-" + shadow + "); mirroring to it could take the stable route down");
        }
        apply(model, TraefikRoutes.mirrorService(model, namespace, shadow, percent));
        apply(
                model,
                TraefikRoutes.ingressRoute(
                        model, namespace, host, versions, optionsFor(model), model + TraefikRoutes.MIRROR_SUFFIX));
    }

    /** The stable route back on the weighted service, then the mirroring service deleted. */
    @Override
    public void clearMirror(String model) throws RoutingException {
        if (ourMirror(model) == null) {
            return;
        }
        List<String> versions = routedVersions(model);
        if (!versions.isEmpty()) {
            apply(model, TraefikRoutes.ingressRoute(model, namespace, host, versions, optionsFor(model), model));
        }
        deleteService(model + TraefikRoutes.MIRROR_SUFFIX);
    }

    /**
     * The model's mirroring TraefikService, or null: {@code <model>-mirror} labelled with the model and mirroring
     * (a model named {@code <model>-mirror} has its weighted service under the same name; that one is not ours here).
     */
    private GenericKubernetesResource ourMirror(String model) throws RoutingException {
        GenericKubernetesResource service = getService(model + TraefikRoutes.MIRROR_SUFFIX);
        if (service == null
                || service.getMetadata().getLabels() == null
                || !model.equals(service.getMetadata().getLabels().get(TraefikRoutes.NAME_LABEL))
                || !(service.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec)
                || spec.get("mirroring") == null) {
            return null;
        }
        return service;
    }

    /** The versions the live IngressRoute has a version path for (as {@link TraefikRoutes} renders them). */
    @SuppressWarnings("unchecked")
    List<String> routedVersions(String model) throws RoutingException {
        GenericKubernetesResource route;
        try {
            route = client.genericKubernetesResources(TraefikRoutes.context("IngressRoute"))
                    .inNamespace(namespace)
                    .withName(model)
                    .get();
        } catch (KubernetesClientException e) {
            throw new RoutingException(namespace + "/IngressRoute/" + model + ": " + ApiErrors.describe(e, client), e);
        }
        List<String> versions = new java.util.ArrayList<>();
        if (route == null
                || !(route.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec)
                || !(spec.get("routes") instanceof List<?> routes)) {
            return versions;
        }
        for (Object item : routes) {
            if (item instanceof Map<?, ?> r
                    && r.get("services") instanceof List<?> services
                    && services.size() == 1
                    && services.get(0) instanceof Map<?, ?> service
                    && "Service".equals(service.get("kind"))
                    && service.get("name") instanceof String name
                    && name.startsWith(model + "-")) {
                String version = name.substring(model.length() + 1);
                if (TraefikRoutes.rule(host, "/models/" + model + "/" + version).equals(r.get("match"))
                        && !versions.contains(version)) {
                    versions.add(version);
                }
            }
        }
        return versions;
    }

    /** The model's options: given by the caller, else those the live IngressRoute was last given, else the cluster's. */
    private RouteOptions optionsFor(String model) throws RoutingException {
        Optional<RouteOptions> given = modelOptions.apply(model);
        if (given.isPresent()) {
            return given.get();
        }
        try {
            GenericKubernetesResource route = client.genericKubernetesResources(TraefikRoutes.context("IngressRoute"))
                    .inNamespace(namespace)
                    .withName(model)
                    .get();
            return Optional.ofNullable(route)
                    .flatMap(r -> TraefikRoutes.appliedOptions(model, r))
                    .orElse(clusterOptions);
        } catch (KubernetesClientException e) {
            throw new RoutingException(namespace + "/IngressRoute/" + model + ": " + ApiErrors.describe(e, client), e);
        }
    }

    /**
     * The split Traefik can serve: {@code requested} without weight-0 versions and without versions whose Service has
     * no ready endpoint (with Traefik's default {@code allowEmptyServices=false}, one such child makes Traefik drop the
     * whole TraefikService: 100 % of the stable path fails, not the child's share; fluxcd/flagger#736). The share of a
     * version left out goes to the others in proportion, so the result still sums to 100. When no version with weight
     * is ready, the split is kept as asked: there is nothing to protect, and the versions serve as soon as they are.
     */
    Map<String, Integer> servable(String model, Map<String, Integer> requested) {
        Map<String, Integer> weighted = new LinkedHashMap<>();
        requested.forEach((version, weight) -> {
            if (weight > 0) {
                weighted.put(version, weight);
            }
        });
        Map<String, Integer> ready = new LinkedHashMap<>();
        List<String> empty = new java.util.ArrayList<>();
        weighted.forEach((version, weight) -> {
            if (readiness.ready(model + "-" + version).orElse(true)) {
                ready.put(version, weight);
            } else {
                empty.add(version);
            }
        });
        if (empty.isEmpty()) {
            return weighted;
        }
        if (ready.isEmpty()) {
            notices.accept("no version of " + model + " with weight has a ready endpoint (" + empty + "); " + namespace
                    + "/TraefikService/" + model + " keeps the split " + weighted);
            return weighted;
        }
        Map<String, Integer> servable = Weights.redistribute(ready);
        for (String version : empty) {
            notices.accept("version " + version + " of " + model + " has no ready endpoint (Service " + namespace + "/"
                    + model + "-" + version + "): left out of " + namespace + "/TraefikService/" + model
                    + ", its " + weighted.get(version) + "% goes to " + servable
                    + " until it is ready and the routes are reconciled");
        }
        return servable;
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
                    namespace + "/Middleware (model " + model + "): " + ApiErrors.describe(e, client), e);
        }
    }

    @Override
    public void setWeights(String model, Map<String, Integer> weights) throws RoutingException {
        Map<String, Integer> checked = Weights.checked(model, weights);
        GenericKubernetesResource live = get(model);
        if (live == null) {
            throw new RoutingException(namespace + "/TraefikService/" + model + " does not exist; reconcile the"
                    + " routes of " + model + " first");
        }
        apply(
                model,
                TraefikRoutes.weightedService(model, namespace, checked, servable(model, checked), stickyOf(live)));
    }

    /**
     * The split last asked for (annotation {@link TraefikRoutes#REQUESTED_ANNOTATION}), or the served one on an object
     * written before it existed.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Integer> requestedOf(String model, GenericKubernetesResource service) {
        Map<String, String> annotations = service.getMetadata().getAnnotations();
        String json = annotations == null ? null : annotations.get(TraefikRoutes.REQUESTED_ANNOTATION);
        if (json != null) {
            try {
                Map<String, Object> parsed =
                        io.fabric8.kubernetes.client.utils.Serialization.unmarshal(json, Map.class);
                Map<String, Integer> requested = new LinkedHashMap<>();
                parsed.forEach((k, v) -> requested.put(k, ((Number) v).intValue()));
                return requested;
            } catch (RuntimeException e) {
                // edited into something else by hand: what is served is the best guess
            }
        }
        return weightsOf(model, service);
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
                        namespace + "/" + kind + " (model " + model + "): " + ApiErrors.describe(e, client)
                                + (e.getCode() == 404
                                        ? " (are Traefik's CRDs installed? see" + " docs/traefik.md)"
                                        : ""),
                        e);
            }
        }
    }

    private GenericKubernetesResource get(String model) throws RoutingException {
        return getService(model);
    }

    private void deleteService(String name) throws RoutingException {
        try {
            client.genericKubernetesResources(TraefikRoutes.context("TraefikService"))
                    .inNamespace(namespace)
                    .withName(name)
                    .delete();
        } catch (KubernetesClientException e) {
            throw new RoutingException(namespace + "/TraefikService/" + name + ": " + ApiErrors.describe(e, client), e);
        }
    }

    private GenericKubernetesResource getService(String name) throws RoutingException {
        try {
            return client.genericKubernetesResources(TraefikRoutes.context("TraefikService"))
                    .inNamespace(namespace)
                    .withName(name)
                    .get();
        } catch (KubernetesClientException e) {
            throw new RoutingException(
                    namespace + "/TraefikService/" + name + ": " + ApiErrors.describe(e, client)
                            + (e.getCode() == 404 ? " (are Traefik's CRDs installed? see docs/traefik.md)" : ""),
                    e);
        }
    }

    private void apply(String model, GenericKubernetesResource object) throws RoutingException {
        try {
            if (mode == ObjectApplier.Mode.SERVER_SIDE_APPLY) {
                // The weights are the tool's decision (a rollback must not fail on them), as Argo Rollouts always
                // writes its weights: forced. Routes and middlewares are not: a conflict names the other manager
                // and the field instead of silently taking an operator's edit over (docs/traefik.md).
                applier.serverSideApply(
                        TraefikRoutes.context(object.getKind()),
                        object,
                        object.getKind().equals("TraefikService"));
            } else {
                applier.apply(
                        TraefikRoutes.context(object.getKind()), object, TraefikMerge.forKind(object.getKind(), model));
            }
        } catch (ObjectApplyException e) {
            throw new RoutingException(e.getMessage(), e);
        }
    }
}
