package io.jenkins.plugins.modeldeploy.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.modeldeploy.event.EventBus;
import io.jenkins.plugins.modeldeploy.harness.HarnessOptions;
import io.jenkins.plugins.modeldeploy.local.ExampleModels;
import io.jenkins.plugins.modeldeploy.local.LocalDemo;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Train the iris example, serve it locally, send its samples, print the predictions and stop.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--examples", paramLabel = "DIR",
            description = "The examples directory. Default: $MODEL_DEPLOY_HOME/examples or ./examples.")
    Path examples;

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
        try (EventBus bus = events.open(progress)) {
            LocalDemo demo = new LocalDemo(root, HarnessOptions.loopback(), bus, OutputOption.lines(progress));
            result = demo.run();
        }
        if (output.json()) {
            out.println(toJson(result));
        } else {
            for (LocalDemo.SampleResult sample : result.samples()) {
                out.printf("%-24s %d %s (%.1f ms)%n", sample.sample(), sample.status(),
                        sample.status() == 200 ? sample.response().get("predictions") : sample.response(),
                        sample.latencyMs());
            }
            out.printf("%d of %d sample requests answered 200; stopped %s version %s%n",
                    result.samples().stream().filter(s -> s.status() == 200).count(), result.samples().size(),
                    result.model(), result.version());
        }
        out.flush();
        if (!result.allSucceeded()) {
            throw new IllegalStateException("not every sample request succeeded");
        }
        return 0;
    }

    private static String toJson(LocalDemo.Result result) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode summary = json.createObjectNode();
        summary.put("model", result.model());
        summary.put("version", result.version());
        summary.put("url", result.url().toString());
        summary.put("workers", result.workers());
        ArrayNode samples = summary.putArray("samples");
        for (LocalDemo.SampleResult sample : result.samples()) {
            ObjectNode node = samples.addObject();
            node.put("sample", sample.sample());
            node.put("status", sample.status());
            node.set("response", sample.response());
            node.put("latencyMs", Math.round(sample.latencyMs() * 1000) / 1000.0);
        }
        return summary.toString();
    }
}
