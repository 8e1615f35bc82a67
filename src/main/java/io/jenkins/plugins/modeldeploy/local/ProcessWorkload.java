package io.jenkins.plugins.modeldeploy.local;

import io.jenkins.plugins.modeldeploy.harness.HarnessProcess;
import java.net.URI;
import java.util.List;

/** A version served by a harness process, the local target's default runtime. */
record ProcessWorkload(HarnessProcess process, URI url) implements Workload {
    /**
     * The workload of a ready harness. Its workers are forked before it reports ready; should the harness die
     * without stopping them (SIGKILL, a crash), they would keep its port and memory, so they are killed with it.
     */
    static ProcessWorkload ready(HarnessProcess process, URI url) {
        List<ProcessHandle> workers = ProcessHandle.of(process.pid())
                .map(h -> h.descendants().toList())
                .orElse(List.of());
        process.onExit(() -> workers.forEach(ProcessHandle::destroyForcibly));
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
