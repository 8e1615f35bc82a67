package io.jenkins.plugins.modeldeploy.jenkins.steps;

import io.jenkins.plugins.modeldeploy.testing.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The model directories of the step tests, in a workspace: the {@code echo} test model (answers {@code [a, b]} with
 * {@code a + b}) as it is ({@value #FAST}), and the same model 80 ms slower per request ({@value #SLOW}), which breaks
 * its SLO of p99 40 ms. Both are model {@code echo}; the SLO is stated, so the global default does not apply.
 */
final class EchoModels {
    static final String MODEL = "echo";
    static final String FAST = "models/echo";
    static final String SLOW = "models/echo-slow";
    static final double SLO_P99_MS = 40;

    private EchoModels() {}

    static void writeTo(Path workspace) throws IOException {
        write(workspace, FAST, null);
        write(
                workspace,
                SLOW,
                "import time\n\nimport echo_fast\n\n\ndef predict(instances):\n"
                        + "    time.sleep(0.08)\n    return echo_fast.predict(instances)\n");
    }

    private static void write(Path workspace, String dir, String slowModule) throws IOException {
        Path copied = TestModels.testModel(
                "echo-python", Files.createDirectories(workspace.resolve("scratch-" + dir.replace('/', '-'))));
        Path target = Files.createDirectories(workspace.resolve(dir));
        Files.createDirectories(target.resolve("samples"));
        Files.copy(copied.resolve("samples/one.json"), target.resolve("samples/one.json"));
        if (slowModule == null) {
            Files.copy(copied.resolve("model.py"), target.resolve("model.py"));
        } else {
            Files.copy(copied.resolve("model.py"), target.resolve("echo_fast.py"));
            Files.writeString(target.resolve("model.py"), slowModule);
        }
        Files.writeString(
                target.resolve("model.yaml"),
                "name: " + MODEL + "\nruntime: python\n"
                        + "entrypoint: model:predict\nslo:\n  rps: 40\n  p99Ms: " + (int) SLO_P99_MS + "\n"
                        + "  maxErrorRate: 0.05\nserving:\n  workers: 2\n");
    }
}
