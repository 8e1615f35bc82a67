package io.jenkins.plugins.modeldeploy.event;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * One thing that happened to one model version. Immutable; {@link #id()} identifies it across every sink, so a
 * consumer that sees it twice (a republish after a broken connection) can tell.
 *
 * @param object the Kubernetes object it is about, when there is one
 */
public record DeploymentEvent(
        UUID id,
        Instant time,
        String model,
        String version,
        String message,
        Optional<ObjectRef> object,
        EventDetails details) {

    public DeploymentEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(object, "object");
        Objects.requireNonNull(details, "details");
    }

    /** A new event now, with a fresh id. */
    public static DeploymentEvent of(String model, String version, String message, EventDetails details) {
        return new DeploymentEvent(
                UUID.randomUUID(), Instant.now(), model, version, message, Optional.empty(), details);
    }

    public DeploymentEvent about(ObjectRef ref) {
        return new DeploymentEvent(id, time, model, version, message, Optional.of(ref), details);
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
