package io.jenkins.plugins.modeldeploy.model;

/**
 * A value that replaces one field of {@code model.yaml}, from a step or CLI option. {@code value} is read as a YAML
 * scalar or flow collection ({@code 20}, {@code true}, {@code [a, b]}); {@code source} names the option in error
 * messages, e.g. {@code --set slo.p99Ms} or {@code --workers}.
 */
public record SpecOverride(String field, String value, String source) {
    /** Parses {@code field=value} as written after {@code --set}. */
    public static SpecOverride parse(String assignment) {
        int equals = assignment.indexOf('=');
        if (equals <= 0) {
            throw new IllegalArgumentException("--set expects FIELD=VALUE (e.g. slo.p99Ms=20), was " + assignment);
        }
        String field = assignment.substring(0, equals).trim();
        return new SpecOverride(field, assignment.substring(equals + 1), "--set " + field);
    }
}
