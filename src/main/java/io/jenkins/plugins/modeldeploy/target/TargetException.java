package io.jenkins.plugins.modeldeploy.target;

/** A target operation failed; the message names the object (namespace/kind/name or local process) and the cause. */
public class TargetException extends Exception {
    public TargetException(String message) {
        super(message);
    }

    public TargetException(String message, Throwable cause) {
        super(message, cause);
    }
}
