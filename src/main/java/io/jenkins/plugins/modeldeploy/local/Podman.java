package io.jenkins.plugins.modeldeploy.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Debian's podman (rootful, runc) with the project's own configuration (the {@code podman/containers.conf} resource:
 * runc, cgroupfs, the ulimits this host allows) and a storage directory under the user's cache, so pulled base
 * layers stay between runs. The machine's global podman configuration is never read or changed.
 */
public final class Podman {
    private final Map<String, String> env;

    private Podman(Map<String, String> env) {
        this.env = env;
    }

    public static Podman projectLocal() throws IOException {
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "model-deploy", "podman");
        Files.createDirectories(cache);
        Path conf = cache.resolve("containers.conf");
        try (var in = Podman.class.getResourceAsStream("/podman/containers.conf")) {
            if (in == null) {
                throw new IOException("the podman/containers.conf resource is missing from the classpath");
            }
            Files.write(conf, in.readAllBytes());
        }
        Path storage = cache.resolve("storage.conf");
        Files.writeString(
                storage,
                "[storage]\ndriver = \"vfs\"\ngraphroot = \"" + cache.resolve("graph") + "\"\nrunroot = \""
                        + cache.resolve("run") + "\"\n");
        return new Podman(Map.of("CONTAINERS_CONF", conf.toString(), "CONTAINERS_STORAGE_CONF", storage.toString()));
    }

    /** Starts podman with {@code args} without waiting (e.g. {@code wait} or {@code logs --follow}). */
    public Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("podman"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        return builder.start();
    }

    /** Runs podman with {@code args}; returns stdout, or throws with its output on failure. */
    public String run(long timeoutSeconds, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("podman"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("podman " + String.join(" ", args) + " timed out");
        }
        if (process.exitValue() != 0) {
            throw new IOException(
                    "podman " + String.join(" ", args) + " failed (" + process.exitValue() + "): " + output.strip());
        }
        return output.strip();
    }
}
