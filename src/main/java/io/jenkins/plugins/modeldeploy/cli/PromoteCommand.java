package io.jenkins.plugins.modeldeploy.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.modeldeploy.event.EventBus;
import io.jenkins.plugins.modeldeploy.kube.KubernetesTarget;
import io.jenkins.plugins.modeldeploy.pipeline.Approval;
import io.jenkins.plugins.modeldeploy.pipeline.Promotions;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "promote", description = {"Send 100%% of a model's stable route to VERSION and mark it production;"
        + " the replaced version keeps running, retired, for rollback. Continues a promotion a crash interrupted;"
        + " a no-op when VERSION already serves production."})
final class PromoteCommand implements Callable<Integer> {
    @Mixin
    HelpOption help;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model's name.")
    String model;

    @Parameters(index = "1", paramLabel = "VERSION", description = "The version to promote.")
    String version;

    @Option(names = "--comment", defaultValue = "", description = "Recorded with the approval.")
    String comment;

    @Mixin
    ClusterOptions cluster;

    @Mixin
    OutputOption output;

    @Mixin
    EventOptions events;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = commandSpec.commandLine().getOut();
        ReleaseState state;
        try (EventBus bus = events.open(commandSpec.commandLine().getErr());
                KubernetesTarget target = KubernetesTarget.connect(cluster.settings(), bus::publish)) {
            state = new Promotions(target, bus::publish).promote(model, version, new Approval(true,
                    System.getProperty("user.name", "cli"), Instant.now(), comment));
        }
        print(out, output, state);
        return 0;
    }

    static void print(PrintWriter out, OutputOption output, ReleaseState state) {
        if (output.json()) {
            ObjectNode json = new ObjectMapper().createObjectNode();
            json.put("model", state.model());
            json.put("phase", state.phase().name());
            json.put("production", state.production().orElse(null));
            json.put("previous", state.previous().orElse(null));
            state.weights().forEach(json.putObject("weights")::put);
            out.println(json);
        } else {
            out.printf("%s: %s, production %s, weights %s%n", state.model(), state.phase(),
                    state.production().orElse("(none)"), state.weights());
        }
        out.flush();
    }
}
