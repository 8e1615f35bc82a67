package io.jenkins.plugins.modeldeploy.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.event.EventDetails;
import io.jenkins.plugins.modeldeploy.local.FileReleaseStore;
import io.jenkins.plugins.modeldeploy.route.RoutingException;
import io.jenkins.plugins.modeldeploy.route.TrafficRouter;
import io.jenkins.plugins.modeldeploy.route.Weights;
import io.jenkins.plugins.modeldeploy.target.DeployedVersion;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import io.jenkins.plugins.modeldeploy.target.ReleaseStore;
import io.jenkins.plugins.modeldeploy.target.RetireMode;
import io.jenkins.plugins.modeldeploy.target.RolloutRequest;
import io.jenkins.plugins.modeldeploy.target.Stage;
import io.jenkins.plugins.modeldeploy.target.Target;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Crash-safety of promotion and rollback: the engine is stopped after each stored step, a new engine is started on
 * the same stored state and the same routes (which outlive the engine, like a cluster or the local gateway), and the
 * end state must be right and reached exactly once.
 */
class PromotionsTest {
    @TempDir
    Path state;

    /** The parts that outlive an engine crash: routes, running versions and the stored state. */
    static final class World implements Target {
        final Map<String, Map<String, Integer>> weights = new ConcurrentHashMap<>();
        final Set<String> running = ConcurrentHashMap.newKeySet();
        final List<String> restores = new ArrayList<>();
        final ReleaseStore store;
        /** Where the weights live when they must outlive the process (the SIGKILL test); null: memory only. */
        private final Path weightsFile;

        World(Path dir) {
            this(dir, null);
        }

