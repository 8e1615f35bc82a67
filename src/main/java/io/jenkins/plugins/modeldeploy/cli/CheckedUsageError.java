package io.jenkins.plugins.modeldeploy.cli;

import picocli.CommandLine;

/**
 * A usage error whose whole message model-deploy composed itself, from literal text and only the values the check
 * chose to show (an enum word like {@code --runtime vm}, a port number). It is printed as written, after URL
 * credentials are redacted; usage errors whose message comes from picocli, a converter or an engine exception have
 * every typed value hidden instead, because those messages quote whatever was typed (see
 * {@link ModelDeployCommand#usageError}).
 */
final class CheckedUsageError extends CommandLine.ParameterException {
    private static final long serialVersionUID = 1L;

    CheckedUsageError(CommandLine commandLine, String message) {
        super(commandLine, message);
    }
}
