package io.jenkins.plugins.modeldeploy.target;

/** Another run changed the model's release state first. */
public final class ConcurrentReleaseException extends TargetException {
    public ConcurrentReleaseException(String model, String expected, String found) {
        super("the release state of model " + model + " changed under this run (expected " + expected + ", found "
                + found + "); re-run to continue from the stored state");
    }
}
