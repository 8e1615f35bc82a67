package io.jenkins.plugins.modeldeploy.verify;

import java.util.List;
import java.util.Optional;

/**
 * An image that could not prove it serves: it did not start or load its model (a missing import is named with the
 * package that provides it, {@link #missing()}), or a sample was not answered as it should be ({@link #result()}).
 * The message names the image and, for a sample, the sample file. A build that fails this way pushes nothing: the
 * engine reports it as an {@code ImageBuildException} whose cause is this.
 */
public final class ImageVerificationException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient Optional<MissingModule> missing;
    private final transient Optional<VerificationResult> result;
    private final List<String> logTail;

    public ImageVerificationException(
            String message,
            Optional<MissingModule> missing,
            Optional<VerificationResult> result,
            List<String> logTail) {
        super(message);
        this.missing = missing;
        this.result = result;
        this.logTail = List.copyOf(logTail);
    }

    /** The module the model could not import, when that is why it did not start. */
    public Optional<MissingModule> missing() {
        return missing == null ? Optional.empty() : missing;
    }

    /** The samples' answers, when the model started. */
    public Optional<VerificationResult> result() {
        return result == null ? Optional.empty() : result;
    }

    /** The last lines the model wrote (empty when it never started). */
    public List<String> logTail() {
        return logTail;
    }
}
