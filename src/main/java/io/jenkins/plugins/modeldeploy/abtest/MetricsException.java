package io.jenkins.plugins.modeldeploy.abtest;

/** Metrics could not be read; the message names the source and the query. */
public class MetricsException extends Exception {
    public MetricsException(String message) {
        super(message);
    }

    public MetricsException(String message, Throwable cause) {
        super(message, cause);
    }
}
