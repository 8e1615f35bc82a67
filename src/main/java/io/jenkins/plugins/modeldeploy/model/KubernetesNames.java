package io.jenkins.plugins.modeldeploy.model;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The Kubernetes names model-deploy takes from users — namespace, model name, version — checked where they are taken
 * (options, model.yaml, Jenkins fields), so a bad one fails naming its source before any object is rendered or sent.
 * Rules from apimachinery's {@code validation.IsDNS1123Label} (a namespace is a DNS-1123 label, at most 63 characters);
 * the model name must also start with a letter ({@link ModelSpecLoader#NAME}) and {@code name-version} must fit one
 * label ({@link ModelVersion#of}).
 */
public final class KubernetesNames {
    /** apimachinery {@code validation.DNS1123LabelMaxLength}. */
    public static final int MAX_LABEL_LENGTH = 63;

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    private KubernetesNames() {}

    /** Why {@code namespace} is not a namespace name, or empty when it is one. */
    public static Optional<String> namespaceProblem(String namespace) {
        if (namespace == null || namespace.isEmpty()) {
            return Optional.of("must not be empty");
        }
        if (namespace.length() > MAX_LABEL_LENGTH
                || !DNS_LABEL.matcher(namespace).matches()) {
            return Optional.of("must be a DNS-1123 label (at most " + MAX_LABEL_LENGTH + " lower-case letters, digits"
                    + " and '-', starting and ending with a letter or digit), was \"" + namespace + "\"");
        }
        return Optional.empty();
    }

    /** {@code namespace}, or an {@link IllegalArgumentException} naming {@code source} (e.g. {@code --namespace}). */
    public static String requireNamespace(String source, String namespace) {
        Optional<String> problem = namespaceProblem(namespace);
        if (problem.isPresent()) {
            throw new IllegalArgumentException(source + " " + problem.get());
        }
        return namespace;
    }

    /** Why {@code version} is not a version (it names objects as {@code name-version}), or empty when it is one. */
    public static Optional<String> versionProblem(String version) {
        if (version == null || version.isEmpty()) {
            return Optional.of("must not be empty");
        }
        if (version.length() > MAX_LABEL_LENGTH - 2
                || !DNS_LABEL.matcher(version).matches()) {
            return Optional.of("must be lower-case letters, digits and '-', starting and ending with a letter or digit"
                    + " (it names Kubernetes objects; write 1-2-0 rather than 1.2.0), was \"" + version + "\"");
        }
        return Optional.empty();
    }

    /** Why {@code name} is not a model name (model.yaml {@code name}), or empty when it is one. */
    public static Optional<String> modelNameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.of("must not be empty");
        }
        if (name.length() > MAX_LABEL_LENGTH
                || !ModelSpecLoader.NAME.matcher(name).matches()) {
            return Optional.of("must be a DNS-1123 label starting with a letter (at most " + MAX_LABEL_LENGTH
                    + " lower-case letters, digits and '-', ending with a letter or digit), was \"" + name + "\"");
        }
        return Optional.empty();
    }
}
