package io.jenkins.plugins.modeldeploy.event;

/** The Kubernetes object an event is about, e.g. {@code Deployment models/iris-2}. */
public record ObjectRef(String kind, String namespace, String name) {
    @Override
    public String toString() {
        return kind + " " + (namespace == null || namespace.isEmpty() ? "" : namespace + "/") + name;
    }
}
