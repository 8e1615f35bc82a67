package io.jenkins.plugins.modeldeploy.route;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Creates or updates one Kubernetes object, setting only the fields model-deploy owns and keeping everything else the
 * live object has (fields other controllers set, server defaults, {@code spec.replicas} of an autoscaled Deployment).
 *
 * <p>Operations: GET, then POST (absent) or PUT carrying the live {@code resourceVersion} (optimistic concurrency: the
 * API server answers 409 when someone wrote in between; we re-read and retry a bounded number of times). No write at
 * all when every owned field already has the desired value, so re-applying the same objects changes no
 * {@code resourceVersion} and starts no rollout. Server-side apply and strategic merge patch would do the merging on
 * the server, but fabric8's mock API server the tests run on supports neither (its PatchHandler answers 415 to an
 * apply patch), and PUT with a resourceVersion behaves the same everywhere; {@link #serverSideApply} is the option for
 * a real API server. This lives in {@code route} because both the routers and {@code kube} apply objects, and
 * {@code route} must not depend on {@code kube}.
 */
public final class ObjectApplier {
    /** The field manager of every server-side apply (and what {@code metadata.managedFields} shows). */
    public static final String FIELD_MANAGER = "model-deploy";

    /** How objects are written. */
    public enum Mode {
        /** GET, then POST or a PUT of the live object with our fields set: works on every API server and the mock. */
        OWNED_FIELDS,
        /** One PATCH {@code application/apply-patch+yaml} with field manager {@value #FIELD_MANAGER}. */
        SERVER_SIDE_APPLY
    }

    /**
     * Sets our fields of a desired object into the live one (both as JSON trees, {@code metadata} holding only labels
     * and annotations), keeping everything else; returns whether anything changed.
     */
    @FunctionalInterface
    public interface FieldMerge {
        boolean merge(Map<String, Object> live, Map<String, Object> desired);
    }

    /** What an apply did. */
    public enum Action {
        CREATED,
        UPDATED,
        UNCHANGED
    }

    /**
     * Which fields of an object are ours.
     *
     * @param replaced    paths (e.g. {@code spec.template.spec}) whose whole value is ours: set to the desired value
     * @param mergedMaps  paths of string maps (labels, annotations) where only our keys are ours: foreign keys survive
     */
    public record Ownership(List<List<String>> replaced, List<List<String>> mergedMaps) implements FieldMerge {
        public Ownership {
            replaced = List.copyOf(replaced);
            mergedMaps = List.copyOf(mergedMaps);
        }

        @Override
        public boolean merge(Map<String, Object> liveTree, Map<String, Object> desiredTree) {
            boolean changed = false;
            for (List<String> path : mergedMaps) {
                Object wanted = get(desiredTree, path);
                if (wanted instanceof Map<?, ?> wantedMap && !wantedMap.isEmpty()) {
                    Object current = get(liveTree, path);
                    Map<String, Object> union = new LinkedHashMap<>();
                    if (current instanceof Map<?, ?> currentMap) {
                        currentMap.forEach((k, v) -> union.put((String) k, v));
                    }
                    for (Map.Entry<?, ?> entry : wantedMap.entrySet()) {
                        if (!Objects.equals(union.get((String) entry.getKey()), entry.getValue())) {
                            union.put((String) entry.getKey(), entry.getValue());
                            changed = true;
                        }
                    }
                    put(liveTree, path, union);
                }
            }
            for (List<String> path : replaced) {
                Object wanted = get(desiredTree, path);
                Object current = get(liveTree, path);
                // The API server fills in defaults (e.g. a container's terminationMessagePath), so the live value is
                // a superset of what we sent: equal means "everything we set is there with our value".
                if (wanted != null && !JsonSubset.contains(current, wanted)) {
                    put(liveTree, path, wanted);
                    changed = true;
                }
            }
            return changed;
        }

        /** Parses dotted paths such as {@code "spec.template.spec"}. */
        public static Ownership of(List<String> replaced, List<String> mergedMaps) {
            return new Ownership(
                    replaced.stream().map(ObjectApplier::path).toList(),
                    mergedMaps.stream().map(ObjectApplier::path).toList());
        }
    }

    private final KubernetesClient client;
    private final int maxConflictRetries;

    public ObjectApplier(KubernetesClient client, int maxConflictRetries) {
        this.client = Objects.requireNonNull(client, "client");
        if (maxConflictRetries < 0) {
            throw new IllegalArgumentException("maxConflictRetries must be >= 0, was " + maxConflictRetries);
        }
        this.maxConflictRetries = maxConflictRetries;
    }

    /** Creates {@code desired} or brings its owned fields to the desired values; see the class comment. */
    public Action apply(GenericKubernetesResource desired, Ownership ownership) throws ObjectApplyException {
        return apply(null, desired, (FieldMerge) ownership);
    }

    /** As {@link #apply(GenericKubernetesResource, Ownership)}, for a custom resource whose API path is given. */
    public Action apply(ResourceDefinitionContext context, GenericKubernetesResource desired, Ownership ownership)
            throws ObjectApplyException {
        return apply(context, desired, (FieldMerge) ownership);
    }

    /**
     * Server-side apply of {@code desired}, which must hold only the fields we own (what we send is what field
     * manager {@value #FIELD_MANAGER} owns afterwards; the API server merges it with other managers' fields).
     *
     * @param force take over fields another manager set to a different value (kubectl's {@code --force-conflicts});
     *              without it the API server answers 409 naming that manager and field, which is reported as is
     */
    public GenericKubernetesResource serverSideApply(
            ResourceDefinitionContext context, GenericKubernetesResource desired, boolean force)
            throws ObjectApplyException {
        var objects = (context == null
                        ? client.genericKubernetesResources(desired.getApiVersion(), desired.getKind())
                        : client.genericKubernetesResources(context))
                .inNamespace(desired.getMetadata().getNamespace());
        try {
            var apply = objects.resource(desired).fieldManager(FIELD_MANAGER);
            return (force ? apply.forceConflicts() : apply).serverSideApply();
        } catch (KubernetesClientException e) {
            throw new ObjectApplyException(
                    describe(desired),
                    "server-side apply: " + ApiErrors.describe(e, client)
                            + (e.getCode() == HttpURLConnection.HTTP_CONFLICT
                                    ? " (another field manager set these fields; see docs/traefik.md)"
                                    : e.getCode() == 415
                                            ? " (this API server does not take apply patches; use the owned-field"
                                                    + " apply mode)"
                                            : ""),
                    e);
        }
    }

    /** As {@link #apply(ResourceDefinitionContext, GenericKubernetesResource, Ownership)} with any field merge. */
    public Action apply(ResourceDefinitionContext context, GenericKubernetesResource desired, FieldMerge ownership)
            throws ObjectApplyException {
        String what = describe(desired);
        var objects = (context == null
                        ? client.genericKubernetesResources(desired.getApiVersion(), desired.getKind())
                        : client.genericKubernetesResources(context))
                .inNamespace(desired.getMetadata().getNamespace());
        Resource<GenericKubernetesResource> resource =
                objects.withName(desired.getMetadata().getName());
        for (int attempt = 0; ; attempt++) {
            try {
                GenericKubernetesResource live = resource.get();
                if (live == null) {
                    objects.resource(desired).create();
                    return Action.CREATED;
                }
                GenericKubernetesResource merged = merge(live, desired, ownership);
                if (merged == null) {
                    return Action.UNCHANGED;
                }
                objects.resource(merged).update();
                return Action.UPDATED;
            } catch (KubernetesClientException e) {
                // 409 on POST: created concurrently; on PUT: written concurrently. Re-read and try again.
                if (e.getCode() == HttpURLConnection.HTTP_CONFLICT && attempt < maxConflictRetries) {
                    continue;
                }
                throw new ObjectApplyException(
                        what,
                        e.getCode() == HttpURLConnection.HTTP_CONFLICT
                                ? "still conflicting after " + (attempt + 1)
                                        + " attempts (another writer keeps changing it)"
                                : ApiErrors.describe(e, client),
                        e);
            }
        }
    }

    /** The live object with our fields set to the desired values, or null when they already have them. */
    static GenericKubernetesResource merge(
            GenericKubernetesResource live, GenericKubernetesResource desired, FieldMerge ownership) {
        Map<String, Object> liveTree = tree(live);
        Map<String, Object> desiredTree = tree(desired);
        if (!ownership.merge(liveTree, desiredTree)) {
            return null;
        }
        return fromTree(live, liveTree);
    }

    private static Map<String, Object> tree(GenericKubernetesResource resource) {
        Map<String, Object> tree = new LinkedHashMap<>(deepCopy(resource.getAdditionalProperties()));
        ObjectMeta metadata = resource.getMetadata();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("labels", metadata.getLabels() == null ? null : new LinkedHashMap<>(metadata.getLabels()));
        meta.put(
                "annotations",
                metadata.getAnnotations() == null ? null : new LinkedHashMap<>(metadata.getAnnotations()));
        tree.put("metadata", meta);
        return tree;
    }

    @SuppressWarnings("unchecked")
    private static GenericKubernetesResource fromTree(GenericKubernetesResource live, Map<String, Object> tree) {
        GenericKubernetesResource result = new GenericKubernetesResource();
        result.setApiVersion(live.getApiVersion());
        result.setKind(live.getKind());
        ObjectMeta metadata = live.getMetadata();
        Map<String, Object> meta = (Map<String, Object>) tree.remove("metadata");
        ObjectMeta copy = new io.fabric8.kubernetes.api.model.ObjectMetaBuilder(metadata).build();
        copy.setLabels(stringMap(meta.get("labels")));
        copy.setAnnotations(stringMap(meta.get("annotations")));
        result.setMetadata(copy); // keeps resourceVersion: the PUT is conditional on it
        tree.forEach(result::setAdditionalProperty);
        return result;
    }

    private static Map<String, String> stringMap(Object value) {
        if (value == null) {
            return null;
        }
        Map<String, String> map = new LinkedHashMap<>();
        ((Map<?, ?>) value).forEach((k, v) -> map.put((String) k, (String) v));
        return map;
    }

    @SuppressWarnings("unchecked")
    private static Object deepCopyValue(Object value) {
        if (value instanceof Map<?, ?> map) {
            return deepCopy((Map<String, Object>) map);
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(item -> copy.add(deepCopyValue(item)));
            return copy;
        }
        return value;
    }

    static Map<String, Object> deepCopy(Map<String, Object> map) {
        Map<String, Object> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> copy.put(k, deepCopyValue(v)));
        return copy;
    }

    static Object get(Map<String, Object> tree, List<String> path) {
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
    static void put(Map<String, Object> tree, List<String> path, Object value) {
        Map<String, Object> node = tree;
        for (String key : path.subList(0, path.size() - 1)) {
            Object child = node.get(key);
            if (!(child instanceof Map<?, ?>)) {
                child = new LinkedHashMap<String, Object>();
                node.put(key, child);
            }
            node = (Map<String, Object>) child;
        }
        node.put(path.get(path.size() - 1), value);
    }

    static List<String> path(String dotted) {
        return List.of(dotted.split("\\."));
    }

    /** {@code namespace/Kind/name}, as every error names the object. */
    public static String describe(io.fabric8.kubernetes.api.model.HasMetadata object) {
        return object.getMetadata().getNamespace() + "/" + object.getKind() + "/"
                + object.getMetadata().getName();
    }
}
