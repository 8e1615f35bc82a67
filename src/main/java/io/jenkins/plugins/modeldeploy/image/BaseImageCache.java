package io.jenkins.plugins.modeldeploy.image;

import io.jenkins.plugins.modeldeploy.model.ModelRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Base images built with mmdebstrap ({@link BaseImageBuilder}), kept as tars under
 * {@code ~/.cache/model-deploy/base-images}: building one takes a minute or two, reusing it a moment. The file name
 * carries a hash of the package list and mirrors, so a change of either builds a new one.
 */
public final class BaseImageCache {
    private BaseImageCache() {}

    public static Path directory() {
        return Path.of(System.getProperty("user.home"), ".cache", "model-deploy", "base-images");
    }

    /** The cached tar for {@code runtime}, built first when missing. */
    public static synchronized Path tar(ModelRuntime runtime, Consumer<String> log)
            throws ImageBuildException, InterruptedException {
        String key = Integer.toHexString((String.join(",", BaseImageBuilder.packages(runtime))
                        + String.join(",", BaseImageBuilder.DEFAULT_MIRRORS))
                .hashCode());
        Path tar = directory().resolve(runtime.id() + "-" + key + ".tar");
        if (!Files.exists(tar)) {
            try {
                Files.createDirectories(directory());
            } catch (java.io.IOException e) {
                throw new ImageBuildException(
                        "cannot create the base image cache " + directory() + ": " + e.getMessage(), e);
            }
            log.accept("building the " + runtime.id() + " base image once (mmdebstrap, about two minutes); cached in "
                    + tar);
            // Built beside it and renamed when complete: an interrupted build never leaves a truncated tar behind.
            Path partial = tar.resolveSibling(tar.getFileName() + ".partial");
            try {
                new BaseImageBuilder(log)
                        .buildTar(
                                runtime,
                                partial,
                                "model-deploy/base-" + runtime.id() + ":cached",
                                BaseImageBuilder.DEFAULT_MIRRORS);
                Files.move(partial, tar, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (java.io.IOException e) {
                throw new ImageBuildException("cannot build the " + runtime.id() + " base image: " + e.getMessage(), e);
            }
        }
        return tar;
    }
}
