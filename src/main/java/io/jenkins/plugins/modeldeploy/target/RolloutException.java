package io.jenkins.plugins.modeldeploy.target;

import java.util.List;

/**
 * A rollout did not become ready. {@link #cause()} is the short cause (e.g. {@code CrashLoopBackOff}); the message
 * names the target, the object and the details; {@link #logTail()} holds the crashing container's last log lines.
 */
public final class RolloutException extends TargetException {
    /** What the target did with the version's objects after the failure (so that the caller does not do it twice). */
    public enum Aftermath {
        /**
         * The objects were this run's (created by it, or by an earlier attempt of the same run): they were retired as
         * the target's on-failure setting says.
         */
        RETIRED,
        /**
         * Objects that existed before this rollout (another run's, or not model-deploy's) were put back as they were:
         * what this rollout changed is undone, what it created is deleted. They are not the caller's to retire.
         */
        RESTORED,
        /** Nothing was written (the failure came before any change): whatever exists was there before. */
        UNTOUCHED
    }

    private final String reason;
    private final List<String> logTail;
    private final Aftermath aftermath;

    public RolloutException(String object, String reason, String details, List<String> logTail) {
        this(object, reason, details, logTail, Aftermath.RETIRED);
    }

    public RolloutException(String object, String reason, String details, List<String> logTail, Aftermath aftermath) {
        super(object + ": " + reason + (details.isEmpty() ? "" : " - " + details));
        this.reason = reason;
        this.logTail = List.copyOf(logTail);
        this.aftermath = java.util.Objects.requireNonNull(aftermath, "aftermath");
    }

    /** A copy with {@code next} as the aftermath and {@code note} appended (suppressed failures carried over). */
    public RolloutException withAftermath(Aftermath next, String note) {
        RolloutException copy = new RolloutException(getMessage() + " (" + note + ")", reason, logTail, next);
        copy.initCause(getCause());
        copy.setStackTrace(getStackTrace());
        for (Throwable suppressed : getSuppressed()) {
            copy.addSuppressed(suppressed);
        }
        return copy;
    }

    private RolloutException(String message, String reason, List<String> logTail, Aftermath aftermath) {
        super(message);
        this.reason = reason;
        this.logTail = List.copyOf(logTail);
        this.aftermath = aftermath;
    }

    /** What happened to the version's objects after the failure. */
    public Aftermath aftermath() {
        return aftermath;
    }

    public String reason() {
        return reason;
    }

    public List<String> logTail() {
        return logTail;
    }
}
