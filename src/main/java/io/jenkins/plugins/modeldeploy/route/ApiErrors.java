package io.jenkins.plugins.modeldeploy.route;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * A failed API call in words. With an answer: its HTTP status and the server's message. Without one, fabric8 reports
 * code -1 and a message naming only the operation ({@code Operation: [get] for kind: [ConfigMap] … failed.}); the
 * culprit is then the API server itself, so the words name its address and the underlying cause (connection refused,
 * unknown host, TLS, timeout).
 */
public final class ApiErrors {
    private ApiErrors() {}

    public static String describe(KubernetesClientException e, KubernetesClient client) {
        if (e.getCode() > 0) {
            return "HTTP " + e.getCode() + " " + e.getMessage();
        }
        return "the Kubernetes API server " + client.getMasterUrl() + " did not answer (" + rootCause(e) + ")";
    }

    private static String rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root == e) {
            return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }
}
