package io.jenkins.plugins.modeldeploy.cli;

import io.jenkins.plugins.modeldeploy.cleanup.ExitCleanup;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C or SIGTERM during a command that changes a release: the JVM's shutdown interrupts the command's thread, so
 * the lifecycle ends the run in progress (the A/B split put back, the version taken out as ABORTED), and waits for
 * that — at most {@link #GRACE} — before the JVM goes. Without it, the run would stay stored for the next command to
 * finish. The {@link ExitCleanup} sweep (harness processes, scratch files) waits for it too, so it only takes what
 * the command's own cleanup left.
 */
final class StopOnSignal {
    static final long GRACE = TimeUnit.SECONDS.toMillis(60);

    private final CountDownLatch done = new CountDownLatch(1);
    private final CountDownLatch sweepHold = ExitCleanup.holdExit(Duration.ofMillis(GRACE));
    private final Thread hook;

    private StopOnSignal(Thread worker) {
        hook = new Thread(
                () -> {
                    worker.interrupt();
                    try {
                        done.await(GRACE, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "model-deploy stop");
    }

    /** For the current thread, until {@link #done()}. */
    static StopOnSignal install() {
        StopOnSignal stop = new StopOnSignal(Thread.currentThread());
        Runtime.getRuntime().addShutdownHook(stop.hook);
        return stop;
    }

    /** The command has cleaned up: a shutdown from now on need not wait for it. */
    void done() {
        done.countDown();
        ExitCleanup.release(sweepHold);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook runs and returns at once
        }
    }
}
