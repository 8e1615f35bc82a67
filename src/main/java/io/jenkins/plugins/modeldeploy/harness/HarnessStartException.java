package io.jenkins.plugins.modeldeploy.harness;

/** The harness process for a model version did not become ready; the message carries the cause and its last log lines. */
public final class HarnessStartException extends Exception {
    private static final long serialVersionUID = 1L;

    public HarnessStartException(String message) {
        super(message);
    }

    public HarnessStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
