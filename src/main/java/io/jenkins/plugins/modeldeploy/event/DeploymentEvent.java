package io.jenkins.plugins.modeldeploy.event;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * One thing that happened to one model version. Immutable; {@link #id()} identifies it across every sink, so a
 * consumer that sees it twice (a republish after a broken connection) can tell.
 *
 * @param object the Kubernetes object it is about, when there is one
 * @param runId  the run of the command (or build) that published it ({@link #newRunId()}), set by the {@link EventBus}
 *     it went through: what tells two runs apart in one journal
 */
public record DeploymentEvent(
        UUID id,
        Instant time,
        String model,
        String version,
        String message,
        Optional<ObjectRef> object,
        EventDetails details,
        Optional<String> runId) {
    private static final DateTimeFormatter RUN_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    public DeploymentEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(object, "object");
        Objects.requireNonNull(details, "details");
        Objects.requireNonNull(runId, "runId");
    }

    /** A new event now, with a fresh id. */
    public static DeploymentEvent of(String model, String version, String message, EventDetails details) {
        return new DeploymentEvent(
                UUID.randomUUID(), Instant.now(), model, version, message, Optional.empty(), details, Optional.empty());
    }

    public DeploymentEvent about(ObjectRef ref) {
        return new DeploymentEvent(id, time, model, version, message, Optional.of(ref), details, runId);
    }

    /** The same event (same id) as part of run {@code run}. */
    public DeploymentEvent inRun(String run) {
        return new DeploymentEvent(id, time, model, version, message, object, details, Optional.of(run));
    }

    /**
     * A fresh run id: {@code 20261130T194800Z-3fa9c2} — its start time in UTC (so ids sort by start) and 24 random
     * bits (so two runs started in the same second differ). Usable as a file name.
     */
    public static String newRunId() {
        byte[] random = new byte[3];
        RANDOM.nextBytes(random);
        return RUN_TIME.format(Instant.now().truncatedTo(ChronoUnit.SECONDS)) + "-"
                + HexFormat.of().formatHex(random);
    }

    public String type() {
        return details.type();
    }

    public Phase phase() {
        return details.phase();
    }

    /** {@code model.version.type}, e.g. {@code iris.2.rollout.progress}: what RabbitMQ routes on. */
    public String routingKey() {
        return model + "." + version + "." + type();
    }

    /** {@code model-version}, the deployment this event belongs to. */
    public String deployment() {
        return model + "-" + version;
    }
}
