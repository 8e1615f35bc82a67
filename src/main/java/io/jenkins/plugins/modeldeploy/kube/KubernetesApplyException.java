package io.jenkins.plugins.modeldeploy.kube;

import io.jenkins.plugins.modeldeploy.target.TargetException;

/** Writing an object failed; the message starts with {@code namespace/Kind/name}. */
public final class KubernetesApplyException extends TargetException {
    public KubernetesApplyException(String message, Throwable cause) {
        super(message, cause);
    }
}
