package io.jenkins.plugins.modeldeploy.local;

import io.jenkins.plugins.modeldeploy.target.FileReleaseStore;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;

/**
 * The persistent local target's state directory ({@code local start --state DIR}):
 *
 * <pre>
 * daemon.json    the running daemon: pid, gateway and control URLs (written once it serves, removed at stop)
 * daemon.lock    held by the running daemon for its whole life: at most one daemon per directory
 * daemon.log     the daemon's output (events, harness logs)
 * token          the control API's bearer token, readable by its owner only (0600)
 * desired.json   what the daemon runs: versions (running or scaled to zero), routes and weights
 * releases/      the release state ({@link FileReleaseStore}), shared with the CLI
 * versions/      the model files each version runs (a copy taken at rollout: later edits do not leak in)
 * images/        the image archives of the container runtime
 * </pre>
 */
public record LocalState(Path root) {
    public LocalState {
        root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
    }

    public Path record() {
        return root.resolve("daemon.json");
    }

    public Path lock() {
        return root.resolve("daemon.lock");
    }

    public Path log() {
        return root.resolve("daemon.log");
    }

    public Path token() {
        return root.resolve("token");
    }

    public Path desired() {
        return root.resolve("desired.json");
    }

    public Path releases() {
        return root.resolve("releases");
    }

    public Path versions() {
        return root.resolve("versions");
    }

    public Path images() {
        return root.resolve("images");
    }

    /** Creates the directory (only its owner may enter it) when missing. */
    public void create() throws IOException {
        if (!Files.isDirectory(root)) {
            if (posix(root)) {
                Files.createDirectories(
                        root, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(root);
            }
        }
    }

    /** Whether the file system of {@code path} has POSIX permissions (0600/0700 can be set). */
    private static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /** Replaces {@code file} with {@code content} atomically; {@code ownerOnly}: mode 0600 from the start. */
    static void write(Path file, byte[] content, boolean ownerOnly) throws IOException {
        Path temporary = file.resolveSibling(
                file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        Files.deleteIfExists(temporary);
        try {
            if (ownerOnly && posix(temporary)) {
                Files.createFile(
                        temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else if (ownerOnly) {
                Files.createFile(temporary); // a file system without POSIX permissions: as its defaults say
            }
            Files.write(temporary, content);
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (FileAlreadyExistsException e) {
            throw new IOException("cannot write " + file + ": " + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
