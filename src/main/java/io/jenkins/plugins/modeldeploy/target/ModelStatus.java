package io.jenkins.plugins.modeldeploy.target;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a target runs of one model, as {@code status} shows it: the same shape on every target.
 *
 * @param weights the stable route's split as the router serves it now
 */
public record ModelStatus(
        String model, Optional<ReleaseState> release, Map<String, Integer> weights, List<VersionStatus> versions) {
    public ModelStatus {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(release, "release");
        weights = Map.copyOf(weights);
        versions = List.copyOf(versions);
    }

    /**
     * One version: its stage, replicas ready and wanted (0 when scaled down), its weight on the stable route, its
     * image and what was recorded on it.
     */
    public record VersionStatus(
            String version,
            Optional<Stage> stage,
            int readyReplicas,
            int desiredReplicas,
            int weight,
            Optional<String> image,
            Map<String, String> annotations) {
        public VersionStatus {
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(stage, "stage");
            Objects.requireNonNull(image, "image");
            annotations = Map.copyOf(annotations);
        }

        /** The {@code sha256:…} part of the image reference, when it is pinned by digest. */
        public Optional<String> digest() {
            return image.filter(i -> i.contains("@")).map(i -> i.substring(i.indexOf('@') + 1));
        }
    }
}
