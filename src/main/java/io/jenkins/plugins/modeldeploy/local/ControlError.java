package io.jenkins.plugins.modeldeploy.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.modeldeploy.abtest.MetricsException;
import io.jenkins.plugins.modeldeploy.route.RoutingException;
import io.jenkins.plugins.modeldeploy.target.RolloutException;
import io.jenkins.plugins.modeldeploy.target.TargetException;
import java.util.ArrayList;
import java.util.List;

/**
 * A failure as the local control API sends it: its kind, its message, and what a {@link RolloutException} carries
 * (object, short reason, details, log tail), so the client throws the same typed exception with the same message
 * the daemon's target threw.
 */
record ControlError(Kind kind, String message, String object, String reason, String details, List<String> logTail) {
    enum Kind {
        ROLLOUT(409),
        ROUTING(409),
        TARGET(409),
        METRICS(409),
        BAD_REQUEST(400),
        UNAUTHORIZED(401),
        NOT_FOUND(404),
        STOPPING(503),
        INTERNAL(500),
        /** Client side only: the daemon did not answer. */
        UNREACHABLE(0);

        final int status;

        Kind(int status) {
            this.status = status;
        }

        String id() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }

        static Kind parse(String id) {
            for (Kind kind : values()) {
                if (kind.id().equals(id)) {
                    return kind;
                }
            }
            return INTERNAL;
        }
    }

    ControlError {
        logTail = List.copyOf(logTail);
    }

    static ControlError of(Kind kind, String message) {
        return new ControlError(kind, message, "", "", "", List.of());
    }

    /** The error for an exception a target, router or metrics source threw. */
    static ControlError of(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof RolloutException rollout) {
            // RolloutException's message is "object: reason[ - details]"; ship the parts to build the same one
            String marker = ": " + rollout.reason();
            int at = message.indexOf(marker);
            String object = at < 0 ? message : message.substring(0, at);
            String rest = at < 0 ? "" : message.substring(at + marker.length());
            return new ControlError(
                    Kind.ROLLOUT,
                    message,
                    object,
                    rollout.reason(),
                    rest.startsWith(" - ") ? rest.substring(3) : "",
                    rollout.logTail());
        }
        if (e instanceof RoutingException) {
            return of(Kind.ROUTING, message);
        }
        if (e instanceof MetricsException) {
            return of(Kind.METRICS, message);
        }
        if (e instanceof TargetException) {
            return of(Kind.TARGET, message);
        }
        return of(Kind.INTERNAL, e.getClass().getSimpleName() + ": " + message);
    }

    ObjectNode json() {
        ObjectNode node = Wire.JSON.createObjectNode();
        ObjectNode error = node.putObject("error");
        error.put("type", kind.id());
        error.put("message", message);
        if (kind == Kind.ROLLOUT) {
            error.put("object", object).put("reason", reason).put("details", details);
            ArrayNode tail = error.putArray("logTail");
            logTail.forEach(tail::add);
        }
        return node;
    }

    static ControlError parse(JsonNode error) {
        List<String> tail = new ArrayList<>();
        error.path("logTail").forEach(line -> tail.add(line.asText()));
        return new ControlError(
                Kind.parse(error.path("type").asText()),
                error.path("message").asText(),
                error.path("object").asText(""),
                error.path("reason").asText(""),
                error.path("details").asText(""),
                tail);
    }

    RolloutException asRollout(String target) {
        if (kind == Kind.ROLLOUT && !reason.isEmpty()) {
            return new RolloutException(object, reason, details, logTail);
        }
        return new RolloutException(
                target, kind == Kind.UNREACHABLE ? "local target unreachable" : kind.id(), message, logTail);
    }

    TargetException asTarget() {
        return kind == Kind.ROLLOUT && !reason.isEmpty() ? asRollout("") : new TargetException(message);
    }

    RoutingException asRouting() {
        return new RoutingException(message);
    }

    MetricsException asMetrics() {
        return new MetricsException(message);
    }
}
