package io.jenkins.plugins.modeldeploy.jenkins.engine;

import java.io.Serializable;

/**
 * Where a step deploys, as the user wrote it (a cluster name from the global configuration, or a kubeconfig
 * credential), kept serializable so a step waiting for approval can reconnect after a restart. No secret in here.
 */
public final class TargetOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    public final String cluster;
    public final String kubeconfigCredentialsId;
    public final String namespace;
    public final String host;
    public final String eventsUri;

    public TargetOptions(
            String cluster, String kubeconfigCredentialsId, String namespace, String host, String eventsUri) {
        this.cluster = cluster;
        this.kubeconfigCredentialsId = kubeconfigCredentialsId;
        this.namespace = namespace;
        this.host = host;
        this.eventsUri = eventsUri;
    }
}
