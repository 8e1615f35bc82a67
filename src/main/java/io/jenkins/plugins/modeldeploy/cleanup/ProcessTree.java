package io.jenkins.plugins.modeldeploy.cleanup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Stops a child process and everything it forked: SIGTERM to the root (which drains and stops its own children),
 * then SIGKILL to the root and every descendant still alive once the bound has passed. Descendants are recorded while
 * the root lives, because once it dies the kernel re-parents them (to PID 1 or a subreaper) and
 * {@link ProcessHandle#descendants()} no longer finds them.
 */
public final class ProcessTree {
    /** How long a SIGKILLed process may take to disappear before we stop waiting for it. */
    static final Duration KILL_WAIT = Duration.ofSeconds(5);

    private static final long POLL_MILLIS = 100;

    private ProcessTree() {}

    /**
     * SIGTERM, wait up to {@code grace} for the root to exit, then SIGKILL whatever of the tree is left. Returns once
     * every process of the tree is gone or {@link #KILL_WAIT} after the SIGKILL has passed; an interrupt skips the
     * grace period (the processes are killed at once) and is kept for the caller.
     *
     * @return the number of processes that had to be killed
     */
    public static int stop(ProcessHandle root, Duration grace) {
        Map<Long, ProcessHandle> seen = new LinkedHashMap<>();
        record(root, seen);
        root.destroy();
        boolean interrupted = false;
        long deadline = System.nanoTime() + grace.toNanos();
        while (running(root) && System.nanoTime() < deadline && !interrupted) {
            record(root, seen); // a replacement worker forked while draining is part of the tree too
            interrupted = awaitExit(root);
        }
        // the root exited (or overran): its workers should be gone with it; orphans get a last second on their own
        long orphanDeadline = System.nanoTime() + (interrupted ? 0 : TimeUnit.SECONDS.toNanos(1));
        for (ProcessHandle left = firstRunning(seen);
                left != null && System.nanoTime() < orphanDeadline && !interrupted;
                left = firstRunning(seen)) {
            interrupted = awaitExit(left);
        }
        int killed = 0;
        for (ProcessHandle process : seen.values()) {
            if (running(process)) {
                process.destroyForcibly();
                killed++;
            }
        }
        long killDeadline = System.nanoTime() + KILL_WAIT.toNanos();
        for (ProcessHandle left = firstRunning(seen);
                left != null && System.nanoTime() < killDeadline;
                left = firstRunning(seen)) {
            interrupted |= awaitExit(left); // not gone after SIGKILL only in uninterruptible sleep: bounded
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return killed;
    }

    /** Waits up to one poll interval for the process to exit; true if interrupted. */
    private static boolean awaitExit(ProcessHandle process) {
        try {
            process.onExit().get(POLL_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // still there (or a zombie not yet reaped): the caller looks again
        } catch (InterruptedException e) {
            return true;
        }
        return false;
    }

    private static ProcessHandle firstRunning(Map<Long, ProcessHandle> processes) {
        return processes.values().stream()
                .filter(ProcessTree::running)
                .findFirst()
                .orElse(null);
    }

    /**
     * Alive and not a zombie. An orphan that has exited stays a zombie until PID 1 reaps it — at once under a real
     * init, after seconds (or never) under some container and VM inits — and {@link ProcessHandle#isAlive()} counts it
     * as alive; proc(5) shows it as state {@code Z}. Where {@code /proc} cannot be read, {@code isAlive} decides.
     */
    static boolean running(ProcessHandle process) {
        if (!process.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            int end = stat.lastIndexOf(')'); // the command name in parentheses may itself hold spaces and ')'
            char state = end >= 0 && end + 2 < stat.length() ? stat.charAt(end + 2) : 'R';
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return process.isAlive();
        }
    }

    /** Every process of the tree that is alive now, root first. */
    public static java.util.List<ProcessHandle> alive(ProcessHandle root) {
        Map<Long, ProcessHandle> seen = new LinkedHashMap<>();
        record(root, seen);
        return seen.values().stream().filter(ProcessTree::running).toList();
    }

    private static void record(ProcessHandle root, Map<Long, ProcessHandle> seen) {
        seen.putIfAbsent(root.pid(), root);
        root.descendants().forEach(p -> seen.putIfAbsent(p.pid(), p));
    }
}
