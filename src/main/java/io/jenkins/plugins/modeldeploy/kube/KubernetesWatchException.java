package io.jenkins.plugins.modeldeploy.kube;

import io.jenkins.plugins.modeldeploy.target.TargetException;

/** The watches a rollout needs could not be established; the message names the namespace and objects. */
public final class KubernetesWatchException extends TargetException {
    public KubernetesWatchException(String message, Throwable cause) {
        super(message, cause);
    }
}
