package io.jenkins.plugins.modeldeploy.image;

import java.nio.file.Path;
import java.util.Optional;

/** Where a built image goes. */
public sealed interface ImageTarget {
    /**
     * A registry repository; the image is tagged with the version and always referred to by digest afterwards.
     *
     * @param credentials empty: the user's Docker config file (credential helpers included), else anonymous
     * @param insecure    allow plain HTTP and unverified TLS (only when asked)
     */
    record Registry(Optional<RegistryCredentials> credentials, boolean insecure) implements ImageTarget {}

    /**
     * A tar file: an OCI image layout (the default), or the {@code docker save} format ({@code dockerFormat}), which
     * older {@code docker load} versions need. Both load into podman.
     */
    record Tar(Path path, boolean dockerFormat) implements ImageTarget {
        public Tar(Path path) {
            this(path, false);
        }
    }

    /** The local Docker daemon, when there is one. */
    record DockerDaemon() implements ImageTarget {}
}
