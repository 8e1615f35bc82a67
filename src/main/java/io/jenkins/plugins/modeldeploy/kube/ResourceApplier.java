package io.jenkins.plugins.modeldeploy.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
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
                throw new KubernetesApplyException(e.getMessage(), e);
            }
        }
        return List.copyOf(changes);
    }

    private static List<String> concat(List<String> list, String item) {
        List<String> all = new ArrayList<>(list);
        all.add(item);
        return all;
    }
}
