package io.jenkins.plugins.modeldeploy.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import io.jenkins.plugins.modeldeploy.target.Stage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash-safety with a real kill: the promotion (or rollback) runs in its own JVM, which is SIGKILLed right after a
 * stored step; a new engine then runs on the same state file and routes, and the end state must be right and single.
 */
class PromotionCrashIT {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} killed after {1}")
    @CsvSource({"promote,intent", "promote,weights", "promote,stages", "promote,done", "rollback,intent",
        "rollback,restored", "rollback,weights", "rollback,stages", "rollback,done"})
    void aKilledEngineLeavesAStateTheNextRunCompletesOnce(String operation, String step) throws Exception {
        Path state = dir.resolve("state");
        Path weights = dir.resolve("weights.properties");
        List<DeploymentEvent> events = new ArrayList<>();
        PromotionsTest.World setup = new PromotionsTest.World(state, weights);
        setup.running.addAll(List.of("1", "2"));
        new Promotions(setup, events::add).bootstrap("iris", "1", Optional.of("sha256:one"));
        if (operation.equals("rollback")) {
            new Promotions(setup, events::add).promote("iris", "2", Approval.automatic("before the crash"));
        }

        Process engine = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), CrashablePromotion.class.getName(), state.toString(),
                weights.toString(), operation, step).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(engine.getInputStream(),
                StandardCharsets.UTF_8));
        String line;
        List<String> seen = new ArrayList<>();
        while ((line = out.readLine()) != null && !line.equals("STEP " + step)) {
            seen.add(line);
        }
        assertThat(line).as("the engine reached step %s (output %s)", step, seen).isEqualTo("STEP " + step);
        engine.destroyForcibly(); // SIGKILL: no finally block, no shutdown hook runs
        assertThat(engine.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(engine.exitValue()).isEqualTo(137);

        PromotionsTest.World after = new PromotionsTest.World(state, weights);
        after.running.addAll(List.of("1", "2"));
        ReleaseState end;
        if (operation.equals("promote")) {
            end = new Promotions(after, events::add).promote("iris", "2", Approval.automatic("re-run"));
            assertThat(end.phase()).isEqualTo(ReleaseState.Phase.PROMOTED);
            assertThat(end.production()).hasValue("2");
            assertThat(end.previous()).hasValue("1");
            assertThat(after.weights.get("iris")).containsExactlyEntriesOf(Map.of("2", 100));
            assertThat(after.store.stages("iris")).containsEntry("2", Stage.PRODUCTION)
                    .containsEntry("1", Stage.RETIRED);
        } else {
            end = new Promotions(after, events::add).rollback("iris", "re-run");
            assertThat(end.phase()).isEqualTo(ReleaseState.Phase.ROLLED_BACK);
            assertThat(end.production()).hasValue("1");
            assertThat(after.weights.get("iris")).containsExactlyEntriesOf(Map.of("1", 100));
            assertThat(after.store.stages("iris")).containsEntry("1", Stage.PRODUCTION)
                    .containsEntry("2", Stage.ROLLED_BACK);
        }
        PromotionsTest.World third = new PromotionsTest.World(state, weights);
        ReleaseState again = operation.equals("promote")
                ? new Promotions(third, events::add).promote("iris", "2", Approval.automatic("third run"))
                : new Promotions(third, events::add).rollback("iris", "third run");
        assertThat(again).as("a third run changes nothing").isEqualTo(end);
    }
}
