package io.jenkins.plugins.modeldeploy.model;

/**
 * An environment variable taken from one key of a Kubernetes Secret in the version's namespace. Only the reference is
 * ever held, rendered or logged: the value stays in the cluster, where the kubelet reads it into the container.
 */
public record SecretKeyRef(String name, String key) {
    @Override
    public String toString() {
        return "secret " + name + "/" + key;
    }
}
