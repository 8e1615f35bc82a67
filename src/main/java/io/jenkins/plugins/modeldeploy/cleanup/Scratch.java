package io.jenkins.plugins.modeldeploy.cleanup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * A scratch directory in the temp folder that goes away with its owner: on {@link #close()} (normal end or failure,
 * through try-with-resources) and, should the JVM be stopped by a signal first, through {@link ExitCleanup}.
 */
public final class Scratch implements AutoCloseable {
    private final Path path;

    private Scratch(Path path) {
        this.path = path;
    }

    /** A new, empty directory {@code <java.io.tmpdir>/<prefix><random>}. */
    public static Scratch directory(String prefix) throws IOException {
        Path path = Files.createTempDirectory(prefix);
        ExitCleanup.register(path);
        return new Scratch(path);
    }

    public Path path() {
        return path;
    }

    /**
     * Deletes the directory with everything in it.
     *
     * @return what could not be deleted (empty when all is gone)
     */
    public List<Path> delete() {
        List<Path> left = deleteTree(path);
        if (left.isEmpty()) {
            ExitCleanup.forget(path);
        }
        return left;
    }

    @Override
    public void close() {
        delete();
    }

    /**
     * Deletes a file or a directory tree without following symbolic links out of it (a link is removed, not its
     * target); carries on past what cannot be deleted.
     *
     * @return the paths that could not be deleted
     */
    public static List<Path> deleteTree(Path root) {
        List<Path> failed = new ArrayList<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    if (!(e instanceof NoSuchFileException)) {
                        failed.add(file);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                    delete(dir);
                    return FileVisitResult.CONTINUE;
                }

                private void delete(Path path) {
                    try {
                        Files.deleteIfExists(path);
                    } catch (IOException e) {
                        failed.add(path);
                    }
                }
            });
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot walk " + root, e);
        }
        return List.copyOf(failed);
    }
}
