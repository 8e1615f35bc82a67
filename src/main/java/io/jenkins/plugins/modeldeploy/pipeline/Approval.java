package io.jenkins.plugins.modeldeploy.pipeline;

import java.time.Instant;
import java.util.Objects;

/** A person's (or the automation's) decision on a promotion, recorded on the run and in the events. */
public record Approval(boolean approved, String approver, Instant at, String comment)
        implements java.io.Serializable { // carried to the agent that carries a decision out
    public Approval {
        Objects.requireNonNull(approver, "approver");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(comment, "comment");
    }

    public static Approval automatic(String why) {
        return new Approval(true, "model-deploy (automatic)", Instant.now(), why);
    }
}
