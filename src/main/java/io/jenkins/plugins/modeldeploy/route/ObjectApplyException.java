package io.jenkins.plugins.modeldeploy.route;

/** An object could not be created or updated; the message starts with {@code namespace/Kind/name}. */
public final class ObjectApplyException extends Exception {
    private final String object;

    public ObjectApplyException(String object, String problem, Throwable cause) {
        super(object + ": " + problem, cause);
        this.object = object;
    }

    /** {@code namespace/Kind/name}. */
    public String object() {
        return object;
    }
}
