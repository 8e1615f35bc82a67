package io.jenkins.plugins.modeldeploy.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Wraps a root file system tar (as mmdebstrap writes it) into a one-layer image in {@code docker save} format, which
 * Jib can use as a base ({@code tar:PATH}) and podman can load. Every time inside is fixed, so the same root file
 * system gives the same bytes.
 */
public final class DockerArchive {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DockerArchive() {}

    /**
     * @param env environment of the image, e.g. {@code PATH=...}
     * @return the image id ({@code sha256:} of the config)
     */
    public static String write(
            Path rootfsTar, Path target, String reference, List<String> env, Map<String, String> labels)
            throws IOException {
        String diffId = "sha256:" + sha256(rootfsTar);
        ObjectNode config = JSON.createObjectNode();
        config.put("architecture", "amd64");
        config.put("os", "linux");
        config.put("created", "1970-01-01T00:00:00Z");
        ObjectNode inner = config.putObject("config");
        ArrayNode envNode = inner.putArray("Env");
        env.forEach(envNode::add);
        ObjectNode labelNode = inner.putObject("Labels");
        labels.forEach(labelNode::put);
        ObjectNode rootfs = config.putObject("rootfs");
        rootfs.put("type", "layers");
        rootfs.putArray("diff_ids").add(diffId);
        config.putArray("history")
                .addObject()
                .put("created", "1970-01-01T00:00:00Z")
                .put("created_by", "mmdebstrap (model-deploy base-image)");
        byte[] configBytes = JSON.writeValueAsBytes(config);
        String configHex = sha256(configBytes);
        String layerName = diffId.substring(7) + "/layer.tar";
        ArrayNode manifest = JSON.createArrayNode();
        ObjectNode entry = manifest.addObject();
        entry.put("Config", configHex + ".json");
        entry.putArray("RepoTags").add(reference);
        entry.putArray("Layers").add(layerName);

        Path temp = Files.createTempFile(
                Objects.requireNonNull(target.toAbsolutePath().getParent(), "target has a folder"), ".image-", ".tar");
        // the partial tar goes on failure (a full disk) and, through the exit sweep, on a signal
        io.jenkins.plugins.modeldeploy.cleanup.ExitCleanup.register(temp);
        try {
            try (OutputStream out = Files.newOutputStream(temp);
                    TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                add(tar, configHex + ".json", configBytes);
                TarArchiveEntry layer = entry(layerName, Files.size(rootfsTar));
                tar.putArchiveEntry(layer);
                Files.copy(rootfsTar, tar);
                tar.closeArchiveEntry();
                add(tar, "manifest.json", JSON.writeValueAsBytes(manifest));
            }
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp); // gone already when the move succeeded
            io.jenkins.plugins.modeldeploy.cleanup.ExitCleanup.forget(temp);
        }
        return "sha256:" + configHex;
    }

    private static void add(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        tar.putArchiveEntry(entry(name, content.length));
        tar.write(content);
        tar.closeArchiveEntry();
    }

    private static TarArchiveEntry entry(String name, long size) {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(size);
        entry.setModTime(0);
        entry.setMode(0644);
        entry.setUserId(0);
        entry.setGroupId(0);
        return entry;
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of()
                    .formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
