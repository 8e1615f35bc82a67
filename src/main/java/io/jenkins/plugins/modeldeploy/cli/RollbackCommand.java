package io.jenkins.plugins.modeldeploy.cli;

import io.jenkins.plugins.modeldeploy.event.EventBus;
import io.jenkins.plugins.modeldeploy.kube.KubernetesTarget;
import io.jenkins.plugins.modeldeploy.pipeline.Promotions;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "rollback", description = {"Restore the version that served before the last promotion (its exact"
        + " digest, brought back if it was scaled to zero) and its weights in one step, or end an A/B test a crash"
        + " left running. Safe to re-run."})
final class RollbackCommand implements Callable<Integer> {
    @Mixin
    HelpOption help;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model's name.")
    String model;

    @Option(names = "--reason", defaultValue = "rolled back from the command line",
            description = "Recorded in the rollback event.")
    String reason;

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
            state = new Promotions(target, bus::publish).rollback(model, reason);
        }
        PromoteCommand.print(out, output, state);
        return 0;
    }
}
