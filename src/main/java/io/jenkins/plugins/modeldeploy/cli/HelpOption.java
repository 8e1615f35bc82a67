package io.jenkins.plugins.modeldeploy.cli;

import picocli.CommandLine.Option;

/** {@code -h/--help} for subcommands that use {@code --version} for the model version. */
final class HelpOption {
    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help and exit.")
    boolean help;
}
