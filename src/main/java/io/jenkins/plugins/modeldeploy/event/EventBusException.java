package io.jenkins.plugins.modeldeploy.event;

/** The event bus cannot be used as configured (e.g. the broker refused the credentials). Never carries a secret. */
public final class EventBusException extends Exception {
    private static final long serialVersionUID = 1L;

    public EventBusException(String message) {
        super(message);
    }
}
