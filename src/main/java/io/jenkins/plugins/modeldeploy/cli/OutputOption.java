package io.jenkins.plugins.modeldeploy.cli;

import java.io.PrintWriter;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/** {@code --output text|json}, shared by the commands that have a machine-readable result. */
final class OutputOption {
    @Option(
            names = "--output",
            paramLabel = "text|json",
            defaultValue = "text",
            description = "text, or json: the result as one JSON line, the last on stdout. Default: ${DEFAULT-VALUE}.")
    OutputFormat format;

    boolean json() {
        return format == OutputFormat.json;
    }

    /** Progress lines: to stderr when stdout is reserved for JSON, else to stdout. */
    static Consumer<String> lines(PrintWriter writer) {
        return line -> {
            writer.println(line);
            writer.flush();
        };
    }
}
