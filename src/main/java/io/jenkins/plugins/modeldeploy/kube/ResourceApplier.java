package io.jenkins.plugins.modeldeploy.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jenkins.plugins.modeldeploy.route.ApiErrors;
import io.jenkins.plugins.modeldeploy.route.ObjectApplier;
import io.jenkins.plugins.modeldeploy.route.ObjectApplier.Action;
import io.jenkins.plugins.modeldeploy.route.ObjectApplier.Ownership;
import io.jenkins.plugins.modeldeploy.route.ObjectApplyException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Applies the objects {@link ManifestRenderer} renders (Deployment, Service, HPA, PodDisruptionBudget), owning only
 * the fields it renders. In particular a Deployment's {@code spec.replicas} is written only when the model fixes its
 * replica count ({@code serving.scaling.replicas}): otherwise the HPA owns it, nothing is rendered there, and writing
 * it on every apply would undo the autoscaler (and, on a real cluster, scale pods down and up).
 */
public final class ResourceApplier {
    /** Concurrent writers (the HPA, the Deployment controller's status writes) rarely collide twice in a row. */
    static final int CONFLICT_RETRIES = 5;

    private static final List<String> METADATA = List.of("metadata.labels", "metadata.annotations");
    private static final Map<String, Ownership> OWNED = Map.of(
            // spec.replicas only when rendered (a fixed count; an unrendered path is left alone, so the HPA keeps
            // it otherwise), not status (the controller's). Template annotations are merged because
            // `kubectl rollout restart` and mutating webhooks put theirs there.
            "Deployment",
                    Ownership.of(
                            List.of(
                                    "spec.replicas",
                                    "spec.selector",
                                    "spec.strategy",
                                    "spec.progressDeadlineSeconds",
                                    "spec.revisionHistoryLimit",
                                    "spec.template.spec",
                                    "spec.template.metadata.labels"),
                            concat(METADATA, "spec.template.metadata.annotations")),
            // Not spec.clusterIP(s), ipFamilies, sessionAffinity...: the API server allocates or defaults them.
            "Service", Ownership.of(List.of("spec.type", "spec.selector", "spec.ports"), METADATA),
            "HorizontalPodAutoscaler",
                    Ownership.of(
                            List.of("spec.scaleTargetRef", "spec.minReplicas", "spec.maxReplicas", "spec.metrics"),
                            METADATA),
            "PodDisruptionBudget",
                    Ownership.of(
                            List.of("spec.maxUnavailable", "spec.selector", "spec.unhealthyPodEvictionPolicy"),
                            METADATA));

    /** What one apply did to one object. */
    public record Change(String kind, String name, Action action) {}

    private final KubernetesClient client;
    private final ObjectApplier applier;

    public ResourceApplier(KubernetesClient client) {
        this.client = client;
        this.applier = new ObjectApplier(client, CONFLICT_RETRIES);
    }

    /** Creates or updates each object in order; stops at the first failure, naming namespace/kind/name. */
    public List<Change> apply(List<HasMetadata> objects) throws KubernetesApplyException {
        List<Change> changes = new ArrayList<>();
        for (HasMetadata object : objects) {
            Ownership ownership = OWNED.get(object.getKind());
            if (ownership == null) {
                throw new IllegalArgumentException("no field ownership declared for kind " + object.getKind() + " ("
                        + ObjectApplier.describe(object) + ")");
            }
            GenericKubernetesResource generic =
                    client.getKubernetesSerialization().convertValue(object, GenericKubernetesResource.class);
            try {
                changes.add(new Change(
                        object.getKind(), object.getMetadata().getName(), applier.apply(generic, ownership)));
            } catch (ObjectApplyException e) {
                throw new KubernetesApplyException(e.getMessage(), e, changes);
            }
        }
        return List.copyOf(changes);
    }

    /**
     * The live objects with the names of {@code objects} (by kind; a kind absent from the map has no live object),
     * read before an apply so that a failed rollout can put back what was there.
     */
    public Map<String, GenericKubernetesResource> snapshot(List<HasMetadata> objects) throws KubernetesApplyException {
        Map<String, GenericKubernetesResource> live = new java.util.LinkedHashMap<>();
        for (HasMetadata object : objects) {
            try {
                GenericKubernetesResource found = resource(object.getApiVersion(), object.getKind(), object)
                        .get();
                if (found != null) {
                    live.put(object.getKind(), found);
                }
            } catch (KubernetesClientException e) {
                throw new KubernetesApplyException(
                        ObjectApplier.describe(object) + ": reading it before the apply failed: "
                                + ApiErrors.describe(e, client),
                        e);
            }
        }
        return live;
    }

