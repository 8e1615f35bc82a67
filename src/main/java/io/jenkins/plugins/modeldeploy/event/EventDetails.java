package io.jenkins.plugins.modeldeploy.event;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import java.util.List;

/**
 * What happened, typed: one record per event type. {@link #type()} is the public name used in JSON and in RabbitMQ
 * routing keys; the set of types and their fields is the versioned contract documented in docs/events.md.
 */
@JsonSubTypes({
    @JsonSubTypes.Type(value = EventDetails.BuildStarted.class, name = EventDetails.BuildStarted.TYPE),
    @JsonSubTypes.Type(value = EventDetails.BuildFinished.class, name = EventDetails.BuildFinished.TYPE),
    @JsonSubTypes.Type(value = EventDetails.BuildFailed.class, name = EventDetails.BuildFailed.TYPE),
    @JsonSubTypes.Type(value = EventDetails.VerifyStarted.class, name = EventDetails.VerifyStarted.TYPE),
    @JsonSubTypes.Type(value = EventDetails.VerifyFinished.class, name = EventDetails.VerifyFinished.TYPE),
    @JsonSubTypes.Type(value = EventDetails.RolloutProgress.class, name = EventDetails.RolloutProgress.TYPE),
    @JsonSubTypes.Type(value = EventDetails.RolloutSucceeded.class, name = EventDetails.RolloutSucceeded.TYPE),
    @JsonSubTypes.Type(value = EventDetails.RolloutFailed.class, name = EventDetails.RolloutFailed.TYPE),
    @JsonSubTypes.Type(value = EventDetails.RolloutWarning.class, name = EventDetails.RolloutWarning.TYPE),
    @JsonSubTypes.Type(value = EventDetails.SmokeStarted.class, name = EventDetails.SmokeStarted.TYPE),
    @JsonSubTypes.Type(value = EventDetails.SmokeFinished.class, name = EventDetails.SmokeFinished.TYPE),
    @JsonSubTypes.Type(value = EventDetails.AbTestStarted.class, name = EventDetails.AbTestStarted.TYPE),
    @JsonSubTypes.Type(value = EventDetails.AbTestDecided.class, name = EventDetails.AbTestDecided.TYPE),
    @JsonSubTypes.Type(value = EventDetails.ApprovalRequested.class, name = EventDetails.ApprovalRequested.TYPE),
    @JsonSubTypes.Type(value = EventDetails.ApprovalGiven.class, name = EventDetails.ApprovalGiven.TYPE),
    @JsonSubTypes.Type(value = EventDetails.Promoted.class, name = EventDetails.Promoted.TYPE),
    @JsonSubTypes.Type(value = EventDetails.RolledBack.class, name = EventDetails.RolledBack.TYPE),
    @JsonSubTypes.Type(value = EventDetails.VersionRemoved.class, name = EventDetails.VersionRemoved.TYPE),
    @JsonSubTypes.Type(value = EventDetails.DeployFinished.class, name = EventDetails.DeployFinished.TYPE),
})
public sealed interface EventDetails {
    @JsonIgnore
    String type();

    @JsonIgnore
    Phase phase();

    /** True for the last event of a phase: the journal syncs to disk after it. */
    @JsonIgnore
    default boolean endsPhase() {
        return false;
    }

    record BuildStarted(String image) implements EventDetails {
        public static final String TYPE = "build.started";

        public String type() {
            return TYPE;
        }

        public Phase phase() {
            return Phase.BUILD;
        }
    }

    record BuildFinished(String image, String digest, int layersPushed, long bytesPushed) implements EventDetails {
        public static final String TYPE = "build.finished";

        public String type() {
            return TYPE;
        }

        public Phase phase() {
            return Phase.BUILD;
        }

        public boolean endsPhase() {
            return true;
        }
    }

    record BuildFailed(String cause) implements EventDetails {
        public static final String TYPE = "build.failed";

        public String type() {
            return TYPE;
        }

        public Phase phase() {
            return Phase.BUILD;
        }

        public boolean endsPhase() {
            return true;
        }
    }

    /**
     * The built image is started and sent the model's samples before it goes anywhere.
     *
     * @param runner {@code podman} (the image itself) or {@code local harness} (the model on this machine, when
     *     podman is not available)
     */
    record VerifyStarted(String image, int samples, String runner) implements EventDetails {
        public static final String TYPE = "build.verifying";

        public String type() {
            return TYPE;
        }

        public Phase phase() {
            return Phase.BUILD;
        }
    }

    /** The image answered every sample; the build goes on to its target. A failure is {@link BuildFailed}. */
    record VerifyFinished(String image, int samplesSent, int samplesPassed, String runner) implements EventDetails {
        public static final String TYPE = "build.verified";

        public String type() {
            return TYPE;
        }

        public Phase phase() {
            return Phase.BUILD;
        }
    }

