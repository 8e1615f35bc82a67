package io.jenkins.plugins.modeldeploy.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.testing.RawHttp;
import io.jenkins.plugins.modeldeploy.testing.TestModels;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start and stop of the harness: readiness while loading, and a SIGTERM that loses no in-flight request. */
class HarnessLifecycleIT {
    @TempDir
    Path workDir;

    @Test
    void isLiveButNotReadyWhileTheModelLoads() throws Exception {
        Path dir = TestModels.testModel("slow-load-python", workDir);
        int port = freePort();
        HarnessOptions options = HarnessOptions.loopback().withPort(port);
        try (HarnessProcess harness = HarnessProcess.launch(
                ModelVersion.of(new ModelSpecLoader().load(dir), "1", "t"), options, line -> {})) {
            URI url = URI.create("http://127.0.0.1:" + port);
            RawHttp.Response ready = retryUntilListening(url, "/v2/health/ready");
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.json()).hasToString("{\"ready\":false,\"reason\":\"model is loading\"}");
            try (RawHttp http = new RawHttp(url)) {
                assertThat(http.get("/v2/health/live").status()).isEqualTo(200);
                RawHttp.Response predict = http.postJson("/predict", "{\"instances\": [[1]]}");
                assertThat(predict.status()).isEqualTo(503);
                assertThat(predict.error()).isEqualTo("model \"slow\" is not ready yet (loading)");
                assertThat(predict.header("retry-after")).isEqualTo("1");
            }
            assertThat(harness.awaitReady()).isEqualTo(url);
            try (RawHttp http = new RawHttp(url)) {
                assertThat(http.get("/v2/health/ready").status()).isEqualTo(200);
                assertThat(http.postJson("/predict", "{\"instances\": [[1, 2]]}")
                                .json()
                                .get("predictions"))
                        .hasToString("[2]");
            }
        }
    }

    /**
     * With several workers a Python model loads once in the supervisor before they fork; meanwhile a stand-in
     * answers on the port, so liveness is 200 and readiness 503 until the workers have the model.
     */
    @Test
    void withSeveralWorkersTheModelLoadsOnceBeforeForkAndReadinessWaitsForIt() throws Exception {
        Path dir = TestModels.testModel("slow-load-python", workDir);
        setServing(dir, "workers: 2");
        int port = freePort();
        List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
        try (HarnessProcess harness = HarnessProcess.launch(
                ModelVersion.of(new ModelSpecLoader().load(dir), "1", "t"),
                HarnessOptions.loopback().withPort(port),
                log::add)) {
            URI url = URI.create("http://127.0.0.1:" + port);
            RawHttp.Response ready = retryUntilListening(url, "/v2/health/ready");
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.json()).hasToString("{\"ready\":false,\"reason\":\"model is loading\"}");
            try (RawHttp http = new RawHttp(url)) {
                assertThat(http.get("/v2/health/live").status()).isEqualTo(200);
            }
            assertThat(harness.awaitReady()).isEqualTo(url);
            assertThat(harness.workers()).isEqualTo(2);
            assertThat(log).anyMatch(line -> line.contains("model loaded once in the supervisor"));
            assertThat(log).anyMatch(line -> line.contains("workers: 2 (set by --workers or serving.workers)"));
            try (RawHttp http = new RawHttp(url)) {
                assertThat(http.get("/v2/health/ready").status()).isEqualTo(200);
                assertThat(http.postJson("/predict", "{\"instances\": [[1, 2]]}")
                                .json()
                                .get("predictions"))
                        .hasToString("[2]");
            }
        }
    }

    @Test
    void sigtermWhileTheSupervisorLoadsStopsAtOnceWithTheStandIn() throws Exception {
        Path dir = TestModels.testModel("slow-load-python", workDir);
        setServing(dir, "workers: 2", "LOAD_SECONDS: 60");
        int port = freePort();
        List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
        HarnessProcess harness = HarnessProcess.launch(
                ModelVersion.of(new ModelSpecLoader().load(dir), "1", "t"),
                HarnessOptions.loopback().withPort(port),
                log::add);
        try {
            RawHttp.Response ready = retryUntilListening(URI.create("http://127.0.0.1:" + port), "/v2/health/ready");
            assertThat(ready.status()).isEqualTo(503); // the stand-in answers: the supervisor is loading
            List<ProcessHandle> children =
                    ProcessHandle.of(harness.pid()).orElseThrow().children().toList();
            assertThat(children).hasSize(1);
            java.util.concurrent.CompletableFuture<Void> exited = new java.util.concurrent.CompletableFuture<>();
            harness.onExit(() -> exited.complete(null));
            harness.signalStop();
            exited.get(15, TimeUnit.SECONDS); // not the 60 s the load would take
            assertThat(harness.waitFor()).as(String.join("\n", log)).isZero();
            assertThat(log).anyMatch(line -> line.endsWith("stopped while loading the model"));
            assertThat(children).noneMatch(ProcessHandle::isAlive);
        } finally {
            harness.close();
        }
    }

    @Test
    void aModelFailingToLoadInTheSupervisorStopsTheHarnessWithItsError() throws Exception {
        Path broken = TestModels.testModel("broken-python", workDir);
        setServing(broken, "workers: 2");
        assertThatThrownBy(() -> HarnessProcess.start(
                        ModelVersion.of(new ModelSpecLoader().load(broken), "1", "t"),
                        HarnessOptions.loopback(),
                        line -> {}))
                .isInstanceOf(HarnessStartException.class)
                .hasMessageStartingWith("model broken-1 failed to start (harness exit code 3)")
                .hasMessageContaining("RuntimeError: weights file is corrupt");
    }

    /** Rewrites the copied test model's model.yaml: `workers: 1` and `LOAD_SECONDS: n` lines replaced. */
    private static void setServing(Path model, String... lines) throws IOException {
        Path yaml = model.resolve("model.yaml");
        String text = java.nio.file.Files.readString(yaml);
        for (String line : lines) {
            String key = line.substring(0, line.indexOf(':') + 1);
            String replaced = text.replaceAll("(?m)^(\\s*)" + java.util.regex.Pattern.quote(key) + ".*$", "$1" + line);
            assertThat(replaced).as("model.yaml has " + key).isNotEqualTo(text);
            text = replaced;
        }
        java.nio.file.Files.writeString(yaml, text);
    }

    @Test
    void sigtermTurnsReadinessOffAndFinishesInFlightRequests() throws Exception {
        Path dir = TestModels.testModel("echo-python", workDir);
        List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
        try (HarnessProcess harness = HarnessProcess.start(
                        ModelVersion.of(new ModelSpecLoader().load(dir), "1", "t"),
                        HarnessOptions.loopback().withDrainTimeout(Duration.ofSeconds(10)),
                        log::add);
                RawHttp slow = new RawHttp(harness.url());
                RawHttp probe = new RawHttp(harness.url())) {
            assertThat(probe.get("/v2/health/ready").status()).isEqualTo(200);
            slow.send(RawHttp.postJsonRequest("/predict", "{\"instances\": [{\"sleep_ms\": 1500}]}"));
            Thread.sleep(200); // the slow request is now in the model
            harness.signalStop();
            Thread.sleep(200);
            RawHttp.Response notReady = probe.get("/v2/health/ready");
            assertThat(notReady.status()).isEqualTo(503);
            assertThat(notReady.json()).hasToString("{\"ready\":false,\"reason\":\"shutting down\"}");
            assertThat(notReady.closes()).isTrue();
            RawHttp.Response finished = slow.read();
            assertThat(finished.status()).isEqualTo(200);
            assertThat(finished.json().get("predictions")).hasToString("[1500]");
            assertThat(finished.closes()).isTrue();
            int code = harness.waitFor();
            assertThat(code)
                    .as("harness exit code; its log:\n" + String.join("\n", log))
                    .isZero();
        }
    }

    /**
     * Clients keep sending on keep-alive connections while the harness gets SIGTERM. Every request that was written
     * to a connection must get a complete answer; only new connections may be refused.
     */
    @Test
    void sigtermUnderLoadLosesNoInFlightRequest() throws Exception {
        Path dir = TestModels.testModel("echo-python", workDir);
        HarnessProcess harness = HarnessProcess.start(
                ModelVersion.of(new ModelSpecLoader().load(dir), "1", "t"),
                HarnessOptions.loopback().withDrainTimeout(Duration.ofSeconds(10)),
                line -> {});
        int clients = 6;
        byte[] request = RawHttp.postJsonRequest("/predict", "{\"instances\": [{\"sleep_ms\": 20}]}");
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger answeredAfterSignal = new AtomicInteger();
        AtomicInteger lost = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicBoolean signalled = new AtomicBoolean();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch running = new CountDownLatch(clients);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> futures = new ArrayList<>();
        long stopAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
        for (int c = 0; c < clients; c++) {
            futures.add(pool.submit(() -> {
                running.countDown();
                RawHttp connection = null;
                while (System.nanoTime() < stopAt) {
                    try {
                        if (connection == null) {
                            connection = new RawHttp(harness.url());
                        }
                    } catch (ConnectException e) {
                        refused.incrementAndGet(); // not sent: the harness no longer accepts connections
                        if (signalled.get()) {
                            return null;
                        }
                        continue;
                    }
                    boolean written = false;
                    try {
                        connection.send(request);
                        written = true;
                        RawHttp.Response response = connection.read();
                        if (response.status() != 200) {
                            failures.add("status " + response.status() + ": " + response.text());
                        }
                        answered.incrementAndGet();
                        if (signalled.get()) {
                            answeredAfterSignal.incrementAndGet();
                        }
                        if (response.closes()) {
                            connection.close();
                            connection = null;
                        }
                    } catch (IOException e) {
                        if (written) {
                            lost.incrementAndGet();
                            failures.add("lost after write: " + e);
                        }
                        connection.close();
                        connection = null;
                    }
                }
                if (connection != null) {
                    connection.close();
                }
                return null;
            }));
        }
        running.await();
        Thread.sleep(1000);
        signalled.set(true);
        harness.signalStop();
        for (Future<?> future : futures) {
            future.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        int exit = harness.waitFor();
        System.out.printf(
                "SIGTERM under load: %d answered (%d after the signal), %d lost, %d connections refused%n",
                answered.get(), answeredAfterSignal.get(), lost.get(), refused.get());

        assertThat(failures).isEmpty();
        assertThat(lost.get()).isZero();
        assertThat(answered.get()).isGreaterThan(100);
        assertThat(answeredAfterSignal.get())
                .as("requests in flight when SIGTERM arrived")
                .isPositive();
        assertThat(refused.get())
                .as("clients turned away once the harness stopped accepting")
                .isPositive();
        assertThat(exit).isZero();
    }

    private static RawHttp.Response retryUntilListening(URI url, String path) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (RawHttp http = new RawHttp(url)) {
                return http.get(path);
            } catch (ConnectException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
