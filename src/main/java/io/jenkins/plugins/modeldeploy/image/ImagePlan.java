package io.jenkins.plugins.modeldeploy.image;

import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import java.time.Instant;
import java.util.Optional;

/**
 * What to build: a model version on a base, to a target, tagged {@code repository:version}.
 *
 * @param repository  e.g. {@code 127.0.0.1:5000/models/iris}
 * @param revision    the source revision (git commit) for the {@code org.opencontainers.image.revision} label
 * @param source      the source URL for {@code org.opencontainers.image.source}
 * @param createdAt   the image's creation time; empty means the Unix epoch, which keeps builds reproducible
 */
public record ImagePlan(
        ModelVersion version,
        BaseImage base,
        String repository,
        ImageTarget target,
        Optional<String> revision,
        Optional<String> source,
        Optional<Instant> createdAt) {

    public ImagePlan(ModelVersion version, BaseImage base, String repository, ImageTarget target) {
        this(version, base, repository, target, Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** {@code repository:version}. */
    public String reference() {
        return repository + ":" + version.version();
    }
}
