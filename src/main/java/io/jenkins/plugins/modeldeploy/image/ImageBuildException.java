package io.jenkins.plugins.modeldeploy.image;

/** A build or push that failed, with a message naming the cause (never a secret). */
public final class ImageBuildException extends Exception {
    private static final long serialVersionUID = 1L;

    public ImageBuildException(String message) {
        super(message);
    }

    public ImageBuildException(String message, Throwable cause) {
        super(message, cause);
    }
}
