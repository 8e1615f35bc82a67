package io.jenkins.plugins.modeldeploy.jenkins.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.modeldeploy.cleanup.ExitSweep;
import io.jenkins.plugins.modeldeploy.jenkins.engine.DefaultEngineFactory;
import io.jenkins.plugins.modeldeploy.jenkins.engine.TargetOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's scratch directory (issue #15 item 7) goes with the step: at its end, on its failure, and when the agent
 * JVM is stopped by a signal in the middle of it (the exit sweep its shutdown hook runs).
 */
class AgentScratchTest {
    private static final String BUILD = "4715";

    @TempDir
    Path workspace;

    private FakeServices services() throws IOException {
        EchoModels.writeTo(workspace);
        return new FakeServices(workspace, new DefaultEngineFactory(), FakeServices.prodCluster(), BUILD);
    }

    /** This build's scratch directories in the temp folder. */
    private static Set<Path> scratch() throws IOException {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(p -> p.getFileName().toString().startsWith("model-deploy-" + BUILD + "-"))
                    .collect(Collectors.toSet());
        }
    }

    /** Creates the engine's scratch directory and a file in it; returns the directory. */
    private static String useScratch(AgentSession a) throws IOException {
        a.engine();
        List<Path> made = List.copyOf(scratch());
        assertThat(made).hasSize(1);
        Files.writeString(Files.createDirectories(made.get(0).resolve("layers")).resolve("layer.tar"), "x");
        return made.get(0).toString();
    }

    @Test
    void theScratchDirectoryGoesWhenTheStepSucceeds() throws Exception {
        assertThat(scratch()).isEmpty();
        String dir;
        try (Session s = Session.open(services(), new TargetOptions("prod", null, null, null, null))) {
            dir = s.onAgent(AgentScratchTest::useScratch);
        }
        assertThat(Path.of(dir)).doesNotExist();
        assertThat(scratch()).isEmpty();
    }

    @Test
    void theScratchDirectoryGoesWhenTheStepFails() throws Exception {
        assertThat(scratch()).isEmpty();
        try (Session s = Session.open(services(), new TargetOptions("prod", null, null, null, null))) {
            assertThatThrownBy(() -> s.onAgent(a -> {
                        useScratch(a);
                        throw new IOException("the rollout failed");
                    }))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("the rollout failed");
        }
        assertThat(scratch()).isEmpty();
    }

    @Test
    void theScratchDirectoryGoesWhenTheAgentIsStoppedMidStep() throws Exception {
        assertThat(scratch()).isEmpty();
        try (Session s = Session.open(services(), new TargetOptions("prod", null, null, null, null))) {
            Boolean survived = s.onAgent(a -> {
                Path dir = Path.of(useScratch(a));
                ExitSweep.run(); // what the agent JVM's shutdown hook does on SIGTERM/SIGINT, mid-step
                return Files.exists(dir);
            });
            assertThat(survived)
                    .as("scratch directory left after the exit sweep")
                    .isFalse();
        }
        assertThat(scratch()).isEmpty();
    }
}
