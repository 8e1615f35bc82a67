package io.jenkins.plugins.modeldeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.event.JournalSink;
import io.jenkins.plugins.modeldeploy.testing.TestModels;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Nothing left behind (issue #15): the packaged CLI, each run with its own {@code java.io.tmpdir}, stopped by SIGTERM,
 * SIGINT or SIGKILL, or failing — afterwards no harness process of it is alive, its port is free and its temp folder
 * holds nothing of it.
 */
class ProcessCleanupIT {
    private static final Path JAR = Path.of(System.getProperty("modeldeploy.cliJar", "target/model-deploy-cli.jar"));
    private static final Pattern SERVING = Pattern.compile("Serving .* at (http://127\\.0\\.0\\.1:\\d+)");

    @TempDir
    Path workDir;

    private Path tmp;

    private ProcessBuilder cli(String... args) throws IOException {
        tmp = Files.createDirectories(workDir.resolve("tmp"));
        List<String> command = new ArrayList<>(List.of("java", "-Djava.io.tmpdir=" + tmp, "-jar", JAR.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(workDir.toFile());
    }

    private static BufferedReader stdout(Process process) {
        return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Reads lines until one matches, within two minutes; fails with what it saw otherwise. */
    private static String awaitLine(BufferedReader out, Predicate<String> wanted) throws Exception {
        List<String> seen = new ArrayList<>();
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                for (String l = out.readLine(); l != null; l = out.readLine()) {
                    seen.add(l);
                    if (wanted.test(l)) {
                        return l;
                    }
                }
                throw new IllegalStateException("the CLI exited first; it wrote " + seen);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        return line.get(2, TimeUnit.MINUTES);
    }

    /** Keeps reading what the CLI writes, so it never blocks on a full pipe while it stops. */
    private static void drain(BufferedReader out) {
        Thread reader = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // discarded: the test looks at processes and files
                }
            } catch (IOException e) {
                // the CLI exited
            }
        });
        reader.setDaemon(true);
        reader.start();
    }

    private static void signal(Process process, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(process.pid()))
                .inheritIO()
                .start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    /** Every process of the tree has exited within {@code seconds} (each waited for, no polling). */
    private static void assertAllExit(List<ProcessHandle> tree, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<String> alive = new ArrayList<>();
        for (ProcessHandle process : tree) {
            try {
                process.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                alive.add(process.pid() + " " + process.info().commandLine().orElse("?"));
            }
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly); // leave no orphans
        assertThat(alive).as("processes alive %d s after the stop", seconds).isEmpty();
    }

    private void assertTempFolderEmpty() throws IOException {
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString())).isEmpty();
        }
    }

    private static void assertPortFree(int port) throws IOException {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertThat(socket.getLocalPort()).isEqualTo(port);
        }
    }

    private Process startServe(Path model) throws Exception {
        return cli("serve", model.toString(), "--port", "0", "--workers", "2", "--drain-timeout", "5s")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void serveStopsItsHarnessTreeAndLeavesNoFileOn(String signal) throws Exception {
        Process serve = startServe(TestModels.testModel("echo-python", workDir));
        BufferedReader out = stdout(serve);
        Matcher serving = SERVING.matcher(awaitLine(out, l -> SERVING.matcher(l).find()));
        drain(out);
        assertThat(serving.find()).isTrue();
        int port = URI.create(serving.group(1)).getPort();
        List<ProcessHandle> tree = serve.descendants().toList();
        assertThat(tree).hasSizeGreaterThanOrEqualTo(3); // the supervisor and two workers

        signal(serve, signal);

        assertThat(serve.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertAllExit(tree, 10);
        assertPortFree(port);
        assertTempFolderEmpty();
    }

    /**
     * {@code kill -9} of the JVM runs no hook: the harness notices its parent is gone (stdin end-of-file, parent pid)
     * and stops with its workers; the configuration file was already deleted once the harness had read it.
     */
    @Test
    void serveKilledWithSigkillLeavesNoProcessAndFreesThePort() throws Exception {
        Process serve = startServe(TestModels.testModel("echo-python", workDir));
        BufferedReader out = stdout(serve);
        Matcher serving = SERVING.matcher(awaitLine(out, l -> SERVING.matcher(l).find()));
        drain(out);
        assertThat(serving.find()).isTrue();
        int port = URI.create(serving.group(1)).getPort();
        List<ProcessHandle> tree = serve.descendants().toList();
        assertThat(tree).hasSizeGreaterThanOrEqualTo(3);

        serve.destroyForcibly(); // SIGKILL
        assertThat(serve.waitFor(10, TimeUnit.SECONDS)).isTrue();

        assertAllExit(tree, 10);
        assertPortFree(port);
        assertTempFolderEmpty(); // the harness deletes nothing: the configuration file went once it was read
    }

    /**
     * The demo stopped while both versions run: both harness trees stop, its scratch directory (model copy, state)
     * and the harness configuration files go, and every journal line it wrote names its run.
     */
    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void demoStoppedBySignalLeavesNoProcessAndNoScratchFiles(String signal) throws Exception {
        Path journal = workDir.resolve("journal");
        Process demo = cli(
                        "demo",
                        "--no-images",
                        "--examples",
                        TestModels.examplesRoot().toString(),
                        "--journal-dir",
                        journal.toString(),
                        "--report-dir",
                        workDir.resolve("report").toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        BufferedReader out = stdout(demo);
        awaitLine(out, l -> l.contains("iris-2 ready at"));
        drain(out);
        List<ProcessHandle> tree = demo.descendants().toList();
        assertThat(tree.stream().filter(p -> p.info().commandLine().orElse("").contains("mdharness")))
                .as("two harness trees: supervisor and workers of iris-1 and iris-2")
                .hasSizeGreaterThanOrEqualTo(4);

        signal(demo, signal);

        assertThat(demo.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertAllExit(tree, 10);
        assertTempFolderEmpty();
        List<DeploymentEvent> events = new ArrayList<>(JournalSink.read(journal.resolve("iris-1.jsonl")));
        events.addAll(JournalSink.read(journal.resolve("iris-2.jsonl")));
        assertThat(events).isNotEmpty();
        String run = events.get(0).runId().orElseThrow();
        assertThat(events).allSatisfy(e -> assertThat(e.runId()).contains(run));
    }

    /**
     * Two demos started in one directory with the default journal and report folders: their journal lines interleave
     * in the same files, and the run id on each line tells the two runs apart; stopping both leaves nothing.
     */
    @Test
    void twoDemosInOneDirectoryKeepTheirRunsApart() throws Exception {
        List<Process> demos = new ArrayList<>();
        List<ProcessHandle> trees = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                demos.add(cli(
                                "demo",
                                "--no-images",
                                "--examples",
                                TestModels.examplesRoot().toString())
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start());
            }
            for (Process demo : demos) {
                BufferedReader out = stdout(demo);
                awaitLine(out, l -> l.contains("iris-2 ready at"));
                drain(out);
                trees.addAll(demo.descendants().toList());
            }
        } finally {
            for (Process demo : demos) {
                signal(demo, "TERM");
            }
        }
        for (Process demo : demos) {
            assertThat(demo.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertAllExit(trees, 10);
        assertTempFolderEmpty();
        Path journal = workDir.resolve(".model-deploy/events");
        for (String file : List.of("iris-1.jsonl", "iris-2.jsonl")) {
            List<DeploymentEvent> events = JournalSink.read(journal.resolve(file));
            assertThat(events).allSatisfy(e -> assertThat(e.runId()).isPresent());
            assertThat(events.stream().map(e -> e.runId().orElseThrow()).distinct())
                    .as(file)
                    .hasSize(2);
        }
    }

    @Test
    void aFailedBuildLeavesNoScratchDirectory() throws Exception {
        Path model = TestModels.testModel("echo-python", workDir);
        Process build = cli(
                        "build",
                        model.toString(),
                        "--version",
                        "1",
                        "--image",
                        "localhost/echo",
                        "--base-image",
                        "tar:" + workDir.resolve("missing-base.tar"),
                        "--to",
                        "tar:" + workDir.resolve("echo.tar"),
                        "--journal-dir",
                        workDir.resolve("journal").toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(build.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(build.exitValue()).as(output).isEqualTo(1);
        assertThat(output).contains("missing-base.tar not found");
        assertTempFolderEmpty();
    }
}
