package io.jenkins.plugins.modeldeploy.cli;

/** {@code --output}: human text, or JSON for scripts (as the last line on stdout). */
enum OutputFormat {
    text,
    json
}
