package io.jenkins.plugins.modeldeploy.jenkins.steps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Where the RabbitMQ sink spools the events the broker has not confirmed: files in the build's own directory (not a
 * temporary folder), one per open session so parallel steps never share one. When a session opens, it takes over
 * what earlier sessions of this build and earlier, finished builds of the job left there, so its sink republishes it;
 * an emptied spool is removed when its session closes.
 */
final class EventSpools {
    static final String PREFIX = "model-deploy-events-";
    static final String SUFFIX = ".spool";
    private static final Set<Path> IN_USE = new HashSet<>();

    private EventSpools() {}

    /**
     * A spool in {@code dirs.get(0)} (this build's directory) for one session, holding what the spools of {@code dirs}
     * (this build's, then earlier finished builds') left unconfirmed, in the order they were spooled.
     */
    static Path claim(List<Path> dirs) throws IOException {
        Path own = dirs.get(0);
        Files.createDirectories(own);
        Path spool;
        synchronized (IN_USE) {
            int n = 1;
            do {
                spool = own.resolve(PREFIX + n++ + SUFFIX).toAbsolutePath();
            } while (IN_USE.contains(spool) || Files.exists(spool));
            IN_USE.add(spool);
            for (int i = dirs.size() - 1; i >= 0; i--) { // oldest first
                adopt(dirs.get(i), spool);
            }
        }
        return spool;
    }

    private static void adopt(Path dir, Path spool) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> left = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
            for (Path file : left) {
                Path absolute = file.toAbsolutePath();
                if (IN_USE.contains(absolute)) {
                    continue;
                }
                byte[] lines = Files.readAllBytes(absolute);
                if (lines.length > 0) {
                    Files.write(spool, lines, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    if (lines[lines.length - 1] != '\n') {
                        Files.write(spool, "\n".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
                    }
                }
                Files.delete(absolute);
            }
        }
    }

    /** The session closed: its spool is free to be taken over, and removed when the broker confirmed everything. */
    static void release(Path spool) {
        synchronized (IN_USE) {
            IN_USE.remove(spool);
            try {
                if (Files.exists(spool) && Files.size(spool) == 0) {
                    Files.delete(spool);
                }
            } catch (IOException e) {
                // kept: the next session takes it over
            }
        }
    }
}
