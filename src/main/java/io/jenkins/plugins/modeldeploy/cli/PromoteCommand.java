package io.jenkins.plugins.modeldeploy.cli;

import io.jenkins.plugins.modeldeploy.cleanup.Scratch;
import io.jenkins.plugins.modeldeploy.pipeline.Approval;
import io.jenkins.plugins.modeldeploy.pipeline.DeployOutcome;
import io.jenkins.plugins.modeldeploy.pipeline.DeploymentEngine;
import io.jenkins.plugins.modeldeploy.pipeline.Lifecycle;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "promote",
        description = {
            "Approve (or with --reject, reject) a version waiting for approval after"
                    + " its A/B test, e.g. one a `deploy` without --approve left waiting, and carry the decision out: promoted,"
                    + " or taken out with production left as it was. Finishes a promotion a crash interrupted; a version already"
                    + " decided reports how it ended."
        })
final class PromoteCommand implements Callable<Integer> {
    @Mixin
    HelpOption help;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model's name.")
    String model;

    @Parameters(index = "1", paramLabel = "VERSION", description = "The version waiting for approval.")
    String version;

    @Option(names = "--reject", description = "Reject instead of approving.")
    boolean reject;

    @Option(names = "--comment", defaultValue = "", description = "Recorded with the decision.")
    String comment;

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
        CliNames.version(commandSpec.commandLine(), "VERSION", version);
        PrintWriter out = commandSpec.commandLine().getOut();
        DeployOutcome outcome;
        try (Scratch work = Scratch.directory("model-deploy-promote-")) {
            outcome = target.run(
                    commandSpec.commandLine(),
                    events,
                    (connected, publish) -> new Lifecycle(
                                    new DeploymentEngine(publish, work.path(), line -> {}), connected, publish)
                            .decide(
                                    model,
                                    version,
                                    new Approval(
                                            !reject, System.getProperty("user.name", "cli"), Instant.now(), comment)));
        }
        if (output.json()) {
            out.println(DeployCommand.json(outcome, Optional.empty()));
        } else {
            out.printf(
                    "%s %s: %s; production is %s%n",
                    model,
                    version,
                    outcome.outcome().map(Enum::name).orElse("?"),
                    outcome.production().orElse("none"));
        }
        out.flush();
        return outcome.succeeded() != reject ? 0 : 1;
    }
}
