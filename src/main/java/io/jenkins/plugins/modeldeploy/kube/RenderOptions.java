package io.jenkins.plugins.modeldeploy.kube;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How to render one version's objects.
 *
 * @param image            the image by digest ({@code repository@sha256:…})
 * @param minReplicas      the cluster's HPA minimum, used where the model's {@code serving.scaling} sets none
 * @param maxReplicas      the cluster's HPA maximum, likewise
 * @param annotations      metadata to record (git commit, build URL, created-by …), keys without the prefix
 * @param imagePullSecrets names of Secrets to pull the image with
 */
public record RenderOptions(
        String namespace,
        String image,
        int minReplicas,
        int maxReplicas,
        List<String> imagePullSecrets,
        Map<String, String> annotations) {
    public static final int DRAIN_SECONDS = 5;

    public RenderOptions {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(image, "image");
        imagePullSecrets = List.copyOf(imagePullSecrets);
        annotations = Map.copyOf(annotations);
        if (minReplicas < 1 || maxReplicas < minReplicas) {
            throw new IllegalArgumentException(
                    "replicas must satisfy 1 <= min <= max, were " + minReplicas + " and " + maxReplicas);
        }
    }

    public static RenderOptions of(String namespace, String image) {
        return new RenderOptions(namespace, image, 2, 10, List.of(), Map.of());
    }
}
