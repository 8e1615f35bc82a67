package io.jenkins.plugins.modeldeploy.cleanup;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The last resort when a run does not get to clean up itself: one JVM shutdown hook (SIGTERM, SIGINT, {@code
 * System.exit}, the end of {@code main}) that stops every child process tree still registered and then deletes every
 * scratch path still registered. A command that cleans up in order on a signal (the interrupted lifecycle ends its run,
 * closes its target) {@linkplain #holdExit holds} the hook until it is done, so the sweep never pulls files or
 * processes from under an orderly shutdown. Nothing survives {@code kill -9} of the JVM: for processes that is the
 * harness's own parent-death check, for files the next run's temp directory is the OS's.
 */
public final class ExitCleanup {
    private static final Map<ProcessHandle, Duration> PROCESSES = new ConcurrentHashMap<>();
    private static final Map<Path, Boolean> PATHS = new ConcurrentHashMap<>();
    private static final Map<String, Runnable> ACTIONS = new ConcurrentHashMap<>();
    private static final Map<CountDownLatch, Duration> HOLDS = new ConcurrentHashMap<>();
    private static final Object LOCK = new Object();
    private static boolean installed;
    private static volatile boolean exiting;

    private ExitCleanup() {}

    /** Stops this process tree at exit (SIGTERM, {@code grace}, SIGKILL) unless {@link #forget(ProcessHandle)}. */
    public static void register(ProcessHandle root, Duration grace) {
        install();
        PROCESSES.put(root, grace);
    }

    /**
     * Whether the exit sweep has begun: a process started from now on would outlive it (a supervisor restarting a
     * version whose harness the sweep just stopped), so none must be started.
     */
    public static boolean exiting() {
        return exiting;
    }

    public static void forget(ProcessHandle root) {
        PROCESSES.remove(root);
    }

    /** Deletes this file or directory tree at exit unless {@link #forget(Path)}. */
    public static void register(Path path) {
        install();
        PATHS.put(path, Boolean.TRUE);
    }

    public static void forget(Path path) {
        PATHS.remove(path);
    }

    /**
     * Runs {@code action} at exit, alongside the process stoppers, unless {@link #forgetAction(String)}: for what this
     * run started that is not its child process (a podman container lives under conmon, re-parented to PID 1, so no
     * {@link ProcessHandle} of ours reaches it). Registering the same {@code key} again replaces the action.
     */
    public static void register(String key, Runnable action) {
        install();
        ACTIONS.put(key, action);
    }

    public static void forgetAction(String key) {
        ACTIONS.remove(key);
    }

    /**
     * Makes the exit sweep wait — at most {@code bound} — until the returned latch is counted down: the caller is
     * cleaning up in order and the sweep only takes what it left.
     */
    public static CountDownLatch holdExit(Duration bound) {
        install();
        CountDownLatch done = new CountDownLatch(1);
        HOLDS.put(done, bound);
        return done;
    }

    /** Releases a {@link #holdExit} hold. */
    public static void release(CountDownLatch hold) {
        hold.countDown();
        HOLDS.remove(hold);
    }

    private static void install() {
        synchronized (LOCK) {
            if (installed) {
                return;
            }
            try {
                Runtime.getRuntime().addShutdownHook(new Thread(ExitCleanup::sweep, "model-deploy exit cleanup"));
            } catch (IllegalStateException shuttingDown) {
                return; // registered while the JVM is already exiting: the owner's own close is all there is
            }
            installed = true;
        }
    }

    /**
     * A test ran {@link #sweep()} in a JVM that goes on running tests: later ones may start harnesses again (in a real
     * exit nothing comes after the sweep).
     */
    static void endTestSweep() {
        exiting = false;
    }

    /** Waits for the holds, then stops the registered process trees (all at once) and deletes the paths. */
    static void sweep() {
        for (Map.Entry<CountDownLatch, Duration> hold : HOLDS.entrySet()) {
            try {
                hold.getKey().await(hold.getValue().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        exiting = true; // before the snapshot below: what registers later is refused by its starter, not missed
        List<Thread> stoppers = new ArrayList<>();
        for (Map.Entry<ProcessHandle, Duration> process : PROCESSES.entrySet()) {
            Thread stopper = new Thread(
                    () -> ProcessTree.stop(process.getKey(), process.getValue()),
                    "stop pid " + process.getKey().pid());
            stopper.start();
            stoppers.add(stopper);
        }
        for (Map.Entry<String, Runnable> action : ACTIONS.entrySet()) {
            Thread stopper = new Thread(() -> runQuietly(action.getValue()), "exit: " + action.getKey());
            stopper.start();
            stoppers.add(stopper);
        }
        for (Thread stopper : stoppers) {
            try {
                stopper.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        PROCESSES.clear();
        ACTIONS.clear();
        for (Path path : List.copyOf(PATHS.keySet())) {
            Scratch.deleteTree(path);
        }
        PATHS.clear();
    }

    private static void runQuietly(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            // the JVM is exiting: nobody is left to tell, and the other stoppers must still run
        }
    }
}
