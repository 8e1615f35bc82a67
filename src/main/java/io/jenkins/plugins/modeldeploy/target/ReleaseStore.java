package io.jenkins.plugins.modeldeploy.target;

import java.util.Map;
import java.util.Optional;

/**
 * The durable state of a model's release: which version serves, the split, and the promotion in progress. It is what
 * makes promotion and rollback safe to re-run after a crash at any point.
 */
public interface ReleaseStore {
    Optional<ReleaseState> load(String model) throws TargetException;

    /**
     * Replaces the model's state if it is still {@code expected} (empty: none stored yet), and fails with
     * {@link ConcurrentReleaseException} otherwise, so two runs can never both promote.
     */
    void save(Optional<ReleaseState> expected, ReleaseState next) throws TargetException;

    /** The stage of every version of {@code model} that has one. */
    Map<String, Stage> stages(String model) throws TargetException;

    void setStage(VersionRef version, Stage stage) throws TargetException;
}
