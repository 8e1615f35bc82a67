package io.jenkins.plugins.modeldeploy.model;

import java.util.Locale;
import java.util.Optional;

/** The language a model is written in; it decides how the harness loads and calls it. */
public enum ModelRuntime {
    PYTHON,
    R;

    /** The name used in {@code model.yaml}, labels and the harness configuration. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ModelRuntime> fromId(String id) {
        for (ModelRuntime runtime : values()) {
            if (runtime.id().equals(id)) {
                return Optional.of(runtime);
            }
        }
        return Optional.empty();
    }
}
