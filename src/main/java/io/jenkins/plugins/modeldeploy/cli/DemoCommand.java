package io.jenkins.plugins.modeldeploy.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.modeldeploy.event.EventBus;
import io.jenkins.plugins.modeldeploy.harness.HarnessOptions;
import io.jenkins.plugins.modeldeploy.local.ExampleModels;
import io.jenkins.plugins.modeldeploy.local.LocalDemo;
import io.jenkins.plugins.modeldeploy.pipeline.DeployOutcome;
import io.jenkins.plugins.modeldeploy.progress.ProgressDisplay;
import io.jenkins.plugins.modeldeploy.smoke.SmokeReports;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "The whole path on this machine: train the iris example, build images of v1 and v2, run both"
                    + " behind the local gateway, smoke-test v2 (a retrain), A/B test it against v1 with synthetic traffic,"
                    + " promote it once it is shown not worse, and write an HTML report."
        })
final class DemoCommand implements Callable<Integer> {
    @Option(
            names = "--examples",
            paramLabel = "DIR",
            description = "The examples directory. Default: $MODEL_DEPLOY_HOME/examples or ./examples.")
    Path examples;

    @Option(
            names = "--report-dir",
            paramLabel = "DIR",
            defaultValue = ".model-deploy/demo",
            description = "Where the HTML report goes, in a folder named by the run id (so two demos never"
                    + " overwrite each other's report). Default: ${DEFAULT-VALUE}.")
    Path reportDir;

    @Option(names = "--no-images", description = "Skip building the OCI images (saves the one-time base image build).")
    boolean noImages;

    @Option(
            names = "--runtime",
            paramLabel = "process|container",
            defaultValue = "process",
            description = "Run each version as a harness process (default) or its image with podman.")
    String runtime;

    @CommandLine.Mixin
    OutputOption output;

    @CommandLine.Mixin
    EventOptions events;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = commandSpec.commandLine().getOut();
        PrintWriter err = commandSpec.commandLine().getErr();
        Path root = examples != null ? examples.toAbsolutePath() : ExampleModels.defaultRoot();
        PrintWriter progress = output.json() ? err : out;
        LocalDemo.Result result;
        if (!runtime.equals("process") && !runtime.equals("container")) {
            throw new CheckedUsageError(
                    commandSpec.commandLine(), "--runtime must be process or container, was " + runtime);
        }
        if (noImages && runtime.equals("container")) {
            throw new CheckedUsageError(
                    commandSpec.commandLine(),
                    "--runtime container runs the versions' images: it cannot be combined with --no-images");
        }
        String runId;
        // Ctrl-C/SIGTERM: the demo's run ends (its target stops both harness trees, its scratch directory goes)
        // before the JVM does
        StopOnSignal stop = StopOnSignal.install();
        try (EventBus bus = events.open(progress);
                ProgressDisplay display = output.progress(progress)) {
            runId = bus.runId();
            LocalDemo.Options defaults =
                    LocalDemo.Options.defaults(reportDir.resolve(runId).toAbsolutePath());
            LocalDemo.Options options = new LocalDemo.Options(
                    !noImages,
                    runtime.equals("container"),
                    defaults.reportDir(),
                    defaults.smoke(),
                    defaults.experiment());
            progress.println("demo run " + runId);
            progress.flush();
            LocalDemo demo = new LocalDemo(root, HarnessOptions.loopback(), bus, OutputOption.lines(progress), display);
            result = demo.run(options);
        } catch (InterruptedException e) {
            // Ctrl-C/SIGTERM: the run has ended and cleaned up (the JVM is exiting; its exit code is the signal's)
            err.println("model-deploy demo: stopped by a signal; its processes and scratch files are removed");
            err.flush();
            return 130;
        } finally {
            stop.done();
        }
        if (output.json()) {
            out.println(toJson(result, runId));
        } else {
            for (LocalDemo.SampleResult sample : result.samples()) {
                out.printf(
                        "%-24s %d %s (%.1f ms)%n",
                        sample.sample(),
                        sample.status(),
                        sample.status() == 200 ? sample.response().get("predictions") : sample.response(),
                        sample.latencyMs());
            }
            DeployOutcome second = result.second();
            out.printf(
                    "%s-%s: %s, production is now %s; %d requests through the gateway, %d failed; %.0f s%n",
                    second.model(),
                    second.version(),
                    second.outcome().map(Enum::name).orElse("?"),
                    second.production().orElse("none"),
                    result.gatewayRequests(),
                    result.failedRequests(),
                    result.seconds());
            out.println("report: " + result.report());
        }
        out.flush();
        if (!result.allSucceeded()) {
            err.println("demo did not end as expected: "
                    + result.second().outcome().map(Enum::name).orElse("?") + " ("
                    + result.second().reason() + "), " + result.failedRequests() + " failed requests");
            err.flush();
            return 1;
        }
        return 0;
    }

    static String toJson(LocalDemo.Result result, String runId) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode summary = json.createObjectNode();
        DeployOutcome second = result.second();
        summary.put("runId", runId);
        summary.put("model", result.model());
        summary.put("promoted", second.production().orElse(null));
        summary.put("outcome", second.outcome().map(Enum::name).orElse(null));
        summary.put("verdict", second.verdict().map(Enum::name).orElse(null));
        second.experiment().ifPresent(e -> {
            ObjectNode ab = summary.putObject("abTest");
            ArrayNode reasons = ab.putArray("reasons");
            e.reasons().forEach(reasons::add);
            ab.put("championRequests", e.champion().requests());
            ab.put("challengerRequests", e.challenger().requests());
            ab.put("championErrorRate", e.champion().errorRate());
            ab.put("challengerErrorRate", e.challenger().errorRate());
            ab.put("errorRatePValue", e.errorRatePValue());
            ab.put("srmPValue", e.srmPValue());
            ab.put("seconds", e.took().toMillis() / 1000.0);
            ab.set("experiment", io.jenkins.plugins.modeldeploy.pipeline.ExperimentJson.of(e));
        });
        result.shadow().ifPresent(phase -> {
            ObjectNode shadow = summary.putObject("shadow");
            shadow.put("compared", phase.shadow().compared());
            shadow.put("agreed", phase.shadow().agreed());
            shadow.put("agreement", phase.shadow().agreementRate());
            shadow.put("failed", phase.shadow().failed());
        });
        second.smoke()
                .ifPresent(smoke ->
                        summary.set("smoke", SmokeReports.json(smoke).without(List.of("histogram", "timeline"))));
        summary.put("failedRequests", result.failedRequests());
        summary.put("injectedFaults", result.injectedFaults());
        summary.put("gatewayRequests", result.gatewayRequests());
        ObjectNode images = summary.putObject("images");
        result.first().image().ifPresent(i -> images.put(result.first().version(), i.digest()));
        second.image().ifPresent(i -> images.put(second.version(), i.digest()));
        summary.put("report", result.report().toString());
        summary.put("seconds", Math.round(result.seconds() * 10) / 10.0);
        ArrayNode samples = summary.putArray("samples");
        for (LocalDemo.SampleResult sample : result.samples()) {
            ObjectNode node = samples.addObject();
            node.put("sample", sample.sample());
            node.put("status", sample.status());
            node.set("response", sample.response());
        }
        return summary.toString();
    }
}
