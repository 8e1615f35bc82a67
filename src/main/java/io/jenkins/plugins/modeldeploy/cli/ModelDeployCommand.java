package io.jenkins.plugins.modeldeploy.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code model-deploy}: the command line over the engine. Each subcommand is a thin layer over one engine call. */
@Command(
        name = "model-deploy",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Publish an R or Python model as a REST API: serve it locally, build its image, deploy it.",
        subcommands = {
            ServeCommand.class,
            ValidateCommand.class,
            BuildCommand.class,
            SmokeCommand.class,
            BaseImageCommand.class,
            RenderCommand.class,
            EventsCommand.class,
            StatusCommand.class,
            DeployCommand.class,
            PromoteCommand.class,
            RollbackCommand.class,
            HistoryCommand.class,
            UndeployCommand.class,
            DemoCommand.class,
            LocalCommand.class
        })
public final class ModelDeployCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code: 0 success, 1 failure, 2 usage error. */
    public static int execute(String... args) {
        CommandLine commandLine = commandLine();
        return commandLine.execute(args);
    }

    static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new ModelDeployCommand());
        commandLine.setExecutionExceptionHandler((exception, cmd, parseResult) -> {
            PrintWriter err = cmd.getErr();
            err.println(cmd.getCommandSpec().qualifiedName() + ": " + oneLine(exception));
            err.flush();
            return 1;
        });
        commandLine.setParameterExceptionHandler((exception, args) -> {
            CommandLine cmd = exception.getCommandLine();
            PrintWriter err = cmd.getErr();
            err.println(cmd.getCommandSpec().qualifiedName() + ": " + oneLine(exception) + " (see "
                    + cmd.getCommandSpec().qualifiedName() + " --help)");
            err.flush();
            return 2;
        });
        return commandLine;
    }

    /** The message of a failure on one line: multi-line causes (e.g. harness logs) are joined with " | ". */
    static String oneLine(Throwable exception) {
        String message = exception.getMessage();
        if (message == null || message.isBlank()) {
            message = exception.getClass().getSimpleName();
        }
        return message.strip().replaceAll("\\s*\\R\\s*", " | ");
    }
}
