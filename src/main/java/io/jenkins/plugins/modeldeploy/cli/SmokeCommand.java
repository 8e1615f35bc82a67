package io.jenkins.plugins.modeldeploy.cli;

import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.event.EventBus;
import io.jenkins.plugins.modeldeploy.event.EventDetails;
import io.jenkins.plugins.modeldeploy.model.ModelSpec;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.Slo;
import io.jenkins.plugins.modeldeploy.pipeline.AbTestInputs;
import io.jenkins.plugins.modeldeploy.progress.ProgressDisplay;
import io.jenkins.plugins.modeldeploy.smoke.LoadProfile;
import io.jenkins.plugins.modeldeploy.smoke.Payload;
import io.jenkins.plugins.modeldeploy.smoke.Payloads;
import io.jenkins.plugins.modeldeploy.smoke.ResponseCheck;
import io.jenkins.plugins.modeldeploy.smoke.Schedule;
import io.jenkins.plugins.modeldeploy.smoke.SmokeReports;
import io.jenkins.plugins.modeldeploy.smoke.SmokeResult;
import io.jenkins.plugins.modeldeploy.smoke.SmokeTest;
import io.jenkins.plugins.modeldeploy.smoke.SmokeThresholds;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "smoke",
        mixinStandardHelpOptions = true,
        description = {
            "Open-loop load at a fixed rate (or a ramp) against a model endpoint, judged against latency"
                    + " and error thresholds. Latencies run from each request's intended send time, so a stalled server"
                    + " cannot hide its stall. Exit code 1 when a threshold is missed."
        })
final class SmokeCommand implements Callable<Integer> {
    static final String STAGE = "smoke";

    @Option(names = "--url", required = true, description = "Endpoint to POST to, e.g. http://127.0.0.1:8080/predict.")
    URI url;

    @Option(
            names = "--model",
            paramLabel = "DIR",
            description = "Model directory: its samples are the payloads and its slo the default rate and limits.")
    Path model;

    @Option(names = "--rate", description = "Requests per second. Default: the model's slo.rps, else 100.")
    Double rate;

    @Option(
            names = "--ramp-from",
            paramLabel = "RATE",
            description = "Start at this rate and ramp linearly to --rate over the run.")
    Double rampFrom;

    @Option(
            names = "--duration",
            defaultValue = "30s",
            converter = DurationConverter.class,
            description = "Length of the run, warm-up included. Default: ${DEFAULT-VALUE}.")
    Duration duration;

    @Option(
            names = "--warmup",
            defaultValue = "5s",
            converter = DurationConverter.class,
            description = "Initial part of the run left out of the results. Default: ${DEFAULT-VALUE}.")
    Duration warmup;

    @Option(
            names = "--payload",
            paramLabel = "FILE",
            description = "Request body (.json) or bodies (.jsonl, one per line); repeat to cycle through several."
                    + " Default: the model's samples.")
    List<Path> payloads = new ArrayList<>();

    @Option(
            names = "--check",
            paramLabel = "status|shape|expected",
            defaultValue = "status",
            description = "What a 2xx answer must hold: status only, a predictions array of the right length, or"
                    + " also the sample's \"expected\" predictions. Default: ${DEFAULT-VALUE}.")
    String check;

    @Option(
            names = "--p99",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "p99 latency limit, e.g. 50ms. Default: the model's slo.p99Ms, else 50ms.")
    Duration p99;

    @Option(
            names = "--p95",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "p95 latency limit (not checked unless given).")
    Duration p95;

    @Option(
            names = "--max-error-rate",
            paramLabel = "FRACTION",
            description = "Largest acceptable error rate, 0..1. Default: the model's slo.maxErrorRate, else 0.01.")
    Double maxErrorRate;

    @Option(
            names = "--min-rate",
            paramLabel = "RATE",
            description = "Smallest acceptable achieved rate. Default: 95%% of --rate.")
    Double minRate;

    @Option(
            names = "--max-in-flight",
            defaultValue = "256",
            description = "Most requests outstanding at once (one connection each). Default: ${DEFAULT-VALUE}.")
    int maxInFlight;

    @Option(
            names = "--timeout",
            defaultValue = "10s",
            converter = DurationConverter.class,
            description = "Per-request timeout. Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Option(
            names = "--report-dir",
            paramLabel = "DIR",
            description = "Write smoke.json, smoke-junit.xml and smoke.html here.")
    Path reportDir;

    @CommandLine.Mixin
    OutputOption output;

    @Option(
            names = "--model-version",
            paramLabel = "VERSION",
            defaultValue = "dev",
            description = "The version under test, for the events published with --model. Default: ${DEFAULT-VALUE}.")
    String modelVersion;

