package io.jenkins.plugins.modeldeploy.cleanup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Trees of {@code sh} and {@code sleep} standing in for a harness supervisor and its workers. */
class ProcessTreeTest {
    private Process root;

    /** Starts {@code sh -c script} and waits for its first line (the script says "ready" once its children run). */
    private ProcessHandle start(String script) throws Exception {
        root = new ProcessBuilder("sh", "-c", script).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(root.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("ready");
        return root.toHandle();
    }

    @AfterEach
    void killLeftovers() {
        if (root != null) {
            root.descendants().forEach(ProcessHandle::destroyForcibly);
            root.destroyForcibly();
        }
    }

    @Test
    void aTreeThatStopsOnSigtermIsNotKilled() throws Exception {
        ProcessHandle tree = start("sleep 300 & trap 'kill $!; exit 0' TERM; echo ready; wait");
        List<ProcessHandle> workers = tree.descendants().toList();
        assertThat(workers).hasSize(1);

        assertThat(ProcessTree.stop(tree, Duration.ofSeconds(10))).isZero();

        assertThat(root.exitValue()).isZero(); // it exited by its own trap, not by SIGKILL
        assertThat(workers).noneMatch(ProcessTree::running);
    }

    @Test
    void aTreeThatIgnoresSigtermIsKilledOnceTheBoundHasPassed() throws Exception {
        // an ignored signal stays ignored across fork and exec: neither the shell nor its two sleeps stop
        ProcessHandle tree = start("trap '' TERM; sleep 300 & sleep 300 & echo ready; wait");
        List<ProcessHandle> all = ProcessTree.alive(tree);
        assertThat(all).hasSize(3);
        long started = System.nanoTime();

        assertThat(ProcessTree.stop(tree, Duration.ofMillis(300))).isEqualTo(3);

        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertThat(all).noneMatch(ProcessTree::running);
        assertThat(took).as("ms from SIGTERM to all gone").isBetween(300L, 300L + 1_000 + 5_000);
    }

    /** The supervisor exits on SIGTERM but a worker does not: the worker, re-parented to PID 1, is still killed. */
    @Test
    void aWorkerOrphanedByItsSupervisorIsKilled() throws Exception {
        ProcessHandle tree = start("(trap '' TERM; exec sleep 300) & echo ready; wait");
        List<ProcessHandle> workers = tree.descendants().toList();
        assertThat(workers).hasSize(1);

        assertThat(ProcessTree.stop(tree, Duration.ofSeconds(10))).isEqualTo(1);

        assertThat(root.isAlive()).isFalse();
        assertThat(workers).noneMatch(ProcessTree::running);
    }

    @Test
    void anExitedProcessIsLeftAlone() throws Exception {
        ProcessHandle tree = start("echo ready");
        root.waitFor(10, TimeUnit.SECONDS);
        assertThat(ProcessTree.stop(tree, Duration.ofSeconds(1))).isZero();
    }
}