    /** A real state change of a rolling-out version: scheduled, pulling, started, ready n/m, available. */
    record RolloutProgress(String state, int ready, int desired) implements EventDetails {
        public static final String TYPE = "rollout.progress";

        public String type() {
            return TYPE;
        }

        public Phase phase() {
            return Phase.ROLLOUT;
        }
    }

    /**
     * A state that often passes on its own (a pod waiting for a node, a registry error, an early crash): reported as
     * it appears, while the rollout keeps waiting, as {@code kubectl rollout status} appends it as a warning.
     */
    record RolloutWarning(String reason, String message) implements EventDetails {
        public static final String TYPE = "rollout.warning";

        public String type() {
            return TYPE;
        }

        public Phase phase() {
            return Phase.ROLLOUT;
        }
    }

    record RolloutSucceeded(int ready, double seconds) implements EventDetails {
        public static final String TYPE = "rollout.succeeded";

        public String type() {
            return TYPE;
        }

        public Phase phase() {
            return Phase.ROLLOUT;
        }

        public boolean endsPhase() {
            return true;
        }
    }

    record RolloutFailed(String cause, List<String> logTail) implements EventDetails {
        public static final String TYPE = "rollout.failed";

        public RolloutFailed {
            logTail = List.copyOf(logTail);
        }

        public String type() {
            return TYPE;
        }

        public Phase phase() {
            return Phase.ROLLOUT;
        }

        public boolean endsPhase() {
            return true;
        }
    }

    record SmokeStarted(String url, double rate, double durationSeconds) implements EventDetails {
        public static final String TYPE = "smoke.started";

        public String type() {
            return TYPE;
        }

        public Phase phase() {
            return Phase.SMOKE;
        }
    }

    record SmokeFinished(
            boolean passed,
            long requests,
            double achievedRate,
            double p50Ms,
            double p99Ms,
            double errorRate,
            List<String> reasons)
            implements EventDetails {
        public static final String TYPE = "smoke.finished";

        public SmokeFinished {
            reasons = List.copyOf(reasons);
        }

        public String type() {
            return TYPE;
        }

        public Phase phase() {
            return Phase.SMOKE;
        }

        public boolean endsPhase() {
            return true;
        }
    }

    record AbTestStarted(String champion, String challenger, int challengerWeight) implements EventDetails {
        public static final String TYPE = "abtest.started";

        public String type() {
            return TYPE;
        }

        public Phase phase() {
            return Phase.ABTEST;
        }
    }

    record AbTestDecided(String verdict, String summary) implements EventDetails {
        public static final String TYPE = "abtest.decided";

        public String type() {
            return TYPE;
        }

        public Phase phase() {
            return Phase.ABTEST;
        }

        public boolean endsPhase() {
            return true;
        }
    }

    record ApprovalRequested(String url) implements EventDetails {
        public static final String TYPE = "approval.requested";

        public String type() {
            return TYPE;
        }

        public Phase phase() {
            return Phase.APPROVAL;
        }
    }

    record ApprovalGiven(String approver, boolean approved, String comment) implements EventDetails {
        public static final String TYPE = "approval.given";

        public String type() {
            return TYPE;
        }

        public Phase phase() {
            return Phase.APPROVAL;
        }

        public boolean endsPhase() {
            return true;
        }
    }

    record Promoted(String previous, String digest) implements EventDetails {
        public static final String TYPE = "promotion.promoted";

        public String type() {
            return TYPE;
        }

        public Phase phase() {
            return Phase.PROMOTION;
        }

        public boolean endsPhase() {
            return true;
        }
    }

    record RolledBack(String restored, String digest, String reason) implements EventDetails {
        public static final String TYPE = "rollback.finished";

        public String type() {
            return TYPE;
        }

        public Phase phase() {
            return Phase.ROLLBACK;
        }

        public boolean endsPhase() {
            return true;
        }
    }

    /**
     * A version was taken out of service.
     *
     * @param stage  what it is now (failed, rolled-back, rejected, retired)
     * @param mode   REMOVE (objects deleted) or SCALE_TO_ZERO (kept at zero replicas, restorable)
     */
    record VersionRemoved(String stage, String mode, String reason) implements EventDetails {
        public static final String TYPE = "version.removed";

        public String type() {
            return TYPE;
        }

        public Phase phase() {
            return Phase.RELEASE;
        }
    }

    /**
     * How one deployment of a version ended: the last event of every run.
     *
     * @param outcome    PROMOTED, ROLLED_BACK, REJECTED or FAILED
     * @param verdict    the A/B test's verdict, empty when there was none
     * @param production the version serving production afterwards, empty when none
     */
    record DeployFinished(String outcome, String verdict, String production, String reason) implements EventDetails {
        public static final String TYPE = "deploy.finished";

        public String type() {
            return TYPE;
        }

        public Phase phase() {
            return Phase.RELEASE;
        }

        public boolean endsPhase() {
            return true;
        }
    }
}
