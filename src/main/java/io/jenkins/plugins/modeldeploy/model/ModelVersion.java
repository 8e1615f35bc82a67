package io.jenkins.plugins.modeldeploy.model;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One version of a model: the unit that gets an image, a Deployment and a route. {@link #id()} ({@code name-version})
 * names its Kubernetes objects, so it must be a DNS-1123 label of at most 63 characters.
 */
public record ModelVersion(ModelSpec spec, String version) {
    private static final Pattern VERSION = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    public static final int MAX_ID_LENGTH = 63;

    /** Validates {@code version} against the spec; {@code source} names where it came from (e.g. {@code --version}). */
    public static ModelVersion of(ModelSpec spec, String version, String source) throws InvalidModelSpecException {
        String problem = null;
        if (version == null || version.isEmpty()) {
            problem = "must not be empty";
        } else if (!VERSION.matcher(version).matches()) {
            problem = "must be lower-case letters, digits and '-', starting and ending with a letter or digit"
                    + " (it names Kubernetes objects; write 1-2-0 rather than 1.2.0), was \"" + version + "\"";
        } else if (spec.name().length() + 1 + version.length() > MAX_ID_LENGTH) {
            problem = "makes the object name \"" + spec.name() + "-" + version + "\" longer than " + MAX_ID_LENGTH
                    + " characters";
        }
        if (problem != null) {
            throw new InvalidModelSpecException(spec.directory(), List.of(new SpecProblem(source, "", problem)));
        }
        return new ModelVersion(spec, version);
    }

    public String name() {
        return spec.name();
    }

    /** {@code name-version}: the name of this version's Deployment and Service. */
    public String id() {
        return spec.name() + "-" + version;
    }
}
