package io.jenkins.plugins.modeldeploy.image;

import io.jenkins.plugins.modeldeploy.model.ModelRuntime;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
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
    public static Path tar(ModelRuntime runtime, Consumer<String> log)
            throws ImageBuildException, InterruptedException {
        return tar(runtime, List.of(), Optional.empty(), log);
    }

    /**
     * The cached tar of {@code runtime}'s base with a model's {@code extras} (environment.debian) from the mirrors of
     * {@code snapshot} (else Debian's current ones), built first when missing.
     */
    public static synchronized Path tar(
            ModelRuntime runtime, List<String> extras, Optional<String> snapshot, Consumer<String> log)
            throws ImageBuildException, InterruptedException {
        extras = BaseImageBuilder.extrasBeyond(runtime, extras); // packages the runtime's base has add nothing
        List<String> mirrors = snapshot.map(BaseImageBuilder::snapshotMirrors).orElse(BaseImageBuilder.DEFAULT_MIRRORS);
        Path tar = path(runtime, extras, snapshot);
        if (!Files.exists(tar)) {
            try {
                Files.createDirectories(directory());
            } catch (java.io.IOException e) {
                throw new ImageBuildException(
                        "cannot create the base image cache " + directory() + ": " + e.getMessage(), e);
            }
            log.accept("building the " + runtime.id() + " base image once (mmdebstrap, about two minutes"
                    + (extras.isEmpty() ? "" : ", with " + String.join(" ", extras)) + "); cached in " + tar);
            // Built beside it and renamed when complete: an interrupted build never leaves a truncated tar behind.
            Path partial = tar.resolveSibling(tar.getFileName() + ".partial");
            try {
                new BaseImageBuilder(log)
                        .buildTar(runtime, extras, partial, "model-deploy/base-" + runtime.id() + ":cached", mirrors);
                Files.move(partial, tar, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (java.io.IOException e) {
                throw new ImageBuildException(
                        "cannot build the " + runtime.id() + " base image"
                                + (extras.isEmpty() ? "" : " with " + String.join(" ", extras)) + ": " + e.getMessage(),
                        e);
            }
        } else if (!extras.isEmpty() || snapshot.isPresent()) {
            log.accept("reusing the cached " + runtime.id() + " base with " + String.join(" ", extras) + ": " + tar);
        }
        return tar;
    }

    /**
     * Where the base of this package set lives. The runtime's own set keeps the name it always had (existing caches
     * stay valid); a set with extras or a snapshot is named by a SHA-256 of the sorted packages and the mirrors.
     */
    public static Path path(ModelRuntime runtime, List<String> declared, Optional<String> snapshot) {
        List<String> extras = BaseImageBuilder.extrasBeyond(runtime, declared);
        if (extras.isEmpty() && snapshot.isEmpty()) {
            String key = Integer.toHexString((String.join(",", BaseImageBuilder.packages(runtime))
                            + String.join(",", BaseImageBuilder.DEFAULT_MIRRORS))
                    .hashCode());
            return directory().resolve(runtime.id() + "-" + key + ".tar");
        }
        List<String> mirrors = snapshot.map(BaseImageBuilder::snapshotMirrors).orElse(BaseImageBuilder.DEFAULT_MIRRORS);
        String inputs = "packages " + String.join(",", BaseImageBuilder.packages(runtime, extras)) + "\nmirrors "
                + String.join(",", mirrors);
        try {
            String key = HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(inputs.getBytes(StandardCharsets.UTF_8)));
            return directory().resolve(runtime.id() + "-" + key.substring(0, 32) + ".tar");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
