package io.jenkins.plugins.modeldeploy.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.modeldeploy.pipeline.ReleaseActions;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "undeploy",
        description = {
            "Remove a model — every version, every route and its release state — or,"
                    + " with --version, one version (its objects, its route, what the release knew of it). The production"
                    + " version is only removed with --force (or with the whole model); a version being deployed is taken out."
        })
final class UndeployCommand implements Callable<Integer> {
    @Mixin
    HelpOption help;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model's name.")
    String model;

    @Option(names = "--version", paramLabel = "VERSION", description = "Remove only this version.")
    String version;

    @Option(names = "--force", description = "Also remove the production version (the model is left without one).")
    boolean force;

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
        CliNames.version(commandSpec.commandLine(), "--version", version);
        PrintWriter out = commandSpec.commandLine().getOut();
        target.run(commandSpec.commandLine(), events, (connected, publish) -> {
            new ReleaseActions(connected, publish)
                    .undeploy(
                            model,
                            Optional.ofNullable(version),
                            force,
                            System.getProperty("user.name", "cli") + " (model-deploy undeploy)");
            return null;
        });
        if (output.json()) {
            out.println(new ObjectMapper()
                    .createObjectNode()
                    .put("model", model)
                    .put("version", version)
                    .put("removed", true));
        } else {
            out.println(
                    version == null
                            ? "model " + model + " removed"
                            : "version " + version + " of " + model + " removed");
        }
        out.flush();
        return 0;
    }
}