    /**
     * Puts an object back as {@code previous} (from {@link #snapshot}) had it: for a Deployment its whole pod template
     * (so that the Deployment controller returns to the previous ReplicaSet, whose pod-template-hash matches again),
     * selector and strategy, and {@code spec.replicas} when it was 0 (a retired version stays retired); for the other
     * kinds the fields we own; and our labels and annotations exactly as they were (ours that it did not have are
     * removed; foreign ones are left alone). Recreated when it has been deleted meanwhile.
     */
    public void restore(GenericKubernetesResource previous) throws KubernetesApplyException {
        String what = ObjectApplier.describe(previous);
        var resource = resource(previous.getApiVersion(), previous.getKind(), previous);
        for (int attempt = 0; ; attempt++) {
            try {
                GenericKubernetesResource live = resource.get();
                if (live == null) {
                    GenericKubernetesResource fresh = new GenericKubernetesResource();
                    fresh.setApiVersion(previous.getApiVersion());
                    fresh.setKind(previous.getKind());
                    fresh.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                            .withName(previous.getMetadata().getName())
                            .withNamespace(previous.getMetadata().getNamespace())
                            .withLabels(previous.getMetadata().getLabels())
                            .withAnnotations(previous.getMetadata().getAnnotations())
                            .build());
                    fresh.setAdditionalProperty(
                            "spec", previous.getAdditionalProperties().get("spec"));
                    resource.resource(fresh).create();
                    return;
                }
                for (List<String> path : restored(previous)) {
                    put(live.getAdditionalProperties(), path, get(previous.getAdditionalProperties(), path));
                }
                live.getMetadata()
                        .setLabels(ours(
                                live.getMetadata().getLabels(),
                                previous.getMetadata().getLabels()));
                live.getMetadata()
                        .setAnnotations(ours(
                                live.getMetadata().getAnnotations(),
                                previous.getMetadata().getAnnotations()));
                resource.resource(live).update();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() == java.net.HttpURLConnection.HTTP_CONFLICT && attempt < CONFLICT_RETRIES) {
                    continue;
                }
                throw new KubernetesApplyException(
                        what + ": restoring it as it was before the rollout failed: " + ApiErrors.describe(e, client),
                        e);
            }
        }
    }

    /** Deletes an object this rollout created (absent already: nothing to do). */
    public void delete(String apiVersion, String kind, String namespace, String name) throws KubernetesApplyException {
        try {
            client.genericKubernetesResources(apiVersion, kind)
                    .inNamespace(namespace)
                    .withName(name)
                    .delete();
        } catch (KubernetesClientException e) {
            throw new KubernetesApplyException(
                    namespace + "/" + kind + "/" + name + ": deleting it failed: " + ApiErrors.describe(e, client), e);
        }
    }

    private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<
                    GenericKubernetesResource,
                    io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
                    io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>>
            kind(String apiVersion, String kind, HasMetadata object) {
        return client.genericKubernetesResources(apiVersion, kind)
                .inNamespace(object.getMetadata().getNamespace());
    }

    private RestoreTarget resource(String apiVersion, String kind, HasMetadata object) {
        return new RestoreTarget(
                kind(apiVersion, kind, object), object.getMetadata().getName());
    }

    /** One object's name in its kind's namespaced operations. */
    private record RestoreTarget(
            io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<
                            GenericKubernetesResource,
                            io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
                            io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>>
                    objects,
            String name) {
        GenericKubernetesResource get() {
            return objects.withName(name).get();
        }

        io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource> resource(GenericKubernetesResource o) {
            return objects.resource(o);
        }
    }

    private static List<List<String>> restored(GenericKubernetesResource previous) {
        List<List<String>> paths = new ArrayList<>();
        if ("Deployment".equals(previous.getKind())) {
            for (String path : List.of(
                    "spec.template",
                    "spec.selector",
                    "spec.strategy",
                    "spec.progressDeadlineSeconds",
                    "spec.revisionHistoryLimit")) {
                paths.add(List.of(path.split("\\.")));
            }
            Object replicas = get(previous.getAdditionalProperties(), List.of("spec", "replicas"));
            if (replicas instanceof Number n && n.intValue() == 0) {
                paths.add(List.of("spec", "replicas"));
            }
            return paths;
        }
        paths.addAll(OWNED.get(previous.getKind()).replaced());
        return paths;
    }

    /** {@code live} with model-deploy's keys exactly as in {@code previous}; other keys as they are. */
    private static Map<String, String> ours(Map<String, String> live, Map<String, String> previous) {
        Map<String, String> result = new java.util.LinkedHashMap<>();
        if (live != null) {
            live.forEach((key, value) -> {
                if (!isOurs(key)) {
                    result.put(key, value);
                }
            });
        }
        if (previous != null) {
            previous.forEach((key, value) -> {
                if (isOurs(key)) {
                    result.put(key, value);
                }
            });
        }
        return result;
    }

    private static boolean isOurs(String key) {
        return key.startsWith(ModelLabels.ANNOTATION_PREFIX) || key.startsWith("app.kubernetes.io/");
    }

    private static Object get(Map<String, Object> tree, List<String> path) {
        Object node = tree;
        for (String key : path) {
            if (!(node instanceof Map<?, ?> map)) {
                return null;
            }
            node = map.get(key);
        }
        return node;
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> tree, List<String> path, Object value) {
        Map<String, Object> node = tree;
        for (String key : path.subList(0, path.size() - 1)) {
            Object child = node.get(key);
            if (!(child instanceof Map<?, ?>)) {
                child = new java.util.LinkedHashMap<String, Object>();
                node.put(key, child);
            }
            node = (Map<String, Object>) child;
        }
        if (value == null) {
            node.remove(path.get(path.size() - 1));
        } else {
            node.put(path.get(path.size() - 1), value);
        }
    }

    private static List<String> concat(List<String> list, String item) {
        List<String> all = new ArrayList<>(list);
        all.add(item);
        return all;
    }
}
