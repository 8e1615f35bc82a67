package io.jenkins.plugins.modeldeploy.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.testing.RawHttp;
import io.jenkins.plugins.modeldeploy.testing.TestModels;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness supervisor as the engine starts it (issue #15): a worker killed under load is replaced and costs at
 * most the requests in flight on it; a killed supervisor takes its workers with it and frees the port. (The Python
 * unit tests {@code test_supervision.py} cover back-off, crash loop, timeouts and parent death in detail.)
 */
class HarnessSupervisionIT {
    @TempDir
    Path workDir;

    @Test
    void aWorkerKilledUnderLoadIsReplacedAndLosesAtMostTheRequestsInFlightOnIt() throws Exception {
        Path dir = TestModels.testModel("echo-python", workDir); // serving.workers: 2
        try (HarnessProcess harness = HarnessProcess.start(
                ModelVersion.of(new ModelSpecLoader().load(dir), "1", "t"), HarnessOptions.loopback(), line -> {})) {
            List<ProcessHandle> workers = awaitWorkers(harness.pid(), 2);
            // Two keep-alive clients, each request sleeping 20 ms in the model: about 100 requests per second.
            int clients = 2;
            byte[] request = RawHttp.postJsonRequest("/predict", "{\"instances\": [{\"sleep_ms\": 20}]}");
            AtomicInteger answered = new AtomicInteger();
            AtomicInteger lost = new AtomicInteger();
            AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
            AtomicInteger answeredAfterKill = new AtomicInteger();
            List<String> failures = Collections.synchronizedList(new ArrayList<>());
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            long stopAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                futures.add(pool.submit(() -> {
                    RawHttp connection = null;
                    while (System.nanoTime() < stopAt) {
                        try {
                            if (connection == null) {
                                connection = new RawHttp(harness.url());
                            }
                            connection.send(request);
                            RawHttp.Response response = connection.read();
                            if (response.status() != 200) {
                                failures.add("status " + response.status() + ": " + response.text());
                            }
                            answered.incrementAndGet();
                            if (System.nanoTime() > killedAt.get()) {
                                answeredAfterKill.incrementAndGet();
                            }
                        } catch (IOException e) {
                            // The connection was on the killed worker: its request was in flight there.
                            lost.incrementAndGet();
                            if (connection != null) {
                                connection.close();
                            }
                            connection = null;
                        }
                    }
                    if (connection != null) {
                        connection.close();
                    }
                    return null;
                }));
            }
            Thread.sleep(1000); // load running for a second before the kill (a duration, not a synchronisation)
            killedAt.set(System.nanoTime());
            assertThat(workers.get(0).destroyForcibly()).isTrue();
            for (Future<?> future : futures) {
                future.get(30, TimeUnit.SECONDS);
            }
            pool.shutdown();

            assertThat(failures).isEmpty();
            assertThat(lost.get()).as("requests lost (one per client at most)").isLessThanOrEqualTo(clients);
            assertThat(answeredAfterKill.get()).as("answered after the kill").isGreaterThan(100);
            assertThat(harness.isAlive()).isTrue();
            List<ProcessHandle> now = awaitWorkers(harness.pid(), 2);
            assertThat(now).doesNotContain(workers.get(0));
            try (RawHttp http = new RawHttp(harness.url())) {
                assertThat(http.get("/v2/health/ready").status()).isEqualTo(200);
                assertThat(http.get("/metrics").text())
                        .contains(
                                "model_deploy_worker_restarts_total{model=\"echo\",version=\"1\",reason=\"exited\"} 1");
            }
        }
    }

    @Test
    void modelYamlServingTimeoutReachesTheHarnessAsItsPredictionTimeout() throws Exception {
        Path dir = TestModels.testModel("echo-python", workDir);
        Path yaml = dir.resolve("model.yaml");
        // model.yaml -> ModelSpec -> HarnessConfig predictTimeoutSeconds -> the harness's 504: the whole path, not
        // only each end (HarnessConfigTest, test_supervision.py)
        java.nio.file.Files.writeString(
                yaml, java.nio.file.Files.readString(yaml).replace("serving:\n", "serving:\n  timeout: 1s\n"));
        try (HarnessProcess harness = HarnessProcess.start(
                        ModelVersion.of(new ModelSpecLoader().load(dir), "1", "t"),
                        HarnessOptions.loopback(),
                        line -> {});
                RawHttp http = new RawHttp(harness.url())) {
            long started = System.nanoTime();
            http.send(RawHttp.postJsonRequest("/predict", "{\"instances\": [{\"sleep_ms\": 5000}]}"));
            RawHttp.Response response = http.read();
            double seconds = (System.nanoTime() - started) / 1e9;
            assertThat(response.status()).as(response.text()).isEqualTo(504);
            assertThat(response.text()).contains("\"error\"");
            assertThat(seconds)
                    .as("answered after the 1 s timeout, not the 5 s sleep")
                    .isLessThan(4.0);
        }
    }

    @Test
    void aKilledSupervisorTakesItsWorkersWithItAndFreesThePort() throws Exception {
        Path dir = TestModels.testModel("echo-python", workDir);
        int port = freePort();
        try (HarnessProcess harness = HarnessProcess.start(
                ModelVersion.of(new ModelSpecLoader().load(dir), "1", "t"),
                HarnessOptions.loopback().withPort(port),
                line -> {})) {
            List<ProcessHandle> workers = awaitWorkers(harness.pid(), 2);
            ProcessHandle.of(harness.pid()).orElseThrow().destroyForcibly();
            assertThat(harness.waitFor()).isNotZero();
            for (ProcessHandle worker : workers) {
                worker.onExit().get(5, TimeUnit.SECONDS);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!portFree(port)) {
                assertThat(System.nanoTime()).as("port %d free", port).isLessThan(deadline);
                Thread.sleep(50);
            }
        }
    }

    private static List<ProcessHandle> awaitWorkers(long supervisor, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            List<ProcessHandle> children = ProcessHandle.of(supervisor)
                    .map(p -> p.children().filter(ProcessHandle::isAlive).toList())
                    .orElse(List.of());
            if (children.size() == count) {
                return children;
            }
            assertThat(System.nanoTime())
                    .as("%d workers of pid %d", count, supervisor)
                    .isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static boolean portFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