    @CommandLine.Mixin
    EventOptions events;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = commandSpec.commandLine().getOut();
        PrintWriter err = commandSpec.commandLine().getErr();
        CliNames.version(commandSpec.commandLine(), "--model-version", modelVersion);
        if (events.amqpUri != null && model == null) {
            // events name the model they are about: without --model there is none, and --events would do nothing
            throw new CheckedUsageError(
                    commandSpec.commandLine(), "--events needs --model DIR (events name the model they are about)");
        }
        Slo slo = Slo.DEFAULT;
        List<Payload> bodies;
        ModelSpec spec = null;
        if (model != null) {
            spec = new ModelSpecLoader().load(model);
            slo = spec.slo();
            bodies = Payloads.read(spec.directory(), payloads.isEmpty() ? AbTestInputs.trafficFiles(spec) : payloads);
        } else if (payloads.isEmpty()) {
            throw new CheckedUsageError(
                    commandSpec.commandLine(), "give --payload FILE or --model DIR (whose samples are used)");
        } else {
            bodies = Payloads.read(Path.of(""), payloads);
        }
        double targetRate = rate != null ? rate : slo.rps();
        ResponseCheck responseCheck =
                switch (check.toLowerCase(Locale.ROOT)) {
                    case "status" -> ResponseCheck.STATUS;
                    case "shape" -> ResponseCheck.SHAPE;
                    case "expected" -> ResponseCheck.EXPECTED;
                    default ->
                        throw new CheckedUsageError(
                                commandSpec.commandLine(), "--check must be status, shape or expected, was " + check);
                };
        Schedule schedule = new Schedule(rampFrom != null ? rampFrom : targetRate, targetRate, duration);
        LoadProfile profile = new LoadProfile(schedule, warmup, maxInFlight, timeout, responseCheck);
        SmokeThresholds thresholds = SmokeThresholds.fromSlo(slo, targetRate);
        if (p99 != null) {
            thresholds = thresholds.withP99Ms(p99.toNanos() / 1e6);
        }
        if (p95 != null) {
            thresholds = thresholds.withP95Ms(p95.toNanos() / 1e6);
        }
        if (maxErrorRate != null) {
            thresholds = thresholds.withMaxErrorRate(maxErrorRate);
        }
        if (minRate != null) {
            thresholds = thresholds.withMinRate(minRate);
        }
        EventBus bus = spec != null ? events.open(err) : null;
        if (bus != null) {
            bus.publish(DeploymentEvent.of(
                    spec.name(),
                    modelVersion,
                    String.format(
                            Locale.ROOT,
                            "smoke test started: %.0f req/s for %d s against %s",
                            targetRate,
                            duration.toSeconds(),
                            url),
                    new EventDetails.SmokeStarted(url.toString(), targetRate, duration.toMillis() / 1000.0)));
        }
        SmokeResult result;
        try (ProgressDisplay display = output.progress(err)) {
            result = new SmokeTest()
                    .run(url, bodies, profile, thresholds, progress -> display.update(STAGE, progress.describe()));
            display.finish(STAGE);
        }
        // The reports are written before the verdict is published or printed, so whoever reacts to the verdict finds
        // them; a failure to write them is reported with the result, never instead of it (the result still goes to
        // stdout, the journal and the smoke.finished event).
        String reportProblem = null;
        if (reportDir != null) {
            try {
                SmokeReports.writeAll(result, reportDir);
            } catch (IOException e) {
                reportProblem =
                        "the reports could not be written to " + reportDir + " (" + SmokeReports.describe(e) + ")";
                err.println(commandSpec.qualifiedName() + ": " + reportProblem + "; the result follows");
                err.flush();
            }
        }
        if (bus != null) {
            var load = result.load();
            bus.publish(DeploymentEvent.of(
                    spec.name(),
                    modelVersion,
                    String.format(
                            Locale.ROOT,
                            "smoke test %s: p99 %.2f ms, %d errors in %d requests",
                            result.passed() ? "passed" : "failed",
                            load.latencyMs(99),
                            load.errorCount(),
                            load.requests()),
                    new EventDetails.SmokeFinished(
                            result.passed(),
                            load.requests(),
                            load.achievedRate(),
                            load.latencyMs(50),
                            load.latencyMs(99),
                            load.errorRate(),
                            result.verdict().reasons())));
            bus.close(java.time.Duration.ofSeconds(10));
        }
        if (output.json()) {
            com.fasterxml.jackson.databind.node.ObjectNode json =
                    SmokeReports.json(result).without(List.of("histogram", "timeline"));
            if (reportProblem != null) {
                json.put("reportError", reportProblem);
            }
            out.println(json);
        } else {
            var load = result.load();
            out.printf(
                    "%s: %d requests at %.1f req/s (target %.1f), %d errors %s%n",
                    result.passed() ? "PASSED" : "FAILED",
                    load.requests(),
                    load.achievedRate(),
                    load.targetRate(),
                    load.errorCount(),
                    load.errors());
            out.printf(
                    "latency ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f%n",
                    load.latencyMs(50),
                    load.latencyMs(90),
                    load.latencyMs(99),
                    load.latencyMs(99.9),
                    load.maxLatencyMs());
            out.printf(
                    "generator: send delay p50 %d us, p99 %d us; %d connections; in-flight cap hit %d times%n",
                    load.sendDelay().getValueAtPercentile(50),
                    load.sendDelay().getValueAtPercentile(99),
                    load.connections(),
                    load.inFlightCapHits());
            if (result.labels().instances() > 0) {
                out.println("labelled: " + result.labels().describe());
            }
            if (reportProblem != null) {
                out.println("reports: not written: " + reportProblem);
            } else if (reportDir != null) {
                out.println("reports: " + reportDir.resolve(SmokeReports.HTML_FILE));
            }
        }
        out.flush();
        if (!result.passed()) {
            throw new IllegalStateException("smoke test failed: "
                    + String.join("; ", result.verdict().reasons())
                    + (reportProblem == null ? "" : "; " + reportProblem));
        }
        if (reportProblem != null) {
            throw new IllegalStateException("smoke test passed but " + reportProblem);
        }
        return 0;
    }
}
