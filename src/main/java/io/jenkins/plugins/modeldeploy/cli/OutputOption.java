package io.jenkins.plugins.modeldeploy.cli;

import io.jenkins.plugins.modeldeploy.progress.ProgressDisplay;
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

    /**
     * Where long work shows its progress: nothing with {@code --output json} (scripts read stdout as one JSON document
     * and stderr as the failure line), one live line on stderr when it is a terminal, else (a pipe, a CI log) a plain
     * line on stderr every {@link ProgressDisplay#LOG_INTERVAL}. The caller closes it.
     */
    ProgressDisplay progress(PrintWriter err) {
        if (json()) {
            return ProgressDisplay.silent();
        }
        // Java 17: no console when stdin or stdout is not a terminal, which is when a rewritten line would be garbage
        return System.console() != null
                ? ProgressDisplay.terminal(err, terminalColumns())
                : ProgressDisplay.log(lines(err), ProgressDisplay.LOG_INTERVAL);
    }

    /**
     * The terminal's width: {@code $COLUMNS} when the shell exports it, else what {@code stty size} says of the
     * controlling terminal, else 0 (unknown: lines are not cut).
     */
    static int terminalColumns() {
        try {
            int columns =
                    Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "").trim());
            if (columns > 0) {
                return columns;
            }
        } catch (NumberFormatException e) {
            // not exported (bash sets it without exporting it): ask the terminal
        }
        try {
            Process stty = new ProcessBuilder("stty", "size")
                    .redirectInput(new java.io.File("/dev/tty"))
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            String size = new String(stty.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            if (stty.waitFor(2, java.util.concurrent.TimeUnit.SECONDS) && stty.exitValue() == 0) {
                String[] rowsColumns = size.trim().split("\\s+");
                return rowsColumns.length == 2 ? Integer.parseInt(rowsColumns[1]) : 0;
            }
        } catch (java.io.IOException | NumberFormatException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
