package io.jenkins.plugins.modeldeploy.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The serving harness sources shipped as resources under {@code harness/}: listed in {@code harness/files.txt} (a jar
 * cannot be listed reliably), extracted on demand into a directory named by their content hash, so concurrent or
 * repeated runs share one copy and a changed harness never mixes with an old one.
 */
public final class HarnessFiles {
    static final String ROOT = "harness/";
    static final String INDEX = ROOT + "files.txt";
    /** The directory to put on {@code PYTHONPATH}, relative to the extracted root. */
    public static final String PYTHON_PATH = "python";

    private final Map<String, byte[]> files;
    private final String digest;

    private HarnessFiles(Map<String, byte[]> files) {
        this.files = files;
        this.digest = digest(files);
    }

    /** The harness as packaged with this build. */
    public static HarnessFiles bundled() {
        ClassLoader loader = HarnessFiles.class.getClassLoader();
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String name : read(loader, INDEX)
                .lines()
                .map(String::strip)
                .filter(l -> !l.isEmpty())
                .toList()) {
            files.put(name, readBytes(loader, ROOT + name));
        }
        return new HarnessFiles(files);
    }

    /** Relative paths, e.g. {@code python/mdharness/server.py}, in index order. */
    public List<String> names() {
        return List.copyOf(files.keySet());
    }

    public byte[] content(String name) {
        byte[] content = files.get(name);
        if (content == null) {
            throw new IllegalArgumentException("no harness file " + name);
        }
        return content.clone();
    }

    /** SHA-256 over names and contents, hex: changes whenever any harness file changes. */
    public String digest() {
        return digest;
    }

    /**
     * Extracts into {@code cacheRoot/<digest prefix>/} unless already there, and returns that directory. Written to
     * a temporary sibling and renamed, so a reader never sees a half-written harness.
     */
    public Path extractTo(Path cacheRoot) throws IOException {
        Path target = cacheRoot.resolve(digest.substring(0, 16));
        if (Files.isDirectory(target)) {
            return target;
        }
        Files.createDirectories(cacheRoot);
        Path staging = Files.createTempDirectory(cacheRoot, ".extract-");
        try {
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                Path path = staging.resolve(file.getKey());
                Files.createDirectories(
                        Objects.requireNonNull(path.getParent(), "a harness file lies in the staging folder"));
                Files.write(path, file.getValue());
            }
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                if (!Files.isDirectory(target)) {
                    throw e;
                }
            } catch (IOException e) {
                if (!Files.isDirectory(target)) { // another process won the race: its copy is identical
                    throw e;
                }
            }
        } finally {
            deleteRecursively(staging);
        }
        return target;
    }

    /** {@code $XDG_CACHE_HOME/model-deploy/harness}, else {@code ~/.cache/model-deploy/harness}. */
    public static Path defaultCacheRoot() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("model-deploy").resolve("harness");
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private static String read(ClassLoader loader, String resource) {
        return new String(readBytes(loader, resource), StandardCharsets.UTF_8);
    }

    private static byte[] readBytes(ClassLoader loader, String resource) {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("harness resource " + resource + " is missing from this build");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read harness resource " + resource, e);
        }
    }

    private static String digest(Map<String, byte[]> files) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                sha.update(file.getKey().getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
                sha.update(file.getValue());
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
