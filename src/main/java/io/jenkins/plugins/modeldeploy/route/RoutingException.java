package io.jenkins.plugins.modeldeploy.route;

/** A route could not be read or changed; the message names the model and the object. */
public class RoutingException extends Exception {
    public RoutingException(String message) {
        super(message);
    }

    public RoutingException(String message, Throwable cause) {
        super(message, cause);
    }
}
