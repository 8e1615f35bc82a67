package io.jenkins.plugins.modeldeploy.target;

import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What to roll out.
 *
 * @param image       the image by digest ({@code repo@sha256:…}); required by targets that run images
 * @param annotations metadata recorded on the version (git commit, build URL, created-by …), keys without prefix
 * @param timeout     the overall limit for the rollout to become ready
 * @param imageArchive the image as a tar on this machine, when it was built to one (the local container runtime
 *                    loads it; targets that pull from a registry ignore it)
 */
public record RolloutRequest(
        ModelVersion version,
        Optional<String> image,
        Map<String, String> annotations,
        Duration timeout,
        Optional<Path> imageArchive) {
    public RolloutRequest(
            ModelVersion version, Optional<String> image, Map<String, String> annotations, Duration timeout) {
        this(version, image, annotations, timeout, Optional.empty());
    }

    public RolloutRequest {
        Objects.requireNonNull(imageArchive, "imageArchive");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(image, "image");
        annotations = Map.copyOf(annotations);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("rollout timeout must be positive, was " + timeout);
        }
    }

    public VersionRef ref() {
        return new VersionRef(version.name(), version.version());
    }
}