        World(Path dir, Path weightsFile) {
            store = new FileReleaseStore(dir);
            this.weightsFile = weightsFile;
            if (weightsFile != null && java.nio.file.Files.exists(weightsFile)) {
                try (var in = java.nio.file.Files.newInputStream(weightsFile)) {
                    java.util.Properties saved = new java.util.Properties();
                    saved.load(in);
                    saved.stringPropertyNames().forEach(key -> weights.computeIfAbsent(key.substring(0,
                            key.indexOf('.')), m -> new java.util.TreeMap<>()).put(key.substring(key.indexOf('.') + 1),
                            Integer.parseInt(saved.getProperty(key))));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }

        private void persist() {
            if (weightsFile == null) {
                return;
            }
            java.util.Properties saved = new java.util.Properties();
            weights.forEach((model, split) -> split.forEach((version, weight) -> saved.setProperty(model + "."
                    + version, Integer.toString(weight))));
            try {
                Path temporary = weightsFile.resolveSibling(weightsFile.getFileName() + ".tmp");
                try (var out = java.nio.file.Files.newOutputStream(temporary)) {
                    saved.store(out, null);
                }
                java.nio.file.Files.move(temporary, weightsFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        final TrafficRouter router = new TrafficRouter() {
            @Override
            public void reconcile(String model, Collection<String> versions) {}

            @Override
            public void setWeights(String model, Map<String, Integer> split) throws RoutingException {
                weights.put(model, Weights.checked(model, split));
                persist();
            }

            @Override
            public Map<String, Integer> currentWeights(String model) {
                return weights.getOrDefault(model, Map.of());
            }

            @Override
            public URI stableEndpoint(String model) {
                return URI.create("http://gateway/models/" + model);
            }
        };

        @Override
        public String describe() {
            return "test world";
        }

        @Override
        public DeployedVersion rollout(RolloutRequest request) {
            throw new AssertionError("promotion and rollback never roll a version out");
        }

        @Override
        public void retire(VersionRef version, RetireMode mode) {
            running.remove(version.version());
        }

        @Override
        public DeployedVersion restore(VersionRef version, Duration timeout) {
            restores.add(version.version());
            running.add(version.version());
            return new DeployedVersion(version, URI.create("http://" + version.id()), Optional.empty(), 1,
                    Duration.ZERO);
        }

        @Override
        public TrafficRouter router() {
            return router;
        }

        @Override
        public ReleaseStore releases() {
            return store;
        }

        @Override
        public void close() {}
    }

    static final class Crash extends RuntimeException {
        Crash(String step) {
            super("engine killed after step " + step);
        }
    }

    private final List<DeploymentEvent> events = new ArrayList<>();

    private World productionWithChallenger() throws Exception {
        World world = new World(state);
        world.running.addAll(List.of("1", "2"));
        new Promotions(world, events::add).bootstrap("iris", "1", Optional.of("sha256:one"));
        return world;
    }

    @ParameterizedTest(name = "killed after {0}")
    @ValueSource(strings = {"intent", "weights", "stages", "done"})
    void promotionKilledAtAnyStepEndsCorrectAndOnceWhenRerun(String killAt) throws Exception {
        World world = productionWithChallenger();
        Approval approval = new Approval(true, "alice", java.time.Instant.now(), "looks good");
        assertThatThrownBy(() -> new Promotions(world, events::add, step -> {
            if (step.equals(killAt)) {
                throw new Crash(step);
            }
        }).promote("iris", "2", approval)).isInstanceOf(Crash.class);

        ReleaseState end = new Promotions(world, events::add).promote("iris", "2", approval);
        ReleaseState again = new Promotions(world, events::add).promote("iris", "2", approval);

        assertThat(end.phase()).isEqualTo(ReleaseState.Phase.PROMOTED);
        assertThat(end.production()).hasValue("2");
        assertThat(end.previous()).hasValue("1");
        assertThat(end.previousWeights()).containsExactlyEntriesOf(Map.of("1", 100));
        assertThat(again).isEqualTo(end);
        assertThat(world.weights.get("iris")).containsExactlyEntriesOf(Map.of("2", 100));
        assertThat(world.store.stages("iris")).containsEntry("2", Stage.PRODUCTION).containsEntry("1", Stage.RETIRED);
        long promotedEvents = events.stream().filter(e -> e.details() instanceof EventDetails.Promoted p
                && p.previous().equals("1")).count();
        assertThat(promotedEvents).as("promotion events of 2 replacing 1").isBetween(killAt.equals("done") ? 0L : 1L,
                1L);

        // The promotion stays single: rolling back restores 1, not 2.
        ReleaseState rolledBack = new Promotions(world, events::add).rollback("iris", "test");
        assertThat(rolledBack.production()).hasValue("1");
        assertThat(world.weights.get("iris")).containsExactlyEntriesOf(Map.of("1", 100));
    }

    @ParameterizedTest(name = "killed after {0}")
    @ValueSource(strings = {"intent", "restored", "weights", "stages", "done"})
    void rollbackKilledAtAnyStepEndsCorrectWhenRerun(String killAt) throws Exception {
        World world = productionWithChallenger();
        new Promotions(world, events::add).promote("iris", "2", Approval.automatic("test"));
        world.running.remove("1"); // scaled to zero after the keep window
        assertThatThrownBy(() -> new Promotions(world, events::add, step -> {
            if (step.equals(killAt)) {
                throw new Crash(step);
            }
        }).rollback("iris", "latency regression")).isInstanceOf(Crash.class);

        ReleaseState end = new Promotions(world, events::add).rollback("iris", "latency regression");
        ReleaseState again = new Promotions(world, events::add).rollback("iris", "latency regression");

        assertThat(end.phase()).isEqualTo(ReleaseState.Phase.ROLLED_BACK);
        assertThat(end.production()).hasValue("1");
        assertThat(end.digests()).containsEntry("1", "sha256:one");
        assertThat(again).isEqualTo(end);
        assertThat(world.running).contains("1");
        assertThat(world.weights.get("iris")).containsExactlyEntriesOf(Map.of("1", 100));
        assertThat(world.store.stages("iris")).containsEntry("1", Stage.PRODUCTION)
                .containsEntry("2", Stage.ROLLED_BACK);
    }

    @Test
    void theReplacedVersionKeepsRunningForItsWindowThenScalesToZero() throws Exception {
        World world = productionWithChallenger();
        Promotions promotions = new Promotions(world, events::add);
        promotions.promote("iris", "2", Approval.automatic("test"));
        assertThat(promotions.retireExpired("iris", Duration.ofHours(1))).isFalse();
        assertThat(world.running).contains("1", "2");
        assertThat(promotions.retireExpired("iris", Duration.ZERO)).isTrue();
        assertThat(world.running).containsExactly("2");
        // and a rollback still brings it back
        assertThat(promotions.rollback("iris", "test").production()).hasValue("1");
        assertThat(world.running).contains("1");
    }

    @Test
    void aRejectedPromotionChangesNothing() throws Exception {
        World world = productionWithChallenger();
        ReleaseState before = world.store.load("iris").orElseThrow();
        assertThatThrownBy(() -> new Promotions(world, events::add).promote("iris", "2",
                new Approval(false, "bob", java.time.Instant.now(), "p99 too high")))
                .hasMessageContaining("rejected by bob: p99 too high");
        assertThat(world.store.load("iris")).hasValue(before);
        assertThat(world.weights.get("iris")).containsExactlyEntriesOf(Map.of("1", 100));
    }

    @Test
    void twoRunsCannotBothStartAPromotion() throws Exception {
        World world = productionWithChallenger();
        ReleaseState seen = world.store.load("iris").orElseThrow();
        new Promotions(world, events::add).promote("iris", "2", Approval.automatic("first run"));
        assertThatThrownBy(() -> world.store.save(Optional.of(seen), seen.withPhase(ReleaseState.Phase.PROMOTING)))
                .hasMessageContaining("changed under this run");
    }

    @Test
    void rollbackWithoutHistoryNamesTheModel() {
        World world = new World(state);
        assertThatThrownBy(() -> new Promotions(world, events::add).rollback("iris", "x"))
                .hasMessageContaining("model iris has no release state");
    }
}
