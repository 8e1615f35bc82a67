package io.jenkins.plugins.modeldeploy.cli;

import io.jenkins.plugins.modeldeploy.model.KubernetesNames;
import java.util.Optional;
import picocli.CommandLine;

/**
 * Kubernetes names given on the command line, checked before a command acts: a bad one is a usage error (exit 2)
 * naming the option or parameter, not an API error after other objects were changed or a lookup that finds nothing.
 */
final class CliNames {
    private CliNames() {}

    static void model(CommandLine commandLine, String source, String value) {
        fail(commandLine, source, KubernetesNames.modelNameProblem(value));
    }

    /** {@code value} may be null when the option is optional and absent. */
    static void version(CommandLine commandLine, String source, String value) {
        if (value != null) {
            fail(commandLine, source, KubernetesNames.versionProblem(value));
        }
    }

    private static void fail(CommandLine commandLine, String source, Optional<String> problem) {
        if (problem.isPresent()) {
            throw new CommandLine.ParameterException(commandLine, source + " " + problem.get());
        }
    }
}
