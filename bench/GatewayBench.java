import io.jenkins.plugins.modeldeploy.harness.HarnessOptions;
import io.jenkins.plugins.modeldeploy.harness.HarnessProcess;
import io.jenkins.plugins.modeldeploy.local.ExampleModels;
import io.jenkins.plugins.modeldeploy.local.LocalGateway;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the local gateway adds to latency (bench/gateway.sh): the iris example's harness at 100 req/s, called
 * directly and through the gateway's version route, in alternating rounds of the same length. Goal: the gateway
 * adds at most 1 ms to p99. Each round warms up for 10 s first (JIT compilation of the proxy path).
 */
public class GatewayBench {
    public static void main(String[] args) throws Exception {
        Path examples = Path.of(args[0]);
        int seconds = Integer.parseInt(args.length > 1 ? args[1] : "30");
        double rate = 100;
        Path work = Files.createTempDirectory("model-deploy-gateway-bench-");
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
            System.out.printf(Locale.ROOT, "| round | path | requests | p50 ms | p99 ms | p99.9 ms | errors |%n"
                    + "|---|---|---|---|---|---|---|%n");
            double[] p99 = new double[2];
            for (int round = 1; round <= 2; round++) {
                for (int path = 0; path < 2; path++) {
                    LoadResult result = new LoadGenerator().run(path == 0 ? direct : routed, payloads, profile,
                            p -> { });
                    p99[path] += result.latencyMs(99) / 2;
                    System.out.printf(Locale.ROOT, "| %d | %s | %d | %.3f | %.3f | %.3f | %d |%n", round,
                            path == 0 ? "direct" : "gateway", result.requests(), result.latencyMs(50),
                            result.latencyMs(99), result.latencyMs(99.9), result.errorCount());
                }
            }
            System.out.printf(Locale.ROOT, "%ngateway adds %.3f ms to p99 at %.0f req/s (mean of the rounds: %.3f ms"
                    + " direct, %.3f ms through the gateway; goal <= 1 ms)%n", p99[1] - p99[0], rate, p99[0], p99[1]);
        }
    }
}
