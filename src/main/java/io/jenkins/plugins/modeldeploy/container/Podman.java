package io.jenkins.plugins.modeldeploy.container;

import io.jenkins.plugins.modeldeploy.cleanup.ExitCleanup;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Debian's podman (rootful, runc) with the project's own configuration (the {@code podman/containers.conf} resource:
 * runc, cgroupfs, the ulimits this host allows) and a storage directory under the user's cache, so pulled base
 * layers stay between runs. The machine's global podman configuration is never read or changed.
 *
 * <p>Every container this JVM starts (the local target's versions, an image under verification) carries
 * {@link #RUN_LABEL} with {@link #RUN} as its value, and {@link #removeOnExit()} registers the one exit sweep that
 * removes them.
 */
public final class Podman {
    /**
     * The label every container of this JVM carries, with {@link #RUN} as its value: the exit sweep lists containers
     * by it, so it removes this run's containers (also one whose {@code podman run} had not returned its id yet) and
     * never another run's, nor anything else on the host.
     */
    public static final String RUN_LABEL = "io.jenkins.model-deploy/run";
    /** This JVM's run: its pid (for a person reading {@code podman ps}) and a random part (pids are reused). */
    public static final String RUN = ProcessHandle.current().pid() + "-" + UUID.randomUUID();
    /** Seconds a container gets to drain at exit before podman kills it: the sweep runs inside a shutdown hook. */
    private static final int EXIT_STOP_SECONDS = 5;

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

    /** True when a {@code podman} executable is on the {@code PATH}. */
    public static boolean installed() {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "podman"))) {
                return true;
            }
        }
        return false;
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

    /**
     * Registers the exit sweep of this run's containers (once per run; again is harmless): call it before
     * {@code podman run}, so that a signal between the run and its answer still finds the container.
     */
    public void removeOnExit() {
        ExitCleanup.register(RUN_LABEL + "=" + RUN, this::removeRunContainers);
    }

    /**
     * Stops and removes every container of this run ({@code podman rm --force} also ends its conmon): what the exit
     * sweep runs on SIGTERM, SIGINT or the end of {@code main} when the owner did not get to stop it.
     */
    public void removeRunContainers() {
        try {
            List<String> ids = run(30, "ps", "--all", "--quiet", "--filter", "label=" + RUN_LABEL + "=" + RUN)
                    .lines()
                    .filter(l -> !l.isBlank())
                    .toList();
            if (ids.isEmpty()) {
                return;
            }
            List<String> rm = new ArrayList<>(
                    List.of("rm", "--force", "--ignore", "--time", Integer.toString(EXIT_STOP_SECONDS)));
            rm.addAll(ids);
            run(EXIT_STOP_SECONDS + 30L, rm.toArray(String[]::new));
        } catch (IOException e) {
            // podman itself failed: nothing more can be done from a shutdown hook
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
