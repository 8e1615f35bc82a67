import io.jenkins.plugins.modeldeploy.harness.HarnessOptions;
import io.jenkins.plugins.modeldeploy.harness.HarnessProcess;
import io.jenkins.plugins.modeldeploy.local.ExampleModels;
import io.jenkins.plugins.modeldeploy.local.FilePredictionOutput;
import io.jenkins.plugins.modeldeploy.local.LocalGateway;
import io.jenkins.plugins.modeldeploy.local.PredictionLogWriter;
import io.jenkins.plugins.modeldeploy.local.PredictionSink;
import io.jenkins.plugins.modeldeploy.model.ModelSpec;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.smoke.LoadGenerator;
import io.jenkins.plugins.modeldeploy.smoke.LoadProfile;
import io.jenkins.plugins.modeldeploy.smoke.LoadResult;
import io.jenkins.plugins.modeldeploy.smoke.Payload;
import io.jenkins.plugins.modeldeploy.smoke.Payloads;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the local gateway adds to latency (bench/gateway.sh): the iris example's harness at 100 req/s, called
 * directly, through the gateway's stable route, and through it with prediction logging on (file output, sample 1.0),
 * in alternating rounds of the same length. Goal: the gateway adds at most 1 ms to p99, logging or not. Each round
 * warms up for 10 s first (JIT compilation of the proxy path). Then the logging writer's {@code offer()} alone: the
 * time a serving thread spends handing it a prediction, with the drainer writing to a file behind it.
 */
public class GatewayBench {
    public static void main(String[] args) throws Exception {
        Path examples = Path.of(args[0]);
        int seconds = Integer.parseInt(args.length > 1 ? args[1] : "30");
        double rate = 100;
        Path work = Files.createTempDirectory("model-deploy-gateway-bench-");
        if (seconds == 0) { // bench/gateway.sh 0: the logging writer's offer() alone
            offerAlone(work.resolve("offer"));
            return;
        }
        Path model = ExampleModels.copy(examples, ExampleModels.IRIS_PYTHON, work);
        ExampleModels.train(model, HarnessOptions.defaultPython(), line -> { });
        ModelSpec spec = new ModelSpecLoader().load(model);
        ModelVersion version = ModelVersion.of(spec, "1", "bench");
        List<Payload> payloads = Payloads.read(spec.directory(), spec.samples());
        try (HarnessProcess harness = HarnessProcess.start(version, HarnessOptions.loopback(), line -> { });
                LocalGateway gateway = LocalGateway.start(0)) {
            VersionRef ref = new VersionRef(spec.name(), "1");
            gateway.register(ref, harness.url(), spec.slo().p99Ms());
            gateway.reconcile(spec.name(), List.of("1"));
            gateway.setWeights(spec.name(), Map.of("1", 100));
            URI direct = URI.create(harness.url() + "/predict");
            URI routed = URI.create(gateway.stableEndpoint(spec.name()) + "/predict");
            LoadProfile profile = LoadProfile.constant(rate, Duration.ofSeconds(seconds), Duration.ofSeconds(10));
            Path logDir = work.resolve("predictions");
            PredictionLogWriter writer = new PredictionLogWriter(
                    new FilePredictionOutput(logDir), 1.0, List.of(), PredictionLogWriter.DEFAULT_CAPACITY,
                    line -> System.err.println(line));
            AtomicBoolean logging = new AtomicBoolean(false);
            PredictionSink switchable = p -> {
                if (logging.get()) {
                    writer.offer(p);
                }
            };
            gateway.predictionSink(switchable);
            boolean hooked = true;
            String[] names = {"direct", "gateway", "gateway+log"};
            int paths = hooked ? 3 : 2;
            System.out.printf(Locale.ROOT, "| round | path | requests | p50 ms | p99 ms | p99.9 ms | errors |%n"
                    + "|---|---|---|---|---|---|---|%n");
            double[] p99 = new double[3];
            for (int round = 1; round <= 2; round++) {
                for (int path = 0; path < paths; path++) {
                    logging.set(path == 2);
                    LoadResult result = new LoadGenerator().run(path == 0 ? direct : routed, payloads, profile,
                            p -> { });
                    p99[path] += result.latencyMs(99) / 2;
                    System.out.printf(Locale.ROOT, "| %d | %s | %d | %.3f | %.3f | %.3f | %d |%n", round,
                            names[path], result.requests(), result.latencyMs(50),
                            result.latencyMs(99), result.latencyMs(99.9), result.errorCount());
                }
            }
            logging.set(false);
            System.out.printf(Locale.ROOT, "%ngateway adds %.3f ms to p99 at %.0f req/s (mean of the rounds: %.3f ms"
                    + " direct, %.3f ms through the gateway; goal <= 1 ms)%n", p99[1] - p99[0], rate, p99[0], p99[1]);
            if (hooked) {
                System.out.printf(Locale.ROOT, "with prediction logging (file, sample 1.0) it adds %.3f ms (%.3f ms"
                        + " through the gateway); %d records written, %d dropped%n", p99[2] - p99[0], p99[2],
                        writer.written(), writer.dropped());
            } else {
                System.out.println("gateway+log not measured: this gateway has no predictionSink hook yet");
            }
            writer.close();
        }
        offerAlone(work.resolve("offer"));
    }

