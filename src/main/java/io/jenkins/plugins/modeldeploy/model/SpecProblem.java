package io.jenkins.plugins.modeldeploy.model;

/**
 * One thing wrong with a model specification: where it came from ({@code model.yaml} or an option), the field path
 * and the reason.
 */
public record SpecProblem(String source, String field, String reason) {
    @Override
    public String toString() {
        return field.isEmpty() ? source + ": " + reason : source + ": " + field + ": " + reason;
    }
}
