package io.jenkins.plugins.modeldeploy.environment;

/** The declared environment cannot be resolved or used: the message names the field, file or package at fault. */
public class EnvironmentException extends Exception {
    private static final long serialVersionUID = 1L;

    public EnvironmentException(String message) {
        super(message);
    }

    public EnvironmentException(String message, Throwable cause) {
        super(message, cause);
    }
}
