package io.jenkins.plugins.modeldeploy.cli;

import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import io.jenkins.plugins.modeldeploy.target.TargetException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(
        name = "history",
        description = {
            "What happened to a model's releases, oldest first: every deployment with"
                    + " its outcome and verdict, every rollback and removal, who did it and why, and the production version"
                    + " after each."
        })
final class HistoryCommand implements Callable<Integer> {
    @Mixin
    HelpOption help;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model's name.")
    String model;

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
                (connected, publish) -> connected
                        .releases()
                        .load(model)
                        .orElseThrow(() ->
                                new TargetException("model " + model + " has no release on " + connected.describe())));
        if (output.json()) {
            var json = ReleaseOutput.release(state);
            json.set("history", ReleaseOutput.history(state.history()));
            out.println(json);
        } else {
            ReleaseOutput.text(out, state);
            ReleaseOutput.historyText(out, state.history());
        }
        out.flush();
        return 0;
    }
}
