package io.jenkins.plugins.modeldeploy.jenkins.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a kubeconfig from a credential may ask of the machine it is used on. The Kubernetes client starts the command
 * of a user's {@code exec} stanza (and some {@code auth-provider}s' commands) and reads files a kubeconfig names by
 * path; a job author who can create a credential would so run a process or read a file on the agent or, for steps
 * without a workspace, on the controller. Such kubeconfigs are refused unless the administrator allowed them for the
 * cluster ({@code ClusterConfig.allowExecCredentials}). Checked on the controller before anything connects.
 */
public final class KubeconfigPolicy {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** Keys of {@code users[].user} that run a command or read a local file. */
    private static final List<String> USER_KEYS = List.of(
            "exec", "auth-provider", "client-certificate", "client-key", "tokenFile", "token-file", "username-file");
    /** Keys of {@code clusters[].cluster} that read a local file. */
    private static final List<String> CLUSTER_KEYS = List.of("certificate-authority");

    private KubeconfigPolicy() {}

    /**
     * Refuses {@code kubeconfig} (from the credential of {@code field}) when it runs commands or reads local files and
     * {@code allowed} is false. The message names the stanza, never the kubeconfig's content.
     */
    public static void check(String field, String kubeconfig, boolean allowed) {
        if (allowed) {
            return;
        }
        JsonNode root;
        try {
            root = YAML.readTree(kubeconfig);
        } catch (IOException e) {
            throw new IllegalArgumentException(field + ": the credential is not a kubeconfig (not YAML)");
        }
        List<String> found = new ArrayList<>();
        collect(root, "users", "user", USER_KEYS, found);
        collect(root, "clusters", "cluster", CLUSTER_KEYS, found);
        if (!found.isEmpty()) {
            throw new IllegalArgumentException(field + ": the kubeconfig uses " + String.join(", ", found)
                    + "; a kubeconfig that starts commands or reads local files is refused unless an administrator"
                    + " allows it for the cluster (Manage Jenkins > System > Model deploy > cluster > Allow kubeconfig"
                    + " exec and auth-provider commands); a step's own kubeconfigCredentialsId never may");
        }
    }

    private static void collect(JsonNode root, String list, String inner, List<String> keys, List<String> found) {
        if (root == null || !root.path(list).isArray()) {
            return;
        }
        for (JsonNode entry : root.path(list)) {
            JsonNode body = entry.path(inner);
            for (String key : keys) {
                if (body.has(key)) {
                    found.add(list + "[" + entry.path("name").asText("?") + "]." + inner + "." + key);
                }
            }
        }
    }
}
