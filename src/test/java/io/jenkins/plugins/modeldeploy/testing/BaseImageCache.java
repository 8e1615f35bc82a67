package io.jenkins.plugins.modeldeploy.testing;

import io.jenkins.plugins.modeldeploy.image.BaseImageBuilder;
import io.jenkins.plugins.modeldeploy.model.ModelRuntime;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Base images built with {@code base-image} (mmdebstrap), kept under ~/.cache/model-deploy/base-images between test
 * runs on the same machine: building one takes about a minute, reusing it a moment.
 */
public final class BaseImageCache {
    private BaseImageCache() {}

    public static synchronized Path tar(ModelRuntime runtime) throws Exception {
        String key = Integer.toHexString((String.join(",", BaseImageBuilder.packages(runtime))
                + String.join(",", BaseImageBuilder.DEFAULT_MIRRORS)).hashCode());
        Path dir = Path.of(System.getProperty("user.home"), ".cache", "model-deploy", "base-images");
        Files.createDirectories(dir);
        Path tar = dir.resolve(runtime.id() + "-" + key + ".tar");
        if (!Files.exists(tar)) {
            new BaseImageBuilder(line -> System.out.println("[base-image] " + line)).buildTar(runtime, tar,
                    "model-deploy/base-" + runtime.id() + ":test", BaseImageBuilder.DEFAULT_MIRRORS);
        }
        return tar;
    }
}
