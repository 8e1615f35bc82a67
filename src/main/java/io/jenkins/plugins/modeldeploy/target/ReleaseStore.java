package io.jenkins.plugins.modeldeploy.target;

import java.util.Map;
import java.util.Optional;

/**
 * The durable state of a model's release and of its versions: the {@link ReleaseState} (compare-and-swap), each
 * version's stage and the evidence recorded on it. On Kubernetes it is the cluster itself (a ConfigMap annotation and
 * the versions' Deployment annotations), so that any run — CLI, another Jenkins controller — sees the same.
 */
public interface ReleaseStore {
    Optional<ReleaseState> load(String model) throws TargetException;

    /**
     * Replaces the model's state if it is still {@code expected} (empty: none stored yet), and fails with
     * {@link ConcurrentReleaseException} otherwise, so two runs can never both promote.
     */
    void save(Optional<ReleaseState> expected, ReleaseState next) throws TargetException;

    /** Forgets the model's release state (its versions' stages and evidence go with their objects). Idempotent. */
    void delete(String model) throws TargetException;

    /** The stage of every version of {@code model} that has one. */
    Map<String, Stage> stages(String model) throws TargetException;

    void setStage(VersionRef version, Stage stage) throws TargetException;

    /**
     * Records evidence on the version (smoke summary, verdict, approver …), keys without the
     * {@code model-deploy.jenkins.io/} prefix; values replace earlier ones of the same key.
     */
    void annotate(VersionRef version, Map<String, String> evidence) throws TargetException;

    /** What {@link #annotate} and the rollout recorded on the version, keys without the prefix. */
    Map<String, String> annotations(VersionRef version) throws TargetException;
}
