package io.jenkins.plugins.modeldeploy.kube;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.jenkins.plugins.modeldeploy.route.TraefikRouter;
import io.jenkins.plugins.modeldeploy.route.TraefikRoutes;
import io.jenkins.plugins.modeldeploy.target.ModelStatus;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import io.jenkins.plugins.modeldeploy.target.Stage;
import io.jenkins.plugins.modeldeploy.target.TargetException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What model-deploy runs in a namespace, answered from informer caches: after {@link #start} (one list per kind,
 * then watches) no query makes an API request. Fed by the Deployments labelled managed-by=model-deploy (version,
 * stage, image, replicas), the release ConfigMaps (release state) and, in Traefik mode, the TraefikServices
 * (weights).
 */
public final class ModelCatalog implements AutoCloseable {
    private static final String BY_MODEL = "model";

    /** One version as the catalog sees it. */
    private final String namespace;

    private final SharedIndexInformer<Deployment> deployments;
    private final SharedIndexInformer<ConfigMap> releases;
    private final SharedIndexInformer<GenericKubernetesResource> traefikServices;

    private ModelCatalog(
            String namespace,
            SharedIndexInformer<Deployment> deployments,
            SharedIndexInformer<ConfigMap> releases,
            SharedIndexInformer<GenericKubernetesResource> traefikServices) {
        this.namespace = namespace;
        this.deployments = deployments;
        this.releases = releases;
        this.traefikServices = traefikServices;
    }

    /**
     * Starts the informers and returns once each has listed, or throws after {@code timeout}.
     *
     * @param traefik also cache TraefikServices (Traefik route mode; their CRD must be installed)
     */
    public static ModelCatalog start(KubernetesClient client, String namespace, boolean traefik, Duration timeout)
            throws KubernetesWatchException, InterruptedException {
        SharedIndexInformer<Deployment> deployments = client.apps()
                .deployments()
                .inNamespace(namespace)
                .withLabel(ModelLabels.MANAGED_BY, ModelLabels.MANAGER)
                .runnableInformer(0);
        deployments.addIndexers(
                Map.of(BY_MODEL, d -> List.of(label(d.getMetadata().getLabels(), ModelLabels.NAME))));
        SharedIndexInformer<ConfigMap> releases = client.configMaps()
                .inNamespace(namespace)
                .withLabel(ModelLabels.MANAGED_BY, ModelLabels.MANAGER)
                .withLabel(ModelLabels.COMPONENT, AnnotationReleaseStore.RELEASE_COMPONENT)
                .runnableInformer(0);
        SharedIndexInformer<GenericKubernetesResource> services = traefik
                ? client.genericKubernetesResources(TraefikRoutes.context("TraefikService"))
                        .inNamespace(namespace)
                        .withLabel(ModelLabels.MANAGED_BY, ModelLabels.MANAGER)
                        .runnableInformer(0)
                : null;
        ModelCatalog catalog = new ModelCatalog(namespace, deployments, releases, services);
        List<CompletableFuture<Void>> synced = new ArrayList<>();
        synced.add(deployments.start().toCompletableFuture());
        synced.add(releases.start().toCompletableFuture());
        if (services != null) {
            synced.add(services.start().toCompletableFuture());
        }
        try {
            CompletableFuture.allOf(synced.toArray(CompletableFuture[]::new))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            catalog.close();
            throw new KubernetesWatchException(
                    "namespace " + namespace + ": the catalog's watches on Deployments,"
                            + " ConfigMaps" + (traefik ? " and TraefikServices" : "") + " did not list within "
                            + timeout
                            + (e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")"),
                    e);
        }
        return catalog;
    }

    public String namespace() {
        return namespace;
    }

    /** Every model with at least one version or a release state, sorted. */
    public SortedSet<String> models() {
        SortedSet<String> models = new TreeSet<>();
        for (Deployment deployment : deployments.getStore().list()) {
            String model = label(deployment.getMetadata().getLabels(), ModelLabels.NAME);
            if (!model.isEmpty()) {
                models.add(model);
            }
        }
        for (ConfigMap release : releases.getStore().list()) {
            String model = label(release.getMetadata().getLabels(), ModelLabels.NAME);
            if (!model.isEmpty()) {
                models.add(model);
            }
        }
        return models;
    }

    /** Every model as {@code status} shows it. */
    public List<ModelStatus> status() throws TargetException {
        List<ModelStatus> all = new ArrayList<>();
        for (String model : models()) {
            all.add(new ModelStatus(model, release(model), weights(model), versions(model)));
        }
        return all;
    }

    /** The versions of a model, sorted by version. */
    public List<ModelStatus.VersionStatus> versions(String model) throws TargetException {
        Map<String, Integer> weights = weights(model);
        List<ModelStatus.VersionStatus> versions = new ArrayList<>();
        for (Deployment deployment : deployments.getIndexer().byIndex(BY_MODEL, model)) {
            Map<String, String> annotations =
                    AnnotationReleaseStore.nonNull(deployment.getMetadata().getAnnotations());
            String version = label(deployment.getMetadata().getLabels(), ModelLabels.VERSION);
            Optional<Stage> stage = Optional.ofNullable(annotations.get(AnnotationReleaseStore.STAGE))
                    .flatMap(ModelCatalog::stage);
            int ready = deployment.getStatus() == null || deployment.getStatus().getReadyReplicas() == null
                    ? 0
                    : deployment.getStatus().getReadyReplicas();
            Map<String, String> recorded = new TreeMap<>();
            annotations.forEach((key, value) -> {
                if (key.startsWith(ModelLabels.ANNOTATION_PREFIX)) {
                    recorded.put(key.substring(ModelLabels.ANNOTATION_PREFIX.length()), value);
                }
            });
            versions.add(new ModelStatus.VersionStatus(
                    version,
                    stage,
                    ready,
                    RolloutWatcher.desired(deployment),
                    weights.getOrDefault(version, 0),
                    Optional.ofNullable(annotations.get(ModelLabels.ANNOTATION_PREFIX + "image")),
                    recorded));
        }
        versions.sort(Comparator.comparing(ModelStatus.VersionStatus::version));
        return versions;
    }

    /** The stable route's split: from the TraefikService when cached, else as the release state last recorded. */
    public Map<String, Integer> weights(String model) throws TargetException {
        if (traefikServices != null) {
            GenericKubernetesResource service = traefikServices.getIndexer().getByKey(namespace + "/" + model);
            if (service != null) {
                return TraefikRouter.weightsOf(model, service);
            }
        }
        return release(model).map(ReleaseState::weights).orElse(Map.of());
    }

    /** The model's release state, if one is stored. */
    public Optional<ReleaseState> release(String model) throws TargetException {
        return AnnotationReleaseStore.parse(
                namespace,
                releases.getIndexer().getByKey(namespace + "/" + AnnotationReleaseStore.configMapName(model)));
    }

    @Override
    public void close() {
        deployments.close();
        releases.close();
        if (traefikServices != null) {
            traefikServices.close();
        }
    }

    private static Optional<Stage> stage(String value) {
        try {
            return Optional.of(Stage.parse(value));
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // a stage written by a newer version: shown as unknown, not fatal to status
        }
    }

    private static String label(Map<String, String> labels, String key) {
        return labels == null ? "" : labels.getOrDefault(key, "");
    }
}
