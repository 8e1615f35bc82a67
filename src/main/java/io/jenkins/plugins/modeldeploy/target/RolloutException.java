package io.jenkins.plugins.modeldeploy.target;

import java.util.List;

/**
 * A rollout did not become ready. {@link #cause()} is the short cause (e.g. {@code CrashLoopBackOff}); the message
 * names the target, the object and the details; {@link #logTail()} holds the crashing container's last log lines.
 */
public final class RolloutException extends TargetException {
    private final String reason;
    private final List<String> logTail;

    public RolloutException(String object, String reason, String details, List<String> logTail) {
        super(object + ": " + reason + (details.isEmpty() ? "" : " - " + details));
        this.reason = reason;
        this.logTail = List.copyOf(logTail);
    }

    public String reason() {
        return reason;
    }

    public List<String> logTail() {
        return logTail;
    }
}
