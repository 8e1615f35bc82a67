package io.jenkins.plugins.modeldeploy.target;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * A version that serves.
 *
 * @param endpoint the version's own base URL (its harness answers {@code endpoint/predict}); on Kubernetes the
 *                 in-cluster Service URL
 * @param image    the image it runs, by digest, when it runs one
 * @param took     from the start of the rollout to ready
 */
public record DeployedVersion(VersionRef ref, URI endpoint, Optional<String> image, int readyReplicas,
        Duration took) {}
