package io.jenkins.plugins.modeldeploy.cleanup;

/**
 * Runs the exit sweep that the JVM's shutdown hook runs on SIGTERM, SIGINT or the end of {@code main}, for tests in
 * other packages: what a signal would leave to the sweep is checked in-process (ProcessCleanupIT shows that the hook
 * does run on those signals).
 */
public final class ExitSweep {
    private ExitSweep() {}

    public static void run() {
        try {
            ExitCleanup.sweep();
        } finally {
            ExitCleanup.endTestSweep(); // the test JVM goes on: later tests in it may start harness processes
        }
    }
}
