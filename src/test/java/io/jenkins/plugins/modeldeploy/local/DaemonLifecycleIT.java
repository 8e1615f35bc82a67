package io.jenkins.plugins.modeldeploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan;
import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.harness.HarnessOptions;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.pipeline.Approval;
import io.jenkins.plugins.modeldeploy.pipeline.DeployOutcome;
import io.jenkins.plugins.modeldeploy.pipeline.DeployPlan;
import io.jenkins.plugins.modeldeploy.pipeline.DeploymentEngine;
import io.jenkins.plugins.modeldeploy.pipeline.Lifecycle;
import io.jenkins.plugins.modeldeploy.target.Outcome;
import io.jenkins.plugins.modeldeploy.target.RetireMode;
import io.jenkins.plugins.modeldeploy.target.Target;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import io.jenkins.plugins.modeldeploy.testing.TestModels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lifecycle over the daemon's control API with traffic on the stable route the whole time: a promotion after an
 * A/B test (weights split, then all to the new version, the old one scaled to zero) and a rollback (the old version
 * restored, the new one scaled to zero) lose no request.
 */
class DaemonLifecycleIT {
    @TempDir
    Path dir;

    @Test
    void promotionAndRollbackThroughTheDaemonLoseNoRequestOnTheStableRoute() throws Exception {
        Path model = TestModels.testModel("echo-python", dir);
        List<DeploymentEvent> events = new CopyOnWriteArrayList<>();
        LocalDaemon daemon = LocalDaemon.start(
                new LocalDaemon.Options(dir.resolve("state"), OptionalInt.empty(), Optional.empty()), line -> {});
        List<ProcessHandle> versions;
        try (Target target = LocalClient.connect(dir.resolve("state"), events::add)) {
            DeploymentEngine engine = new DeploymentEngine(events::add, dir.resolve("work"), line -> {});
            Lifecycle lifecycle = new Lifecycle(engine, target, events::add);
            // version 1 fails a fifth of its predictions on purpose (marked as injected): version 2 is better
            ((DaemonTarget) target).injectErrors(new VersionRef("echo", "1"), 0.2);
            ModelVersion v1 = ModelVersion.of(new ModelSpecLoader().load(model), "1", "test");
            ModelVersion v2 = ModelVersion.of(new ModelSpecLoader().load(model), "2", "test");
            DeployOutcome first = lifecycle.run(plan(v1), (request, timeout) -> Approval.automatic("test"));
            assertThat(first.outcome()).contains(Outcome.PROMOTED);
            assertThat(events).anyMatch(e -> e.message().startsWith("echo-1 ready at")); // streamed by the daemon

            URI stable = target.router().stableEndpoint("echo");
            try (Traffic traffic = new Traffic(stable)) {
                DeployOutcome second = lifecycle.run(plan(v2), (request, timeout) -> Approval.automatic("test"));
                assertThat(second.outcome()).as(second.reason()).contains(Outcome.PROMOTED);
                assertThat(target.router().currentWeights("echo")).containsExactlyEntriesOf(Map.of("2", 100));

                lifecycle.releases().rollBack("echo", Optional.empty(), "test", "test", Duration.ZERO);
                assertThat(target.router().currentWeights("echo")).containsExactlyEntriesOf(Map.of("1", 100));
                Thread.sleep(500);
                traffic.stop();
                assertThat(traffic.failures)
                        .as("requests that failed other than on purpose")
                        .isEmpty();
                assertThat(traffic.ok.get()).isGreaterThan(500);
            }
            var status = target.status(Duration.ofSeconds(10)).get(0);
            assertThat(status.versions())
                    .extracting(v -> v.version() + "=" + v.readyReplicas() + "/" + v.desiredReplicas())
                    .containsExactly("1=1/1", "2=0/0");
            versions = ProcessHandle.current()
                    .descendants()
                    .filter(p -> p.info()
                            .commandLine()
                            .map(c -> c.contains("model-deploy-echo-"))
                            .orElse(false))
                    .toList();
            assertThat(versions).isNotEmpty();
        } finally {
            daemon.close();
        }
        assertThat(versions).noneMatch(ProcessHandle::isAlive);
    }

    private static DeployPlan plan(ModelVersion version) {
        return new DeployPlan(
                version,
                Optional.empty(),
                Optional.empty(),
                Map.of(),
                Duration.ofMinutes(1),
                Optional.empty(),
                new DeployPlan.ExperimentSettings(
                        50,
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(60),
                        100,
                        0.05,
                        ExperimentPlan.Method.SEQUENTIAL,
                        OptionalDouble.of(100),
                        0.01,
                        ExperimentPlan.Gate.DEFAULT),
                Duration.ofMinutes(1),
                Duration.ZERO,
                RetireMode.REMOVE,
                "test");
    }

    /** Two clients sending predictions to the stable route until stopped; failures not injected on purpose kept. */
    private static final class Traffic implements AutoCloseable {
        final AtomicLong ok = new AtomicLong();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads;

        Traffic(URI stable) {
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest request = HttpRequest.newBuilder(URI.create(stable + "/predict"))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"instances\": [[1, 2]]}"))
                    .build();
            threads = List.of(new Thread(() -> send(http, request)), new Thread(() -> send(http, request)));
            threads.forEach(Thread::start);
        }

        private void send(HttpClient http, HttpRequest request) {
            while (running.get()) {
                try {
                    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 200) {
                        ok.incrementAndGet();
                    } else if (response.headers()
                            .firstValue(HarnessOptions.INJECTED_FAULT_HEADER)
                            .isEmpty()) {
                        failures.add(response.statusCode() + " " + response.body());
                    }
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    failures.add(e.toString());
                }
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread thread : threads) {
                thread.join();
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }
}
