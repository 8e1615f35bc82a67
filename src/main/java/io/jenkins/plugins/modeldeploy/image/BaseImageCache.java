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
            // Two processes (two CLIs, a CLI and a Jenkins agent) may want the same base at once: the second waits
            // for the first's build under a file lock and then finds the tar, instead of building it again beside it.
            Path lockFile = tar.resolveSibling(tar.getFileName() + ".lock");
            try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(
                            lockFile, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
                    java.nio.channels.FileLock lock = channel.lock()) {
                if (!Files.exists(tar)) {
                    build(runtime, extras, mirrors, tar, log);
                }
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

    /** Builds the base into a partial file of its own beside {@code tar} and renames it into place when complete. */
    private static void build(
            ModelRuntime runtime, List<String> extras, List<String> mirrors, Path tar, Consumer<String> log)
            throws java.io.IOException, ImageBuildException, InterruptedException {
        log.accept("building the " + runtime.id() + " base image once (mmdebstrap, about two minutes"
                + (extras.isEmpty() ? "" : ", with " + String.join(" ", extras)) + "); cached in " + tar);
        // an interrupted build never leaves a truncated tar behind, and no other build shares its partial file
        Path partial = Files.createTempFile(directory(), "." + tar.getFileName() + ".", ".partial");
        io.jenkins.plugins.modeldeploy.cleanup.ExitCleanup.register(partial);
        try {
            new BaseImageBuilder(log)
                    .buildTar(runtime, extras, partial, "model-deploy/base-" + runtime.id() + ":cached", mirrors);
            Files.move(partial, tar, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(partial);
            io.jenkins.plugins.modeldeploy.cleanup.ExitCleanup.forget(partial);
        }
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