    /**
     * The writer's offer() alone, as serving threads call it, with the file output behind it: (1) the time one offer()
     * takes at 10,000 predictions/s for 5 s (100x the gateway rounds' rate), and what was dropped; (2) how fast the
     * one drainer thread formats and writes: 100,000 predictions offered at once into a queue that holds them all.
     */
    static void offerAlone(Path dir) throws Exception {
        byte[] request = "{\"instances\": [[5.1, 3.5, 1.4, 0.2]]}".getBytes(StandardCharsets.UTF_8);
        byte[] response = "{\"predictions\": [\"setosa\"]}".getBytes(StandardCharsets.UTF_8);
        VersionRef ref = new VersionRef("iris", "1");
        int total = 50_000;
        long[] nanos = new long[total];
        PredictionLogWriter writer = new PredictionLogWriter(new FilePredictionOutput(dir.resolve("paced")), 1.0,
                List.of(), PredictionLogWriter.DEFAULT_CAPACITY, line -> { });
        long started = System.nanoTime();
        for (int i = 0; i < total; i++) {
            long due = started + i * 100_000L; // one every 100 us
            while (System.nanoTime() < due) {
                Thread.onSpinWait();
            }
            PredictionSink.Prediction p = new PredictionSink.Prediction(ref, "stable", "r" + i, request, 200,
                    response, 1_000_000);
            long t0 = System.nanoTime();
            writer.offer(p);
            nanos[i] = System.nanoTime() - t0;
        }
        writer.close();
        long[] warm = Arrays.copyOfRange(nanos, total / 10, total);
        Arrays.sort(warm);
        System.out.printf(Locale.ROOT, "%noffer() at 10,000/s for 5 s, file output, sample 1.0: p50 %.2f us, p99 %.2f"
                        + " us, p99.9 %.2f us, max %.1f us (last 90%%); written %d, dropped %d%n",
                warm[warm.length / 2] / 1e3, warm[(int) (warm.length * 0.99)] / 1e3,
                warm[(int) (warm.length * 0.999)] / 1e3, warm[warm.length - 1] / 1e3, writer.written(),
                writer.dropped());

        int burst = 100_000;
        PredictionLogWriter drainer = new PredictionLogWriter(new FilePredictionOutput(dir.resolve("burst")), 1.0,
                List.of(), burst, line -> { });
        long t0 = System.nanoTime();
        for (int i = 0; i < burst; i++) {
            drainer.offer(new PredictionSink.Prediction(ref, "stable", "b" + i, request, 200, response, 1_000_000));
        }
        double offered = (System.nanoTime() - t0) / 1e9;
        while (drainer.written() < burst) {
            Thread.sleep(5);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        drainer.close();
        System.out.printf(Locale.ROOT, "drainer: %d records formatted and written in %.2f s (%.0f records/s; offered"
                + " in %.3f s), dropped %d%n", burst, seconds, burst / seconds, offered, drainer.dropped());
    }
}
