package io.jenkins.plugins.modeldeploy.kube;

import java.util.LinkedHashMap;
import java.util.Map;

/** The labels every object of a model version carries, and the annotation prefix for its metadata. */
public final class ModelLabels {
    public static final String NAME = "app.kubernetes.io/name";
    public static final String VERSION = "app.kubernetes.io/version";
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String COMPONENT = "app.kubernetes.io/component";
    public static final String MANAGER = "model-deploy";
    public static final String MODEL_SERVER = "model-server";
    public static final String ANNOTATION_PREFIX = "model-deploy.jenkins.io/";
    /**
     * Which rollout last wrote a version's objects (the key of {@code RolloutRequest.annotations()}, prefixed on the
     * objects): the lifecycle passes its stored run's id, so a failed rollout can tell the objects it (or an earlier
     * attempt of the same run) wrote from objects that were there before, and only retire its own.
     */
    public static final String ROLLOUT_KEY = "rollout";

    public static final String ROLLOUT = ANNOTATION_PREFIX + ROLLOUT_KEY;
    /** The image (by digest) a version's objects run, on each of them. */
    public static final String IMAGE = ANNOTATION_PREFIX + "image";

    private ModelLabels() {}

    /** All four labels of one version's objects. */
    public static Map<String, String> of(String model, String version) {
        Map<String, String> labels = new LinkedHashMap<>(selector(model, version));
        labels.put(MANAGED_BY, MANAGER);
        labels.put(COMPONENT, MODEL_SERVER);
        return labels;
    }

    /** What selects one version's pods (name and version only: selectors are immutable, so keep them minimal). */
    public static Map<String, String> selector(String model, String version) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(NAME, model);
        labels.put(VERSION, version);
        return labels;
    }
}
