package io.jenkins.plugins.modeldeploy.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.target.Outcome;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import io.jenkins.plugins.modeldeploy.target.RetireMode;
import io.jenkins.plugins.modeldeploy.target.Stage;
import io.jenkins.plugins.modeldeploy.testing.TestModels;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Crash-safety with a real kill: the decision on a version waiting for approval (approved or rejected) or a rollback
 * runs in its own JVM, which is SIGKILLed right after a stored step; a new engine then runs the same operation on the
 * same cluster and stored state, and the end state must be right and reached once; a third run changes nothing.
 */
class LifecycleCrashIT {
    @TempDir
    Path dir;

    private DeployPlan plan(Path modelDir, String version, Duration keep) throws Exception {
        ModelVersion v = ModelVersion.of(new ModelSpecLoader().load(modelDir), version, "test");
        return new DeployPlan(
                v,
                Optional.empty(),
                Optional.of("r/echo@sha256:" + version.repeat(64)),
                Map.of(),
                Duration.ofMinutes(1),
                Optional.empty(),
                new DeployPlan.ExperimentSettings(
                        50,
                        Duration.ZERO,
                        Duration.ofSeconds(20),
                        1000,
                        0.05,
                        io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan.Method.SEQUENTIAL,
                        OptionalDouble.empty(),
                        0.01,
                        io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan.Gate.DEFAULT),
                Duration.ofSeconds(5),
                keep,
                RetireMode.REMOVE,
                "setup");
    }

    private static Lifecycle lifecycle(FakeCluster cluster) {
        return new Lifecycle(
                new DeploymentEngine(
                        event -> {},
                        plan -> {
                            throw new AssertionError("no image builds here");
                        },
                        Duration.ofMillis(1)),
                cluster,
                event -> {});
    }

    @ParameterizedTest(name = "{0} killed after {1}")
    @CsvSource({
        "approve,intent",
        "approve,weights",
        "approve,stages",
        "approve,done",
        "reject,intent",
        "reject,weights",
        "reject,routes",
        "reject,removed",
        "reject,done",
        "rollback,intent",
        "rollback,restored",
        "rollback,weights",
        "rollback,stages",
        "rollback,done"
    })
    void aKilledEngineLeavesAStateTheNextRunCompletesOnce(String operation, String step) throws Exception {
        Path clusterDir = dir.resolve("cluster");
        Path modelDir = TestModels.testModel("echo-python", dir);
        try (FakeCluster setup = new FakeCluster("echo", clusterDir)) {
            setup.behaviours.put("1", new FakeCluster.Behaviour(0.05, 0.001, 200, 0, false));
            Lifecycle lifecycle = lifecycle(setup);
            lifecycle.run(plan(modelDir, "1", Duration.ofHours(1)), (r, t) -> Approval.automatic("setup"));
            if (operation.equals("rollback")) {
                assertThat(lifecycle
                                .run(plan(modelDir, "2", Duration.ofHours(1)), (r, t) -> Approval.automatic("setup"))
                                .outcome())
                        .contains(Outcome.PROMOTED);
            } else {
                assertThat(lifecycle.start(plan(modelDir, "2", Duration.ofHours(1))))
                        .isInstanceOf(Lifecycle.AwaitingApproval.class);
            }
        }

        Process engine = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        CrashableLifecycle.class.getName(),
                        clusterDir.toString(),
                        operation,
                        step)
                .redirectErrorStream(true)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(engine.getInputStream(), StandardCharsets.UTF_8));
        String line;
        List<String> seen = new ArrayList<>();
        while ((line = out.readLine()) != null && !line.equals("STEP " + step)) {
            seen.add(line);
        }
        assertThat(line)
                .as("the engine reached step %s (output %s)", step, seen)
                .isEqualTo("STEP " + step);
        engine.destroyForcibly(); // SIGKILL: no finally block, no shutdown hook runs
        assertThat(engine.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(engine.exitValue()).isEqualTo(137);

        try (FakeCluster after = new FakeCluster("echo", clusterDir)) {
            CrashableLifecycle.run(lifecycle(after), operation);
            ReleaseState end = after.releases().load("echo").orElseThrow();
            assertThat(end.phase()).isEqualTo(ReleaseState.Phase.STABLE);
            switch (operation) {
                case "approve" -> {
                    assertThat(end.production()).contains("2");
                    assertThat(after.objects().weights).containsExactlyEntriesOf(Map.of("2", 100));
                    assertThat(after.releases().stages("echo"))
                            .containsEntry("2", Stage.PRODUCTION)
                            .containsEntry("1", Stage.RETIRED);
                    assertThat(end.keepUntil()).containsKey("1");
                    assertThat(end.history())
                            .filteredOn(e -> e.version().equals("2"))
                            .singleElement()
                            .satisfies(e -> assertThat(e.outcome()).contains(Outcome.PROMOTED));
                }
                case "reject" -> {
                    assertThat(end.production()).contains("1");
                    assertThat(after.serving()).containsExactly("1");
                    assertThat(after.objects().routes).containsExactly("1");
                    assertThat(after.objects().weights).containsExactlyEntriesOf(Map.of("1", 100));
                    assertThat(end.history())
                            .filteredOn(e -> e.version().equals("2"))
                            .singleElement()
                            .satisfies(e -> assertThat(e.outcome()).contains(Outcome.REJECTED));
                }
                default -> {
                    assertThat(end.production()).contains("1");
                    assertThat(after.objects().weights).containsExactlyEntriesOf(Map.of("1", 100));
                    assertThat(after.releases().stages("echo"))
                            .containsEntry("1", Stage.PRODUCTION)
                            .containsEntry("2", Stage.RETIRED);
                    assertThat(end.history())
                            .filteredOn(e -> e.action() == ReleaseState.Action.ROLLBACK)
                            .singleElement()
                            .satisfies(e -> assertThat(e.production()).contains("1"));
                }
            }
            Object third = CrashableLifecycle.run(lifecycle(after), operation);
            assertThat(after.releases().load("echo"))
                    .as("a third run changes nothing")
                    .contains(end);
            assertThat(third).isNotNull();
        }
    }
}
