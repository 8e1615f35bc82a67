package io.jenkins.plugins.modeldeploy.target;

import io.jenkins.plugins.modeldeploy.model.ModelVersion;
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
 */
public record RolloutRequest(ModelVersion version, Optional<String> image, Map<String, String> annotations,
        Duration timeout) {
    public RolloutRequest {
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
