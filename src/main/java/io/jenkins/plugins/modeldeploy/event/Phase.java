package io.jenkins.plugins.modeldeploy.event;

import java.util.Locale;

/** The stage of a deployment an event belongs to. */
public enum Phase {
    BUILD,
    ROLLOUT,
    SMOKE,
    ABTEST,
    APPROVAL,
    PROMOTION,
    ROLLBACK,
    /** How a run ended and what was taken out: the release as a whole. */
    RELEASE;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
