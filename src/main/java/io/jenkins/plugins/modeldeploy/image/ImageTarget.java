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

    /** A {@code docker load}-able tar file. */
    record Tar(Path path) implements ImageTarget {}

    /** The local Docker daemon, when there is one. */
    record DockerDaemon() implements ImageTarget {}
}
