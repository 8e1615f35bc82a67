package io.jenkins.plugins.modeldeploy.cli;

import io.jenkins.plugins.modeldeploy.redact.Redaction;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
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
        throw new CheckedUsageError(spec.commandLine(), "a command is required");
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
            err.println(cmd.getCommandSpec().qualifiedName() + ": " + Redaction.text(oneLine(exception)));
            err.flush();
            return 1;
        });
        commandLine.setParameterExceptionHandler((exception, args) -> {
            CommandLine cmd = exception.getCommandLine();
            PrintWriter err = cmd.getErr();
            err.println(cmd.getCommandSpec().qualifiedName() + ": " + usageError(exception, args) + " (see "
                    + cmd.getCommandSpec().qualifiedName() + " --help)");
            err.flush();
            return 2;
        });
        return commandLine;
    }

    /**
     * A usage error that never repeats what was typed after an option: picocli quotes values in its messages
     * ({@code Unknown options: '--event', 'amqp://user:password@host'}, {@code Invalid value for option '--rate':
     * 'x'}), and the value may be a password or a URL carrying one. Option names are kept; each value is replaced.
     */
    static String usageError(CommandLine.ParameterException exception, String[] args) {
        if (exception instanceof CheckedUsageError) {
            // composed by our own check, which shows only the values it means to (hiding them here would blank the
            // same words in the message's own text: "--runtime container runs the versions' images")
            return Redaction.text(oneLine(exception));
        }
        if (exception instanceof CommandLine.UnmatchedArgumentException unmatched) {
            List<String> options = new ArrayList<>();
            List<String> words = new ArrayList<>();
            int values = 0;
            boolean afterOption = false;
            for (String arg : unmatched.getUnmatched()) {
                if (arg.startsWith("-") && arg.length() > 1) {
                    int eq = arg.indexOf('=');
                    options.add(eq < 0 ? arg : arg.substring(0, eq) + "=" + HIDDEN);
                    afterOption = eq < 0;
                } else {
                    // a lone word where none is expected (a mistyped command: "model-deploy launch") is shown; what
                    // follows an unknown option is its value and is not
                    if (!afterOption && WORD.matcher(arg).matches()) {
                        words.add("'" + arg + "'");
                    } else {
                        values++;
                    }
                    afterOption = false;
                }
            }
            List<String> parts = new ArrayList<>();
            if (!options.isEmpty()) {
                parts.add((options.size() == 1 ? "unknown option " : "unknown options ") + String.join(", ", options));
            }
            if (!words.isEmpty()) {
                parts.add((words.size() == 1 ? "unexpected argument " : "unexpected arguments ")
                        + String.join(", ", words));
            }
            if (values > 0) {
                parts.add(values + (values == 1 ? " unexpected value" : " unexpected values") + " (not shown)");
            }
            List<String> suggestions = unmatched.getSuggestions();
            String hint = suggestions.isEmpty() ? "" : "; did you mean " + String.join(" or ", suggestions) + "?";
            return String.join(" and ", parts) + hint;
        }
        String message = oneLine(exception);
        for (String arg : args) {
            int eq = arg.indexOf('=');
            String value = arg.startsWith("-") ? (eq < 0 ? null : arg.substring(eq + 1)) : arg;
            if (value != null && !value.isEmpty()) {
                message = message.replace("'" + value + "'", HIDDEN).replace("\"" + value + "\"", HIDDEN);
                // Some converters repeat the value unquoted (URISyntaxException: "Illegal character in path at
                // index 10: http://h/p q?token=…"), and a URL that does not parse is one Redaction cannot clean.
                // Values this short could be words of the message itself; no credential is that short.
                if (value.length() >= MIN_HIDDEN_LENGTH) {
                    message = message.replace(value, HIDDEN);
                }
            }
        }
        return Redaction.text(message);
    }

    private static final String HIDDEN = "(value not shown)";
    private static final int MIN_HIDDEN_LENGTH = 4;
    private static final java.util.regex.Pattern WORD = java.util.regex.Pattern.compile("[a-z][a-z0-9-]{0,39}");

    /** The message of a failure on one line: multi-line causes (e.g. harness logs) are joined with " | ". */
    static String oneLine(Throwable exception) {
        String message = exception.getMessage();
        if (message == null || message.isBlank()) {
            message = exception.getClass().getSimpleName();
        }
        return message.strip().replaceAll("\\s*\\R\\s*", " | ");
    }
}
