package io.jenkins.plugins.modeldeploy.kube;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jenkins.plugins.modeldeploy.route.ApiErrors;
import io.jenkins.plugins.modeldeploy.target.ConcurrentReleaseException;
import io.jenkins.plugins.modeldeploy.target.ReleaseJson;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import io.jenkins.plugins.modeldeploy.target.ReleaseStore;
import io.jenkins.plugins.modeldeploy.target.Stage;
import io.jenkins.plugins.modeldeploy.target.TargetException;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import java.net.HttpURLConnection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Release state and stages in the cluster itself, so that any run (CLI, another Jenkins controller) sees the same.
 *
 * <p>A version's stage is the annotation {@value #STAGE} on its Deployment (it lives and dies with the version). The
 * model's {@link ReleaseState} is JSON in the annotation {@value #RELEASE} of a ConfigMap {@code <model>-release}:
 * the state belongs to the model, not to one version, so it cannot sit on a version's Deployment (which a rollback
 * may delete); a ConfigMap is namespaced, small, readable with {@code configmaps} RBAC and watched by the catalog.
 * Compare-and-swap: the stored state must equal the expected one, and the PUT carries the resourceVersion read, so
 * a concurrent writer makes the API server answer 409 and this store throws {@link ConcurrentReleaseException}.
 */
public final class AnnotationReleaseStore implements ReleaseStore {
    public static final String STAGE = ModelLabels.ANNOTATION_PREFIX + "stage";
    public static final String RELEASE = ModelLabels.ANNOTATION_PREFIX + "release";
    public static final String RELEASE_COMPONENT = "release";
    static final int CONFLICT_RETRIES = 5;

    private final KubernetesClient client;
    private final String namespace;

    public AnnotationReleaseStore(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    public static String configMapName(String model) {
        return model + "-release";
    }

    @Override
    public Optional<ReleaseState> load(String model) throws TargetException {
        return parse(namespace, getConfigMap(model));
    }

    @Override
    public void save(Optional<ReleaseState> expected, ReleaseState next) throws TargetException {
        String model = next.model();
        String name = configMapName(model);
        for (int attempt = 0; attempt <= CONFLICT_RETRIES; attempt++) {
            ConfigMap live = getConfigMap(model);
            Optional<ReleaseState> current = parse(namespace, live);
            if (!current.equals(expected)) {
                throw new ConcurrentReleaseException(model, describe(expected), describe(current));
            }
            try {
                if (live == null) {
                    client.configMaps()
                            .inNamespace(namespace)
                            .resource(newConfigMap(model, next))
                            .create();
                } else {
                    Map<String, String> annotations =
                            new LinkedHashMap<>(nonNull(live.getMetadata().getAnnotations()));
                    annotations.put(RELEASE, ReleaseJson.write(next));
                    live.getMetadata().setAnnotations(annotations);
                    client.configMaps().inNamespace(namespace).resource(live).update(); // carries resourceVersion
                }
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                    throw new TargetException(
                            namespace + "/ConfigMap/" + name + ": " + ApiErrors.describe(e, client), e);
                }
                // Someone wrote between our GET and PUT (or created it first): read again; if the release state
                // itself changed, the comparison above reports the concurrent run.
            }
        }
        throw new ConcurrentReleaseException(
                model,
                describe(expected),
                "still changing after " + (CONFLICT_RETRIES + 1) + " attempts on " + namespace + "/ConfigMap/" + name);
    }

    @Override
    public void delete(String model) throws TargetException {
        try {
            client.configMaps()
                    .inNamespace(namespace)
                    .withName(configMapName(model))
                    .delete();
        } catch (KubernetesClientException e) {
            throw new TargetException(
                    namespace + "/ConfigMap/" + configMapName(model) + ": " + ApiErrors.describe(e, client), e);
        }
    }

    @Override
    public void annotate(VersionRef version, Map<String, String> evidence) throws TargetException {
        Map<String, String> prefixed = new LinkedHashMap<>();
        evidence.forEach((key, value) -> prefixed.put(ModelLabels.ANNOTATION_PREFIX + key, value));
        editDeployment(version, "record " + String.join(", ", evidence.keySet()) + " on it", annotations -> {
            if (annotations.entrySet().containsAll(prefixed.entrySet())) {
                return false;
            }
            annotations.putAll(prefixed);
            return true;
        });
    }

    @Override
    public Map<String, String> annotations(VersionRef version) throws TargetException {
        String what = namespace + "/Deployment/" + version.id();
        try {
            Deployment live = client.apps()
                    .deployments()
                    .inNamespace(namespace)
                    .withName(version.id())
                    .get();
            Map<String, String> found = new TreeMap<>();
            if (live != null) {
                nonNull(live.getMetadata().getAnnotations()).forEach((key, value) -> {
                    if (key.startsWith(ModelLabels.ANNOTATION_PREFIX)) {
                        found.put(key.substring(ModelLabels.ANNOTATION_PREFIX.length()), value);
                    }
                });
            }
            return found;
        } catch (KubernetesClientException e) {
            throw new TargetException(what + ": " + ApiErrors.describe(e, client), e);
        }
    }

