package io.jenkins.plugins.modeldeploy.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.modeldeploy.model.ModelRuntime;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code base-image --to tar:} leaves nothing next to its target (issue #15 item 7): no half-written root file system
 * or image tar when mmdebstrap fails, nor when the JVM is stopped by SIGTERM or SIGINT while mmdebstrap runs — and
 * mmdebstrap itself is stopped with it.
 */
class BaseImageCleanupIT {
    @TempDir
    Path dir;

    /** Builds a base into {@code args[0]} from the mirror {@code args[1]}. */
    public static final class Probe {
        public static void main(String[] args) throws Exception {
            new BaseImageBuilder(System.out::println)
                    .buildTar(ModelRuntime.PYTHON, Path.of(args[0]), "localhost/base/python:1", List.of(args[1]));
        }
    }

    private List<Path> leftovers() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("out"))) {
            return files.toList();
        }
    }

    @Test
    void aFailedBuildLeavesNoFileNextToTheTarget() throws Exception {
        Files.createDirectories(dir.resolve("out"));
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort(); // nothing listens there once the socket is closed
        }
        assertThatThrownBy(() -> new BaseImageBuilder(line -> {})
                        .buildTar(
                                ModelRuntime.PYTHON,
                                dir.resolve("out/base.tar"),
                                "localhost/base/python:1",
                                List.of("deb http://127.0.0.1:" + closed + "/debian bookworm main")))
                .isInstanceOf(ImageBuildException.class)
                .hasMessageContaining("mmdebstrap failed");
        assertThat(leftovers()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void aSignalDuringTheBuildLeavesNoFileAndNoMmdebstrap(String signal) throws Exception {
        Files.createDirectories(dir.resolve("out"));
        List<Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ServerSocket mirror = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            // a mirror that accepts and never answers: apt waits, so mmdebstrap is mid-build when the signal comes
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(mirror.accept());
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            // its own process group (setsid execs in place: the pid is the JVM's), so what mmdebstrap does to its
            // group on main's code can never reach the test's JVM
            Process probe = new ProcessBuilder(
                            "/usr/bin/setsid",
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-cp",
                            System.getProperty("java.class.path"),
                            Probe.class.getName(),
                            dir.resolve("out/base.tar").toString(),
                            "deb http://127.0.0.1:" + mirror.getLocalPort() + "/debian bookworm main")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            try {
                // no event tells when mmdebstrap has started: poll its appearance, bounded
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                Optional<ProcessHandle> mmdebstrap = Optional.empty();
                while (mmdebstrap.isEmpty() && System.nanoTime() < deadline) {
                    mmdebstrap = probe.descendants()
                            .filter(p -> p.info().commandLine().orElse("").contains("mmdebstrap"))
                            .findFirst();
                    Thread.sleep(100);
                }
                assertThat(mmdebstrap).as("mmdebstrap started").isPresent();
                assertThat(leftovers())
                        .as("the root file system is being written next to the target")
                        .isNotEmpty();
                List<ProcessHandle> tree = new ArrayList<>(probe.descendants().toList());
                new ProcessBuilder("kill", "-s", signal, Long.toString(probe.pid()))
                        .start()
                        .waitFor(10, TimeUnit.SECONDS);
                assertThat(probe.waitFor(60, TimeUnit.SECONDS))
                        .as("the JVM exited")
                        .isTrue();
                for (ProcessHandle p : tree) {
                    p.onExit().get(20, TimeUnit.SECONDS); // mmdebstrap and its apt stopped with the JVM
                }
                assertThat(leftovers()).isEmpty();
            } finally {
                probe.descendants().forEach(ProcessHandle::destroyForcibly);
                probe.destroyForcibly();
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }
}
