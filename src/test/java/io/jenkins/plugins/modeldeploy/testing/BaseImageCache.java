package io.jenkins.plugins.modeldeploy.testing;

import io.jenkins.plugins.modeldeploy.model.ModelRuntime;
import java.nio.file.Path;

/**
 * Base images built with {@code base-image} (mmdebstrap), kept under ~/.cache/model-deploy/base-images between test
 * runs on the same machine: building one takes about a minute, reusing it a moment.
 */
public final class BaseImageCache {
    private BaseImageCache() {}

    public static Path tar(ModelRuntime runtime) throws Exception {
        return io.jenkins.plugins.modeldeploy.image.BaseImageCache.tar(
                runtime, line -> System.out.println("[base-image] " + line));
    }
}
