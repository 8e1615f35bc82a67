package io.jenkins.plugins.modeldeploy.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.modeldeploy.smoke.LoadGenerator;
import io.jenkins.plugins.modeldeploy.smoke.LoadProfile;
import io.jenkins.plugins.modeldeploy.smoke.LoadResult;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "smoke", mixinStandardHelpOptions = true,
        description = "Send open-loop load at a fixed rate to a model endpoint and report latency percentiles"
                + " (measured from each request's intended send time).")
final class SmokeCommand implements Callable<Integer> {
    @Option(names = "--url", required = true, description = "Endpoint to POST to, e.g. http://127.0.0.1:8080/predict.")
    URI url;

    @Option(names = "--rate", defaultValue = "100", description = "Requests per second. Default: ${DEFAULT-VALUE}.")
    double rate;

    @Option(names = "--duration", defaultValue = "30s", converter = DurationConverter.class,
            description = "Length of the run, warm-up included. Default: ${DEFAULT-VALUE}.")
    Duration duration;

    @Option(names = "--warmup", defaultValue = "5s", converter = DurationConverter.class,
            description = "Initial part of the run left out of the results. Default: ${DEFAULT-VALUE}.")
    Duration warmup;

    @Option(names = "--payload", paramLabel = "FILE", required = true,
            description = "JSON request body; repeat to cycle through several.")
    List<Path> payloads = new ArrayList<>();

    @Option(names = "--max-in-flight", defaultValue = "64",
            description = "Most requests outstanding at once. Default: ${DEFAULT-VALUE}.")
    int maxInFlight;

    @Option(names = "--timeout", defaultValue = "10s", converter = DurationConverter.class,
            description = "Per-request timeout. Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Option(names = "--output", paramLabel = "text|json", defaultValue = "text",
            description = "text, or json: the result as one JSON line. Default: ${DEFAULT-VALUE}.")
    DemoCommand.OutputFormat output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = commandSpec.commandLine().getOut();
        PrintWriter err = commandSpec.commandLine().getErr();
        List<byte[]> bodies = new ArrayList<>();
        for (Path payload : payloads) {
            try {
                bodies.add(Files.readAllBytes(payload));
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException("--payload " + payload + ": file not found");
            }
        }
        LoadProfile profile = new LoadProfile(rate, duration, warmup, maxInFlight, timeout);
        boolean terminal = System.console() != null;
        LoadResult result = new LoadGenerator().run(url, bodies, profile, progress -> {
            if (terminal) {
                err.printf("\rsent %d  rate %.1f/s  p99 %.2f ms  in flight %d   ", progress.sent(),
                        progress.currentRate(), progress.currentP99Ms(), progress.inFlight());
                err.flush();
            }
        });
        if (terminal) {
            err.println();
        }
        if (output == DemoCommand.OutputFormat.json) {
            out.println(toJson(result));
        } else {
            out.printf("requests %d, errors %d %s, achieved rate %.2f/s over %.1f s%n", result.requests(),
                    result.errorCount(), result.errors(), result.achievedRate(), result.measuredSeconds());
            out.printf("latency ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f%n", result.latencyMs(50),
                    result.latencyMs(90), result.latencyMs(99), result.latencyMs(99.9), result.maxLatencyMs());
            out.printf("send delay us: p50 %d  p99 %d; in-flight cap hit %d times%n",
                    result.sendDelay().getValueAtPercentile(50), result.sendDelay().getValueAtPercentile(99),
                    result.inFlightCapHits());
        }
        out.flush();
        return 0;
    }

    static String toJson(LoadResult result) {
        ObjectNode json = new ObjectMapper().createObjectNode();
        json.put("requests", result.requests());
        json.put("errors", result.errorCount());
        ObjectNode kinds = json.putObject("errorsByKind");
        result.errors().forEach((kind, count) -> kinds.put(kind.name().toLowerCase(java.util.Locale.ROOT), count));
        json.put("achievedRate", round(result.achievedRate()));
        json.put("p50Ms", round(result.latencyMs(50)));
        json.put("p90Ms", round(result.latencyMs(90)));
        json.put("p95Ms", round(result.latencyMs(95)));
        json.put("p99Ms", round(result.latencyMs(99)));
        json.put("p999Ms", round(result.latencyMs(99.9)));
        json.put("maxMs", round(result.maxLatencyMs()));
        json.put("sendDelayP50Us", result.sendDelay().getValueAtPercentile(50));
        json.put("sendDelayP99Us", result.sendDelay().getValueAtPercentile(99));
        json.put("inFlightCapHits", result.inFlightCapHits());
        return json.toString();
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
