package io.jenkins.plugins.modeldeploy.environment;

/**
 * The resolved environment is right for the image but not for this machine: its python3 is another version than the
 * base's, or a declared Debian package is not installed here. Serving the model in a container runs it as deployed.
 */
public final class EnvironmentMismatchException extends EnvironmentException {
    private static final long serialVersionUID = 1L;

    public EnvironmentMismatchException(String message) {
        super(message);
    }
}
