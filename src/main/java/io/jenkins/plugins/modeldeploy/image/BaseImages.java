package io.jenkins.plugins.modeldeploy.image;

import io.jenkins.plugins.modeldeploy.model.ModelRuntime;
import java.util.Optional;

/**
 * Default base images per runtime, overridable with {@code MODEL_DEPLOY_BASE_PYTHON} / {@code MODEL_DEPLOY_BASE_R}.
 * Python models run on Debian's python3 from the official slim image (vendor extra packages with
 * {@code dependencies}, or build a base with {@code model-deploy base-image}); R models need R, jsonlite and rpy2
 * together, which no public image offers, so they need a base built with {@code model-deploy base-image --runtime r}.
 */
public final class BaseImages {
    public static final String PYTHON_DEFAULT = "docker.io/library/python:3.11-slim-bookworm";

    private BaseImages() {}

    public static Optional<String> defaultFor(ModelRuntime runtime) {
        String override =
                System.getenv(runtime == ModelRuntime.PYTHON ? "MODEL_DEPLOY_BASE_PYTHON" : "MODEL_DEPLOY_BASE_R");
        if (override != null && !override.isBlank()) {
            return Optional.of(override);
        }
        return runtime == ModelRuntime.PYTHON ? Optional.of(PYTHON_DEFAULT) : Optional.empty();
    }
}
