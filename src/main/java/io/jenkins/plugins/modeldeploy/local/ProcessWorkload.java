package io.jenkins.plugins.modeldeploy.local;

import io.jenkins.plugins.modeldeploy.harness.HarnessProcess;
import java.net.URI;
import java.util.List;

/** A version served by a harness process, the local target's default runtime. */
record ProcessWorkload(HarnessProcess process, URI url) implements Workload {
    /**
     * The workload of a ready harness. Should the harness die without stopping its workers (SIGKILL, a crash),
     * {@link HarnessProcess} kills them with it, so they never keep its port and memory.
     */
    static ProcessWorkload ready(HarnessProcess process, URI url) {
        return new ProcessWorkload(process, url);
    }

    @Override
    public String id() {
        return "pid " + process.pid();
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void onExit(Runnable action) {
        process.onExit(action);
    }

    @Override
    public List<String> logTail() {
        return process.logTail();
    }

    @Override
    public void close() {
        process.close();
    }
}
