package io.jenkins.plugins.modeldeploy.cli;

import io.jenkins.plugins.modeldeploy.pipeline.ReleaseActions;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "rollback",
        description = {
            "Move production back to a kept version — by default the one that served"
                    + " before the current production, or any kept version with --to — with its exact image, scaled back up and"
                    + " ready before one routing change. While a deployment is in progress, end it instead: its version is taken"
                    + " out and production stays. Safe to re-run: it finishes a rollback a crash interrupted."
        })
final class RollbackCommand implements Callable<Integer> {
    @Mixin
    HelpOption help;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model's name.")
    String model;

    @Option(names = "--to", paramLabel = "VERSION", description = "The kept version to bring back.")
    String to;

    @Option(
            names = "--reason",
            defaultValue = "rolled back from the command line",
            description = "Recorded in the history and the rollback event.")
    String reason;

    @Option(
            names = "--keep-previous",
            paramLabel = "DURATION",
            defaultValue = "1h",
            converter = DurationConverter.class,
            description = "How long the version rolled back from keeps running. Default: ${DEFAULT-VALUE}.")
    Duration keepPrevious;

    @Mixin
    TargetOptions target;

    @Mixin
    OutputOption output;

    @Mixin
    EventOptions events;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    @Override
    public Integer call() throws Exception {
        CliNames.model(commandSpec.commandLine(), "MODEL", model);
        PrintWriter out = commandSpec.commandLine().getOut();
        ReleaseState state = target.run(
                commandSpec.commandLine(),
                events,
                (connected, publish) -> new ReleaseActions(connected, publish)
                        .rollBack(
                                model,
                                Optional.ofNullable(to),
                                reason,
                                System.getProperty("user.name", "cli") + " (model-deploy rollback)",
                                keepPrevious));
        if (output.json()) {
            out.println(ReleaseOutput.release(state));
        } else {
            ReleaseOutput.text(out, state);
        }
        out.flush();
        return 0;
    }
}
