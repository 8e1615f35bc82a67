package io.jenkins.plugins.modeldeploy.jenkins.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * What a kubeconfig from a credential may ask of the machine it is used on. The Kubernetes client starts the command
 * of a user's {@code exec} stanza (and some {@code auth-provider}s' commands) and reads files a kubeconfig names by
 * path; a job author who can create a credential would so run a process or read a file on the agent or, for steps
 * without a workspace, on the controller. Such kubeconfigs are refused unless the administrator allowed them for the
 * cluster ({@code ClusterConfig.allowExecCredentials}). Checked on the controller before anything connects.
 *
 * <p>Read as the client reads it: fabric8 loads every YAML document of the text with aliases expanded (snakeyaml-
 * engine, {@code KubernetesSerialization}), so this does too — a stanza hidden behind an anchor, a merge key or in a
 * later document is found (a tree reader that leaves aliases unexpanded or stops at the first document would miss it).
 */
public final class KubeconfigPolicy {
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
        List<String> found = new ArrayList<>();
        try {
            for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(kubeconfig)) {
                collect(document, "users", "user", USER_KEYS, found);
                collect(document, "clusters", "cluster", CLUSTER_KEYS, found);
            }
        } catch (YAMLException e) {
            throw new IllegalArgumentException(field + ": the credential is not a kubeconfig (not YAML)");
        }
        if (!found.isEmpty()) {
            throw new IllegalArgumentException(field + ": the kubeconfig uses " + String.join(", ", found)
                    + "; a kubeconfig that starts commands or reads local files is refused unless an administrator"
                    + " allows it for the cluster (Manage Jenkins > System > Model deploy > cluster > Allow kubeconfig"
                    + " exec and auth-provider commands); a step's own kubeconfigCredentialsId never may");
        }
    }

    private static void collect(Object document, String list, String inner, List<String> keys, List<String> found) {
        if (!(document instanceof Map<?, ?> root) || !(root.get(list) instanceof List<?> entries)) {
            return;
        }
        for (Object entry : entries) {
            if (!(entry instanceof Map<?, ?> named) || !(named.get(inner) instanceof Map<?, ?> body)) {
                continue;
            }
            for (String key : keys) {
                if (body.containsKey(key)) {
                    Object name = named.get("name");
                    found.add(list + "[" + (name == null ? "?" : name) + "]." + inner + "." + key);
                }
            }
        }
    }
}
