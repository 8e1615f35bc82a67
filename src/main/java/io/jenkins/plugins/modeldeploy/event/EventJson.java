package io.jenkins.plugins.modeldeploy.event;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.modeldeploy.redact.Redaction;
import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The JSON form of an event (schema {@value #SCHEMA}), the public contract of the journal and the event bus:
 * {@code {"schema", "id", "time", "model", "version", "phase", "type", "message", "object", "details"}}, and
 * {@code "runId"} when the event was published in a run (added within v1: readers ignore what they do not know).
 */
public final class EventJson {
    public static final String SCHEMA = "model-deploy.event/v1";
    private static final ObjectMapper JSON =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final Map<String, Class<? extends EventDetails>> TYPES = types();

    private EventJson() {}

    @SuppressWarnings("unchecked")
    private static Map<String, Class<? extends EventDetails>> types() {
        Map<String, Class<? extends EventDetails>> types = new HashMap<>();
        for (JsonSubTypes.Type type :
                EventDetails.class.getAnnotation(JsonSubTypes.class).value()) {
            types.put(type.name(), (Class<? extends EventDetails>) type.value());
        }
        return Map.copyOf(types);
    }

    /** Every event type name this version knows. */
    public static java.util.Set<String> knownTypes() {
        return TYPES.keySet();
    }

    public static ObjectNode toTree(DeploymentEvent event) {
        ObjectNode node = JSON.createObjectNode();
        node.put("schema", SCHEMA);
        node.put("id", event.id().toString());
        node.put("time", event.time().toString());
        node.put("model", event.model());
        node.put("version", event.version());
        node.put("phase", event.phase().id());
        node.put("type", event.type());
        node.put("message", Redaction.text(event.message()));
        if (event.object().isPresent()) {
            ObjectRef ref = event.object().get();
            node.putObject("object")
                    .put("kind", ref.kind())
                    .put("namespace", ref.namespace())
                    .put("name", ref.name());
        } else {
            node.putNull("object");
        }
        node.set("details", redacted(JSON.valueToTree(event.details())));
        event.runId().ifPresent(run -> node.put("runId", run));
        return node;
    }

    /**
     * Every URL in an event's text fields, with credentials hidden ({@link Redaction}): the journal, the bus and the
     * console all write this tree, so a URL given with a password (a smoke target, a gateway) is stored without it.
     */
    private static JsonNode redacted(JsonNode node) {
        if (node instanceof ObjectNode object) {
            object.properties().forEach(field -> field.setValue(redacted(field.getValue())));
        } else if (node instanceof com.fasterxml.jackson.databind.node.ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, redacted(array.get(i)));
            }
        } else if (node.isTextual()) {
            String text = node.asText();
            String safe = Redaction.text(text);
            return safe.equals(text) ? node : JSON.getNodeFactory().textNode(safe);
        }
        return node;
    }

    public static byte[] toBytes(DeploymentEvent event) {
        try {
            return JSON.writeValueAsBytes(toTree(event));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an event of plain values cannot fail to serialise", e);
        }
    }

    public static String toLine(DeploymentEvent event) {
        return toTree(event).toString();
    }

    public static DeploymentEvent parse(byte[] bytes) throws IOException {
        return fromTree(JSON.readTree(bytes));
    }

    public static DeploymentEvent parse(String line) throws IOException {
        return fromTree(JSON.readTree(line));
    }

    public static DeploymentEvent fromTree(JsonNode node) throws IOException {
        String schema = node.path("schema").asText();
        if (!SCHEMA.equals(schema)) {
            throw new IOException("not a " + SCHEMA + " event (schema \"" + schema + "\")");
        }
        String type = node.path("type").asText();
        Class<? extends EventDetails> detailsClass = TYPES.get(type);
        if (detailsClass == null) {
            throw new IOException("unknown event type \"" + type + "\"");
        }
        JsonNode object = node.path("object");
        Optional<ObjectRef> ref = object.isObject()
                ? Optional.of(new ObjectRef(
                        object.path("kind").asText(),
                        object.path("namespace").asText(),
                        object.path("name").asText()))
                : Optional.empty();
        return new DeploymentEvent(
                UUID.fromString(node.path("id").asText()),
                Instant.parse(node.path("time").asText()),
                node.path("model").asText(),
                node.path("version").asText(),
                node.path("message").asText(),
                ref,
                JSON.treeToValue(node.path("details"), detailsClass),
                node.path("runId").isTextual() ? Optional.of(node.get("runId").asText()) : Optional.empty());
    }
}
