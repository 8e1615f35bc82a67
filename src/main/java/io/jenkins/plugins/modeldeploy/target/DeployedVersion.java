package io.jenkins.plugins.modeldeploy.target;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * A version that serves.
 *
 * @param endpoint where this engine reaches exactly this version (its harness answers {@code endpoint/predict}): the
 *                 route clients use ({@code <gateway>/models/m/v}) when the target has a gateway this machine reaches,
 *                 else the version's own address (on Kubernetes its in-cluster Service, when the engine runs in the
 *                 cluster)
 * @param image    the image it runs, by digest, when it runs one
 * @param took     from the start of the rollout to ready
 */
public record DeployedVersion(VersionRef ref, URI endpoint, Optional<String> image, int readyReplicas, Duration took) {}