    @Override
    public Map<String, Stage> stages(String model) throws TargetException {
        Map<String, Stage> stages = new TreeMap<>();
        try {
            for (Deployment deployment : client.apps()
                    .deployments()
                    .inNamespace(namespace)
                    .withLabel(ModelLabels.NAME, model)
                    .withLabel(ModelLabels.MANAGED_BY, ModelLabels.MANAGER)
                    .list()
                    .getItems()) {
                String stage =
                        nonNull(deployment.getMetadata().getAnnotations()).get(STAGE);
                String version = nonNull(deployment.getMetadata().getLabels()).get(ModelLabels.VERSION);
                if (stage != null && version != null) {
                    stages.put(version, parseStage(deployment, stage));
                }
            }
        } catch (KubernetesClientException e) {
            throw new TargetException(
                    namespace + "/Deployment (model " + model + "): " + ApiErrors.describe(e, client), e);
        }
        return stages;
    }

    @Override
    public void setStage(VersionRef version, Stage stage) throws TargetException {
        editDeployment(version, "mark it " + stage.value(), annotations -> {
            if (stage.value().equals(annotations.get(STAGE))) {
                return false;
            }
            annotations.put(STAGE, stage.value());
            return true;
        });
    }

    /** Changes the Deployment's annotations with a PUT that carries the resourceVersion read, retried on 409. */
    private void editDeployment(VersionRef version, String doing, AnnotationChange change) throws TargetException {
        String what = namespace + "/Deployment/" + version.id();
        for (int attempt = 0; attempt <= CONFLICT_RETRIES; attempt++) {
            try {
                Deployment live = client.apps()
                        .deployments()
                        .inNamespace(namespace)
                        .withName(version.id())
                        .get();
                if (live == null) {
                    throw new TargetException(what + " does not exist; cannot " + doing);
                }
                Map<String, String> annotations =
                        new LinkedHashMap<>(nonNull(live.getMetadata().getAnnotations()));
                if (!change.apply(annotations)) {
                    return;
                }
                live.getMetadata().setAnnotations(annotations);
                client.apps()
                        .deployments()
                        .inNamespace(namespace)
                        .resource(live)
                        .update();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                    throw new TargetException(what + ": " + ApiErrors.describe(e, client), e);
                }
            }
        }
        throw new TargetException(what + ": still conflicting after " + (CONFLICT_RETRIES + 1) + " attempts");
    }

    /** Edits annotations in place; false when nothing needs to change. */
    private interface AnnotationChange {
        boolean apply(Map<String, String> annotations);
    }

    /** The release state in a ConfigMap (also what the catalog reads from its cache). */
    public static Optional<ReleaseState> parse(String namespace, ConfigMap configMap) throws TargetException {
        if (configMap == null) {
            return Optional.empty();
        }
        String json = nonNull(configMap.getMetadata().getAnnotations()).get(RELEASE);
        String what = namespace + "/ConfigMap/" + configMap.getMetadata().getName();
        if (json == null) {
            throw new TargetException(what + " has no annotation " + RELEASE + "; delete it or restore the"
                    + " annotation (it is the model's release state)");
        }
        try {
            return Optional.of(ReleaseJson.read(json));
        } catch (ReleaseJson.InvalidReleaseJsonException e) {
            throw new TargetException(
                    what + ": annotation " + RELEASE + " is not a release state: " + e.getMessage(), e);
        }
    }

    private ConfigMap getConfigMap(String model) throws TargetException {
        try {
            return client.configMaps()
                    .inNamespace(namespace)
                    .withName(configMapName(model))
                    .get();
        } catch (KubernetesClientException e) {
            throw new TargetException(
                    namespace + "/ConfigMap/" + configMapName(model) + ": " + ApiErrors.describe(e, client), e);
        }
    }

    private ConfigMap newConfigMap(String model, ReleaseState state) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(ModelLabels.NAME, model);
        labels.put(ModelLabels.MANAGED_BY, ModelLabels.MANAGER);
        labels.put(ModelLabels.COMPONENT, RELEASE_COMPONENT);
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName(configMapName(model))
                .withNamespace(namespace)
                .withLabels(labels)
                .withAnnotations(Map.of(RELEASE, ReleaseJson.write(state)))
                .endMetadata()
                .build();
    }

    private Stage parseStage(Deployment deployment, String value) throws TargetException {
        try {
            return Stage.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TargetException(
                    namespace + "/Deployment/" + deployment.getMetadata().getName() + ": " + e.getMessage(), e);
        }
    }

    private static String describe(Optional<ReleaseState> state) {
        return state.map(s -> s.phase() + " production=" + s.production().orElse("-") + " challenger="
                        + s.challenger().orElse("-") + " updated " + s.updated())
                .orElse("no release state");
    }

    static Map<String, String> nonNull(Map<String, String> map) {
        return map == null ? Map.of() : map;
    }
}
