package io.jenkins.plugins.modeldeploy.target;

/** What happens to a version that failed its rollout or left production. */
public enum RetireMode {
    /** Delete its workload and Service. */
    REMOVE,
    /** Keep the objects with zero replicas, so a rollback restores the exact same digest in seconds. */
    SCALE_TO_ZERO
}
