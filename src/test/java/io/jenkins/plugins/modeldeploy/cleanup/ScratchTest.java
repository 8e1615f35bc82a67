package io.jenkins.plugins.modeldeploy.cleanup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScratchTest {
    @TempDir
    Path outside;

    @Test
    void closeRemovesTheDirectoryWithEverythingInItButNotWhatALinkPointsTo() throws Exception {
        Path kept = Files.writeString(outside.resolve("kept.txt"), "not ours");
        Path dir;
        try (Scratch scratch = Scratch.directory("model-deploy-test-")) {
            dir = scratch.path();
            Files.createDirectories(dir.resolve("a/b"));
            Files.writeString(dir.resolve("a/b/config.json"), "{}");
            Files.createSymbolicLink(dir.resolve("a/link"), kept);
            Files.createSymbolicLink(dir.resolve("dirlink"), outside);
            assertThat(dir).startsWith(Path.of(System.getProperty("java.io.tmpdir")));
        }
        assertThat(dir).doesNotExist();
        assertThat(kept).hasContent("not ours");
    }

    @Test
    void deletingWhatIsAlreadyGoneIsNoError() {
        assertThat(Scratch.deleteTree(outside.resolve("never-there"))).isEmpty();
    }

    /**
     * What the JVM's exit does when the owner could not clean up: waits for a command still cleaning up in order (a
     * hold), then stops registered process trees and deletes registered paths.
     */
    @Test
    void theExitSweepWaitsForAHoldThenStopsTreesAndDeletesPaths() throws Exception {
        Path left = Files.createDirectories(outside.resolve("left/behind"));
        ExitCleanup.register(left.getParent());
        Process tree = new ProcessBuilder("sh", "-c", "sleep 300 & echo ready; wait").start();
        assertThat(new BufferedReader(new InputStreamReader(tree.getInputStream(), StandardCharsets.UTF_8)).readLine())
                .isEqualTo("ready");
        var workers = tree.descendants().toList();
        ExitCleanup.register(tree.toHandle(), Duration.ofSeconds(5));
        CountDownLatch hold = ExitCleanup.holdExit(Duration.ofSeconds(30));
        Thread sweep = new Thread(ExitCleanup::sweep);
        sweep.start();
        sweep.join(300);
        assertThat(sweep.isAlive()).as("the sweep waits for the hold").isTrue();
        assertThat(tree.isAlive()).isTrue();

        ExitCleanup.release(hold);
        sweep.join(TimeUnit.SECONDS.toMillis(20));

        assertThat(sweep.isAlive()).isFalse();
        assertThat(tree.isAlive()).isFalse();
        assertThat(workers).noneMatch(ProcessTree::running);
        assertThat(left.getParent()).doesNotExist();
    }
}
