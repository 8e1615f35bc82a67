package io.jenkins.plugins.modeldeploy.testing;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Debian's podman (rootful, runc) with the project's own configuration: {@code src/test/resources/podman/containers.conf}
 * and a storage directory under the user's cache, so pulled base layers stay between test runs. The machine's global
 * podman configuration is never read or changed.
 */
public final class Podman {
    private final Map<String, String> env;

    private Podman(Map<String, String> env) {
        this.env = env;
    }

    public static Podman projectLocal() throws IOException {
        Path conf;
        try {
            conf = Path.of(Podman.class.getResource("/podman/containers.conf").toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "model-deploy", "podman");
        Files.createDirectories(cache);
        Path storage = cache.resolve("storage.conf");
        Files.writeString(storage, "[storage]\ndriver = \"vfs\"\ngraphroot = \"" + cache.resolve("graph")
                + "\"\nrunroot = \"" + cache.resolve("run") + "\"\n");
        return new Podman(Map.of("CONTAINERS_CONF", conf.toString(), "CONTAINERS_STORAGE_CONF", storage.toString()));
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
            throw new IOException("podman " + String.join(" ", args) + " failed (" + process.exitValue() + "): "
                    + output.strip());
        }
        return output.strip();
    }
}
