package io.jenkins.plugins.modeldeploy.kube;

import io.jenkins.plugins.modeldeploy.target.TargetException;
import java.util.List;

/** Writing an object failed; the message starts with {@code namespace/Kind/name}. */
public final class KubernetesApplyException extends TargetException {
    private final List<ResourceApplier.Change> applied;

    public KubernetesApplyException(String message, Throwable cause) {
        this(message, cause, List.of());
    }

    public KubernetesApplyException(String message, Throwable cause, List<ResourceApplier.Change> applied) {
        super(message, cause);
        this.applied = List.copyOf(applied);
    }

    /** What the apply did to the objects before the one that failed (in order), so that a caller can undo it. */
    public List<ResourceApplier.Change> applied() {
        return applied;
    }
}
