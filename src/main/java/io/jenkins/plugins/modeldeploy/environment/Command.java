package io.jenkins.plugins.modeldeploy.environment;

import io.jenkins.plugins.modeldeploy.cleanup.ExitCleanup;
import io.jenkins.plugins.modeldeploy.cleanup.ProcessTree;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs an installer (pip, Rscript, dpkg-query) with exactly the environment given, bounded by a timeout, its output
 * passed to the log line by line and its last lines kept for the error message.
 */
final class Command {
    static final int TAIL_LINES = 15;

    /** What a finished command said: its exit code and its last lines. */
    record Result(int exitCode, List<String> tail) {
        String tailText() {
            return String.join(" | ", tail);
        }
    }

    private Command() {}

    static Result run(List<String> command, Map<String, String> env, Duration timeout, Consumer<String> log)
            throws EnvironmentException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        // exactly what we pass: a user's PIP_INDEX_URL or R_LIBS_USER would make the result depend on the machine
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process;
        try {
            process = builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new EnvironmentException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        }
        ExitCleanup.register(process.toHandle(), Duration.ofSeconds(5));
        Deque<String> tail = new ArrayDeque<>();
        // read on a thread of its own: a hung installer that keeps its output open must not outlast the timeout
        Thread reader = new Thread(
                () -> {
                    try (var lines = process.inputReader(StandardCharsets.UTF_8)) {
                        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                            synchronized (tail) {
                                if (tail.size() == TAIL_LINES) {
                                    tail.removeFirst();
                                }
                                tail.addLast(line);
                            }
                            log.accept(line);
                        }
                    } catch (IOException e) {
                        // the process was stopped: its last lines are already kept
                    }
                },
                "output of " + command.get(0));
        reader.setDaemon(true);
        reader.start();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                ProcessTree.stop(process.toHandle(), Duration.ofSeconds(5));
                reader.join(1000);
                synchronized (tail) {
                    throw new EnvironmentException(String.join(" ", command.subList(0, Math.min(4, command.size())))
                            + " did not finish within "
                            + timeout.toMinutes() + " minutes: " + String.join(" | ", tail));
                }
            }
            reader.join(5000);
        } finally {
            if (process.isAlive()) { // interrupted while waiting
                ProcessTree.stop(process.toHandle(), Duration.ofSeconds(5));
            }
            ExitCleanup.forget(process.toHandle());
        }
        synchronized (tail) {
            return new Result(process.exitValue(), List.copyOf(tail));
        }
    }
}
