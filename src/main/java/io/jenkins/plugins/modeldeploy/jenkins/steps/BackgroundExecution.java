package io.jenkins.plugins.modeldeploy.jenkins.steps;

import hudson.AbortException;
import hudson.FilePath;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;

/**
 * A step whose work (builds, rollouts, load tests: minutes, network I/O) runs on its own thread, never on the
 * Pipeline's CPS thread: {@link #start()} returns at once and the thread completes the context. Like workflow-step-
 * api's {@code SynchronousNonBlockingStepExecution}, the work does not survive a controller restart: {@link
 * #onResume()} fails the step with a message saying so (every engine call is idempotent, so re-running is safe).
 */
public abstract class BackgroundExecution extends StepExecution {
    private static final long serialVersionUID = 1L;
    static final ExecutorService WORKERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "model-deploy step");
        t.setDaemon(true);
        return t;
    });

    private final String stepName;
    private transient volatile Future<?> task;
    /** The phase, kept with the Pipeline so the message of a step interrupted by a restart names it. */
    private volatile String status;
    /** Set by {@link #stop}: the step is already completed, so the interrupted work must not complete it again. */
    private transient volatile boolean stopped;

    private transient volatile Throwable stopCause;
    private transient boolean cleanedUp;
    private transient StepServices services;

    protected BackgroundExecution(StepContext context, String stepName, StepServices services) {
        super(context);
        this.stepName = stepName;
        this.services = services;
    }

    /** Returned by {@link #run} when the step completes later (it waits for an approval). */
    protected static final Object PENDING = new Object();

    /** The work; its return value is the step's, unless it is {@link #PENDING}. */
    protected abstract Object run(StepServices services) throws Exception;

    @Override
    public boolean start() throws Exception {
        submit(() -> {
            Object result = run(services());
            if (result != PENDING) {
                getContext().onSuccess(result);
            }
        });
        return false;
    }

    /** Runs {@code work} on a worker thread; a failure fails the step. */
    protected final void submit(Work work) {
        task = WORKERS.submit(() -> {
            try {
                work.run();
            } catch (Throwable t) {
                if (!stopped) {
                    getContext().onFailure(masked(t));
                }
            } finally {
                if (stopped) {
                    Thread.interrupted(); // the work is over; what follows must not be interrupted by the stop
                    cleanUpOnce();
                }
            }
        });
    }

    /**
     * Completes the step with {@code cause} at once; interrupts the work, if any, and then (on the worker thread, once
     * the interrupted work has unwound, so the two never overlap) runs {@link #afterStop}.
     */
    @Override
    public void stop(Throwable cause) throws Exception {
        stopCause = cause;
        stopped = true;
        Future<?> running = task;
        boolean working = running != null && !running.isDone();
        if (working) {
            running.cancel(true);
        }
        getContext().onFailure(cause);
        if (!working) {
            WORKERS.submit(this::cleanUpOnce);
        }
    }

    private void cleanUpOnce() {
        synchronized (this) {
            if (cleanedUp) {
                return;
            }
            cleanedUp = true;
        }
        try {
            afterStop(stopCause);
        } catch (Exception e) { // the step is completed already: the log is the only place to say it
            try {
                services().log().println(stepName + ": " + e.getMessage());
            } catch (Exception unreadable) {
                e.addSuppressed(unreadable);
            }
        }
    }

    /**
     * What a stopped (aborted) step leaves behind is cleaned up here; on a worker thread after the interrupted work
     * ended. Nothing by default.
     */
    protected void afterStop(Throwable cause) throws Exception {}

    @Override
    public void onResume() {
        getContext()
                .onFailure(new AbortException(
                        Messages.Step_interruptedByRestart(stepName, status == null ? "no phase recorded" : status)));
    }

    @Override
    public String getStatus() {
        return status;
    }

    /**
     * True while the work runs (building, rolling out, testing): a safe restart waits for it, as it does for
     * workflow-step-api's {@code SynchronousNonBlockingStepExecution}. False when nothing runs — in particular while
     * waiting for an approval, which survives a restart.
     */
    @Override
    public boolean blocksRestart() {
        return working();
    }

    /** True while a worker runs this step's work. */
    final boolean working() {
        Future<?> running = task;
        return running != null && !running.isDone();
    }

    protected final void status(String phase) {
        status = phase;
    }

    protected final String stepName() {
        return stepName;
    }

    /** The services of this run (from the context after a restart; the workspace looked up when work needs it). */
    protected final synchronized StepServices services() throws Exception {
        if (services == null) {
            StepContext c = getContext();
            services =
                    new JenkinsStepServices(c.get(Run.class), () -> c.get(FilePath.class), c.get(TaskListener.class));
        }
        return services;
    }

    /** {@code t} as the build log may show it: masked when its message holds a secret of this run. */
    private Throwable masked(Throwable t) {
        try {
            return services().masked(t);
        } catch (Exception e) {
            return t;
        }
    }

    /** A unit of work for the worker thread. */
    @FunctionalInterface
    protected interface Work {
        void run() throws Exception;
    }
}
