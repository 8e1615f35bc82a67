package io.jenkins.plugins.modeldeploy.cleanup;

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
        long deadline = System.nanoTime() + grace.toNanos();
        boolean interrupted = false;
        while (root.isAlive() && System.nanoTime() < deadline) {
            record(root, seen); // a replacement worker forked while draining is part of the tree too
            try {
                root.onExit().get(POLL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // still draining: look for new descendants and wait on
            } catch (ExecutionException e) {
                break; // onExit never fails; nothing to wait for
            } catch (InterruptedException e) {
                interrupted = true;
                break;
            }
        }
        // the root exited (or overran): its workers should be gone with it; what is left is killed
        long stillRunning = System.nanoTime();
        while (System.nanoTime() - stillRunning < TimeUnit.MILLISECONDS.toNanos(interrupted ? 0 : 1_000)
                && seen.values().stream().anyMatch(ProcessHandle::isAlive)) {
            try {
                seen.values().stream()
                        .filter(ProcessHandle::isAlive)
                        .findFirst()
                        .orElse(root)
                        .onExit()
                        .get(POLL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // give the orphans their last second to finish on their own
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        int killed = 0;
        if (root.isAlive()) {
            root.destroyForcibly();
            killed++;
        }
        for (ProcessHandle process : seen.values()) {
            if (process.isAlive()) {
                process.destroyForcibly();
                killed++;
            }
        }
        long killDeadline = System.nanoTime() + KILL_WAIT.toNanos();
        for (ProcessHandle process : seen.values()) {
            try {
                process.onExit().get(Math.max(0, killDeadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // not gone after SIGKILL (uninterruptible sleep): nothing more we can do
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return killed;
    }

    /** Every process of the tree that is alive now, root first. */
    public static java.util.List<ProcessHandle> alive(ProcessHandle root) {
        Map<Long, ProcessHandle> seen = new LinkedHashMap<>();
        record(root, seen);
        return seen.values().stream().filter(ProcessHandle::isAlive).toList();
    }

    private static void record(ProcessHandle root, Map<Long, ProcessHandle> seen) {
        seen.putIfAbsent(root.pid(), root);
        root.descendants().forEach(p -> seen.putIfAbsent(p.pid(), p));
    }
}
