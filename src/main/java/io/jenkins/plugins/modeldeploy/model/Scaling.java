package io.jenkins.plugins.modeldeploy.model;

import java.util.OptionalInt;

/**
 * How many pods serve a version: a fixed {@code replicas} count (no autoscaler), or a HorizontalPodAutoscaler between
 * {@code min} and {@code max} at {@code targetCpuPercent} of the CPU request. A bound the model leaves out comes from
 * the cluster's settings ({@link #bounds}).
 */
public record Scaling(OptionalInt replicas, OptionalInt min, OptionalInt max, int targetCpuPercent) {
    public static final int DEFAULT_TARGET_CPU_PERCENT = 70;
    public static final Scaling DEFAULT =
            new Scaling(OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(), DEFAULT_TARGET_CPU_PERCENT);

    public Scaling {
        if (replicas.isPresent() && (min.isPresent() || max.isPresent())) {
            throw new IllegalArgumentException("replicas excludes min and max");
        }
        if (replicas.orElse(1) < 1 || min.orElse(1) < 1 || targetCpuPercent < 1) {
            throw new IllegalArgumentException("replicas, min and targetCpuPercent must be >= 1");
        }
        if (min.isPresent() && max.isPresent() && max.getAsInt() < min.getAsInt()) {
            throw new IllegalArgumentException("max must be >= min");
        }
    }

    public static Scaling fixed(int replicas) {
        return new Scaling(
                OptionalInt.of(replicas), OptionalInt.empty(), OptionalInt.empty(), DEFAULT_TARGET_CPU_PERCENT);
    }

    /** True when the model fixes its replica count: no HPA is rendered then. */
    public boolean isFixed() {
        return replicas.isPresent();
    }

    /**
     * The autoscaler's bounds: the model's where it sets them, else the cluster's. A bound set alone carries the other
     * along when the cluster's value would cross it ({@code min: 12} on a cluster of 2–10 gives 12–12), so a model
     * never has to restate the cluster's settings to be valid.
     */
    public Bounds bounds(int clusterMin, int clusterMax) {
        int low = min.orElse(max.isPresent() ? Math.min(clusterMin, max.getAsInt()) : clusterMin);
        int high = max.orElse(Math.max(clusterMax, low));
        return new Bounds(low, high);
    }

    /** HPA {@code minReplicas} and {@code maxReplicas}. */
    public record Bounds(int min, int max) {}
}
