package io.jenkins.plugins.modeldeploy.jenkins.steps;

import io.jenkins.plugins.modeldeploy.testing.LocalRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every step IT stands on: one registry on 127.0.0.1 for the class (Jib pushes the images there), and for each
 * test a fresh {@link StepFixture} — a workspace with the echo models and a local target as the cluster.
 */
abstract class StepITBase {
    static LocalRegistry registry;

    @TempDir
    static Path registryDir;

    @TempDir
    Path workspace;

    StepFixture world;

    @BeforeAll
    static void startRegistry() throws Exception {
        registry = LocalRegistry.start(registryDir, null, null);
    }

    @AfterAll
    static void stopRegistry() {
        registry.close();
    }

    @BeforeEach
    void startWorld() throws Exception {
        world = new StepFixture(workspace, registry);
    }

    @AfterEach
    void stopWorld() {
        world.close();
    }
}
