package io.jenkins.plugins.modeldeploy.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON form of a {@link ReleaseState} (schema {@value #SCHEMA}), stored in an annotation. Written field by field
 * (as EventJson does) rather than by reflection, so that Optional and Instant need no extra Jackson modules and the
 * stored form does not change when the record gains a method.
 */
public final class ReleaseJson {
    public static final String SCHEMA = "model-deploy.release/v1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ReleaseJson() {}

    public static String write(ReleaseState state) {
        ObjectNode node = JSON.createObjectNode();
        node.put("schema", SCHEMA);
        node.put("model", state.model());
        node.put("phase", state.phase().name());
        node.put("production", state.production().orElse(null));
        node.put("challenger", state.challenger().orElse(null));
        node.put("previous", state.previous().orElse(null));
        state.weights().forEach(node.putObject("weights")::put);
        state.previousWeights().forEach(node.putObject("previousWeights")::put);
        state.digests().forEach(node.putObject("digests")::put);
        node.put("updated", state.updated().toString());
        return node.toString();
    }

    /** Parses what {@link #write} wrote; the message of the exception says what is wrong. */
    public static ReleaseState read(String json) throws InvalidReleaseJsonException {
        try {
            JsonNode node = JSON.readTree(json);
            if (!SCHEMA.equals(node.path("schema").asText())) {
                throw new InvalidReleaseJsonException("schema is \"" + node.path("schema").asText() + "\", expected "
                        + SCHEMA);
            }
            return new ReleaseState(text(node, "model"), ReleaseState.Phase.valueOf(text(node, "phase")),
                    optional(node, "production"), optional(node, "challenger"), optional(node, "previous"),
                    ints(node.path("weights")),
                    ints(node.path("previousWeights")), strings(node.path("digests")),
                    Instant.parse(text(node, "updated")));
        } catch (JsonProcessingException | IllegalArgumentException | java.time.format.DateTimeParseException e) {
            throw new InvalidReleaseJsonException(e.getMessage());
        }
    }

    private static String text(JsonNode node, String field) throws InvalidReleaseJsonException {
        JsonNode value = node.path(field);
        if (!value.isTextual()) {
            throw new InvalidReleaseJsonException("\"" + field + "\" is missing or not a string");
        }
        return value.asText();
    }

    private static Optional<String> optional(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isTextual() ? Optional.of(value.asText()) : Optional.empty();
    }

    private static Map<String, Integer> ints(JsonNode node) {
        Map<String, Integer> map = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asInt()));
        return map;
    }

    private static Map<String, String> strings(JsonNode node) {
        Map<String, String> map = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
        return map;
    }

    /** The stored JSON is not a release state this version can read. */
    public static final class InvalidReleaseJsonException extends Exception {
        InvalidReleaseJsonException(String message) {
            super(message);
        }
    }
}
