package io.jenkins.plugins.modeldeploy.model;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Where a version's pods may run: a node selector (every label must match) and tolerations of node taints, as in a
 * pod spec.
 */
public record Placement(Map<String, String> nodeSelector, List<Toleration> tolerations) {
    public static final Placement DEFAULT = new Placement(Map.of(), List.of());

    public Placement {
        nodeSelector = Map.copyOf(nodeSelector);
        tolerations = List.copyOf(tolerations);
    }

    /**
     * One toleration; empty strings mean unset, as in the Kubernetes API (an empty key with {@code Exists} tolerates
     * every taint, an empty effect every effect).
     *
     * @param operator {@code Equal} or {@code Exists}
     * @param effect {@code NoSchedule}, {@code PreferNoSchedule}, {@code NoExecute} or empty
     * @param tolerationSeconds how long a {@code NoExecute} taint is tolerated before eviction; empty for ever
     */
    public record Toleration(
            String key, String operator, String value, String effect, OptionalLong tolerationSeconds) {}
}
