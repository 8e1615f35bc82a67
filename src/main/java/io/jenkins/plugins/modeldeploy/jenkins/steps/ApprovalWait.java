package io.jenkins.plugins.modeldeploy.jenkins.steps;

import io.jenkins.plugins.modeldeploy.jenkins.promotion.ApprovalRegistry;
import io.jenkins.plugins.modeldeploy.pipeline.Approval;
import java.io.Serializable;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A step waiting for a decision on the promotion page without holding a thread: a callback registered under the
 * promotion's key and a timer for the deadline. Serializable (key and deadline), so {@code onResume} re-arms it with
 * the time that is left. Exactly one of the callback and the timeout runs.
 */
final class ApprovalWait implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "model-deploy approval timeout");
        t.setDaemon(true);
        return t;
    });

    final String key;
    final long deadlineMillis;
    private transient ScheduledFuture<?> timer;

    ApprovalWait(String key, Instant deadline) {
        this.key = key;
        this.deadlineMillis = deadline.toEpochMilli();
    }

    synchronized void arm(Consumer<Approval> onDecision, Runnable onTimeout) {
        ApprovalRegistry.await(key, onDecision);
        long delay = Math.max(0, deadlineMillis - System.currentTimeMillis());
        timer = TIMER.schedule(
                () -> {
                    if (ApprovalRegistry.withdraw(key)) {
                        onTimeout.run();
                    }
                },
                delay,
                TimeUnit.MILLISECONDS);
    }

    synchronized void disarm() {
        ApprovalRegistry.cancel(key);
        if (timer != null) {
            timer.cancel(false);
        }
    }

    /**
     * Runs {@code task} on the timer thread at {@code deadline}: the freestyle page's timeout. In memory only: a
     * restart of Jenkins loses it (the deadline is on the page, the lifecycle still waits).
     */
    static void at(Instant deadline, Runnable task) {
        TIMER.schedule(task, Math.max(0, deadline.toEpochMilli() - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
    }

    boolean expired() {
        return System.currentTimeMillis() >= deadlineMillis;
    }
}
