package io.jenkins.plugins.modeldeploy.route;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPathBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Routes with a plain {@code networking.k8s.io/v1} Ingress {@code m}, for clusters without Traefik's CRDs: a Prefix
 * path {@code /models/m/v} per version and the stable path {@code /models/m} to exactly one version (the longest
 * matching path wins, so a version path beats the stable one). An Ingress has no weights, so an A/B split is
 * impossible here: {@link #setWeights} accepts only one version at 100 and says so otherwise. The Ingress API has no
 * portable prefix stripping either: the model sees the full path unless the controller is told to rewrite (for
 * example ingress-nginx's rewrite-target annotation), see docs/traefik.md.
 */
public final class IngressRouter implements TrafficRouter {
    static final String PRODUCTION_ANNOTATION = "model-deploy.jenkins.io/stable-version";
    private static final ObjectApplier.Ownership OWNED = ObjectApplier.Ownership.of(
            List.of("spec.rules", "spec.ingressClassName"), List.of("metadata.labels", "metadata.annotations"));

    private final KubernetesClient client;
    private final String namespace;
    private final Optional<String> host;
    private final Optional<String> ingressClassName;
    private final URI base;
    private final ObjectApplier applier;

    public IngressRouter(
            KubernetesClient client,
            String namespace,
            Optional<String> host,
            Optional<String> ingressClassName,
            URI base) {
        this.client = Objects.requireNonNull(client, "client");
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.host = Objects.requireNonNull(host, "host");
        this.ingressClassName = Objects.requireNonNull(ingressClassName, "ingressClassName");
        this.base = Objects.requireNonNull(base, "base");
        this.applier = new ObjectApplier(client, TraefikRouter.CONFLICT_RETRIES);
    }

    @Override
    public void reconcile(String model, Collection<String> versions) throws RoutingException {
        if (versions.isEmpty()) {
            throw new RoutingException("no versions of " + model + " to route in namespace " + namespace);
        }
        List<String> ordered = List.copyOf(versions);
        Ingress live = get(model);
        Optional<String> stable = live == null ? Optional.empty() : stableVersion(live);
        if (stable.isPresent() && !ordered.contains(stable.get())) {
            throw new RoutingException("version " + stable.get() + " of " + model + " serves the stable path of "
                    + namespace + "/Ingress/" + model + "; route another version there before removing it");
        }
        apply(render(model, ordered, stable.orElse(ordered.get(0))));
    }

    @Override
    public void setWeights(String model, Map<String, Integer> weights) throws RoutingException {
        Map<String, Integer> checked = Weights.checked(model, weights);
        List<String> serving = checked.entrySet().stream()
                .filter(e -> e.getValue() > 0)
                .map(Map.Entry::getKey)
                .toList();
        if (serving.size() != 1) {
            throw new RoutingException("weighted splits need Traefik CRD mode (route mode TRAEFIK): a plain Ingress"
                    + " routes the stable path of " + model + " to exactly one version, asked for " + checked);
        }
        Ingress live = get(model);
        if (live == null) {
            throw new RoutingException(
                    namespace + "/Ingress/" + model + " does not exist; reconcile the routes of " + model + " first");
        }
        List<String> versions = versionsOf(model, live);
        if (!versions.contains(serving.get(0))) {
            throw new RoutingException("version " + serving.get(0) + " of " + model + " has no route in " + namespace
                    + "/Ingress/" + model + " (routed: " + versions + ")");
        }
        apply(render(model, versions, serving.get(0)));
    }

    @Override
    public Map<String, Integer> currentWeights(String model) throws RoutingException {
        Ingress live = get(model);
        return live == null
                ? Map.of()
                : stableVersion(live).map(v -> Map.of(v, 100)).orElse(Map.of());
    }

    @Override
    public URI stableEndpoint(String model) {
        return Endpoints.stable(base, model);
    }

    @Override
    public URI versionEndpoint(String model, String version) {
        return Endpoints.version(base, model, version);
    }

    /** Deletes the model's Ingress, when model-deploy manages it. */
    @Override
    public void remove(String model) throws RoutingException {
        Ingress live = get(model);
        if (live == null) {
            return;
        }
        Map<String, String> labels = live.getMetadata().getLabels();
        if (labels == null || !TraefikRoutes.MANAGER.equals(labels.get(TraefikRoutes.MANAGED_BY_LABEL))) {
            throw new RoutingException(namespace + "/Ingress/" + model + " is not managed by model-deploy (no label "
                    + TraefikRoutes.MANAGED_BY_LABEL + "=" + TraefikRoutes.MANAGER + "); left in place");
        }
        try {
            client.network()
                    .v1()
                    .ingresses()
                    .inNamespace(namespace)
                    .withName(model)
                    .delete();
        } catch (KubernetesClientException e) {
            throw new RoutingException(namespace + "/Ingress/" + model + ": " + ApiErrors.describe(e, client), e);
        }
    }

    Ingress render(String model, List<String> versions, String stable) {
        List<HTTPIngressPath> paths = new ArrayList<>();
        for (String version : versions) {
            paths.add(path("/models/" + model + "/" + version, model + "-" + version));
        }
        paths.add(path("/models/" + model, model + "-" + stable));
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(TraefikRoutes.NAME_LABEL, model);
        labels.put(TraefikRoutes.MANAGED_BY_LABEL, TraefikRoutes.MANAGER);
        return new IngressBuilder()
                .withNewMetadata()
                .withName(model)
                .withNamespace(namespace)
                .withLabels(labels)
                .withAnnotations(Map.of(PRODUCTION_ANNOTATION, stable))
                .endMetadata()
                .withNewSpec()
                .withIngressClassName(ingressClassName.orElse(null))
                .addNewRule()
                .withHost(host.orElse(null))
                .withNewHttp()
                .withPaths(paths)
                .endHttp()
                .endRule()
                .endSpec()
                .build();
    }

    private static HTTPIngressPath path(String path, String service) {
        return new HTTPIngressPathBuilder()
                .withPath(path)
                .withPathType("Prefix")
                .withNewBackend()
                .withNewService()
                .withName(service)
                .withNewPort()
                .withNumber(TraefikRoutes.SERVICE_PORT)
                .endPort()
                .endService()
                .endBackend()
                .build();
    }

    private static Optional<String> stableVersion(Ingress ingress) {
        Map<String, String> annotations = ingress.getMetadata().getAnnotations();
        return Optional.ofNullable(annotations == null ? null : annotations.get(PRODUCTION_ANNOTATION));
    }

    private static List<String> versionsOf(String model, Ingress ingress) {
        List<String> versions = new ArrayList<>();
        String prefix = "/models/" + model + "/";
        for (IngressRule rule : ingress.getSpec().getRules()) {
            for (HTTPIngressPath path : rule.getHttp().getPaths()) {
                if (path.getPath().startsWith(prefix)) {
                    versions.add(path.getPath().substring(prefix.length()));
                }
            }
        }
        return versions;
    }

    private Ingress get(String model) throws RoutingException {
        try {
            return client.network()
                    .v1()
                    .ingresses()
                    .inNamespace(namespace)
                    .withName(model)
                    .get();
        } catch (KubernetesClientException e) {
            throw new RoutingException(namespace + "/Ingress/" + model + ": " + ApiErrors.describe(e, client), e);
        }
    }

    private void apply(Ingress ingress) throws RoutingException {
        try {
            applier.apply(
                    client.getKubernetesSerialization().convertValue(ingress, GenericKubernetesResource.class), OWNED);
        } catch (ObjectApplyException e) {
            throw new RoutingException(e.getMessage(), e);
        }
    }
}
