package io.jenkins.plugins.modeldeploy.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** The CLI run in the test's JVM, as {@code bin/model-deploy} runs it (same handlers, same exit codes). */
final class InProcessCli {
    record Run(int exitCode, String out, String err) {}

    private InProcessCli() {}

    static Run run(String... args) {
        CommandLine commandLine = ModelDeployCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        int code = commandLine.execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
