package io.jenkins.plugins.modeldeploy.abtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.modeldeploy.route.RoutingException;
import io.jenkins.plugins.modeldeploy.route.TrafficRouter;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An abort interrupts the A/B test's thread; the split must still be put back. The router here behaves as a
 * Kubernetes client does on an interrupted thread (it fails at once), so the restore only works if the runner clears
 * the interrupt around it — and the runner must set it again, so the abort is not swallowed.
 */
class ExperimentRunnerInterruptTest {
    /** Weights as the route serves them; fails every change on an interrupted thread. */
    static final class InterruptSensitiveRouter implements TrafficRouter {
        final List<Map<String, Integer>> changes = new ArrayList<>();
        Map<String, Integer> weights = Map.of("1", 100);

        @Override
        public void reconcile(String model, Collection<String> versions) {}

        @Override
        public void setWeights(String model, Map<String, Integer> w) throws RoutingException {
            if (Thread.currentThread().isInterrupted()) {
                throw new RoutingException("interrupted while waiting for the API server");
            }
            changes.add(Map.copyOf(w));
            weights = Map.copyOf(w);
        }

        @Override
        public Map<String, Integer> currentWeights(String model) {
            return weights;
        }

        @Override
        public URI stableEndpoint(String model) {
            return URI.create("http://gateway/models/" + model);
        }

        @Override
        public URI versionEndpoint(String model, String version) {
            return URI.create("http://gateway/models/" + model + "/" + version);
        }

        @Override
        public void remove(String model) {}
    }

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @Test
    void anAbortDuringTheAbTestStillRestoresTheRouteWeightsAndKeepsTheInterrupt() {
        InterruptSensitiveRouter router = new InterruptSensitiveRouter();
        // the build is aborted while the counters are being read: the read fails, the thread is interrupted
        MetricsSource metrics = (model, version) -> {
            Thread.currentThread().interrupt();
            throw new MetricsException("reading the counters was interrupted");
        };
        ExperimentPlan plan = new ExperimentPlan(
                "iris",
                "1",
                "2",
                30,
                Duration.ofSeconds(1),
                Duration.ofMinutes(5),
                100,
                0.05,
                ExperimentPlan.Method.SEQUENTIAL,
                OptionalDouble.empty(),
                50);
        ExperimentRunner runner = new ExperimentRunner(router, metrics, e -> {}, Duration.ofMillis(10));

        assertThatThrownBy(() -> runner.run(plan, List.of())).isInstanceOf(MetricsException.class);

        assertThat(router.changes).containsExactly(Map.of("1", 70, "2", 30), Map.of("1", 100));
        assertThat(router.weights).isEqualTo(Map.of("1", 100)); // the challenger has no production traffic left
        assertThat(Thread.currentThread().isInterrupted())
                .as("the abort is not swallowed")
                .isTrue();
    }
}
