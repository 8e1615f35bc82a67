package io.jenkins.plugins.modeldeploy.target;

import java.util.Objects;

/** A deployed version by name only (what rollback and retire need; the model directory may be long gone). */
public record VersionRef(String model, String version) {
    public VersionRef {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(version, "version");
    }

    /** {@code model-version}: the name of the version's Deployment and Service. */
    public String id() {
        return model + "-" + version;
    }

    @Override
    public String toString() {
        return id();
    }
}
