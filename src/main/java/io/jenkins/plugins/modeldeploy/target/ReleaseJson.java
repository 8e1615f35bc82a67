package io.jenkins.plugins.modeldeploy.target;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import edu.umd.cs.findbugs.annotations.SuppressFBWarnings;
import io.jenkins.plugins.modeldeploy.abtest.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON form of a {@link ReleaseState} (schema {@value #SCHEMA}), the same in the cluster's annotation and in the
 * local state file. Unknown fields are ignored, so an older reader survives a newer writer's additions; the first
 * schema ({@value #SCHEMA_V1}, one "previous" version instead of a history) is still read, so releases made before
 * the lifecycle was stored keep working.
 */
public final class ReleaseJson {
    public static final String SCHEMA = "model-deploy.release/v2";
    static final String SCHEMA_V1 = "model-deploy.release/v1";
    /** How long a v1 release's replaced version is kept from the v1 state's last update (the CLI's default). */
    static final Duration V1_KEEP = Duration.ofHours(1);

    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new Jdk8Module())
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
            .setSerializationInclusion(JsonInclude.Include.NON_ABSENT);

    private ReleaseJson() {}

    public static String write(ReleaseState state) {
        return tree(state).toString();
    }

    /** The state as a JSON object with its schema first. */
    public static ObjectNode tree(ReleaseState state) {
        ObjectNode node = JSON.createObjectNode();
        node.put("schema", SCHEMA);
        node.setAll((ObjectNode) JSON.valueToTree(state));
        return node;
    }

    /** Parses what {@link #write} wrote; the message of the exception says what is wrong. */
    public static ReleaseState read(String json) throws InvalidReleaseJsonException {
        try {
            return read(JSON.readTree(json));
        } catch (JsonProcessingException e) {
            throw new InvalidReleaseJsonException(e.getOriginalMessage());
        }
    }

    @SuppressFBWarnings(
            value = "DCN_NULLPOINTER_EXCEPTION",
            justification =
                    "the state records reject a missing field with"
                            + " Objects.requireNonNull; a file missing one is reported as invalid, like any other malformed value")
    public static ReleaseState read(JsonNode node) throws InvalidReleaseJsonException {
        String schema = node.path("schema").asText();
        try {
            if (SCHEMA_V1.equals(schema)) {
                return fromV1(node);
            }
            if (!SCHEMA.equals(schema)) {
                throw new InvalidReleaseJsonException("schema is \"" + schema + "\", expected " + SCHEMA);
            }
            for (String field : List.of("model", "phase", "updated")) {
                if (!node.path(field).isTextual()) {
                    throw new InvalidReleaseJsonException("\"" + field + "\" is missing or not a string");
                }
            }
            ObjectNode copy = ((ObjectNode) node).deepCopy();
            copy.remove("schema");
            return JSON.treeToValue(copy, ReleaseState.class);
        } catch (JsonProcessingException e) {
            throw new InvalidReleaseJsonException(e.getOriginalMessage());
        } catch (IllegalArgumentException | NullPointerException | java.time.DateTimeException e) {
            throw new InvalidReleaseJsonException(String.valueOf(e.getMessage()));
        }
    }

    /** A v1 state (phase, production, challenger, previous, weights, previousWeights, digests) in today's form. */
    private static ReleaseState fromV1(JsonNode node) throws InvalidReleaseJsonException {
        for (String field : List.of("model", "phase", "updated")) {
            if (!node.path(field).isTextual()) {
                throw new InvalidReleaseJsonException("\"" + field + "\" is missing or not a string");
            }
        }
        String model = node.path("model").asText();
        Instant updated = Instant.parse(node.path("updated").asText());
        final Optional<String> stored = optional(node, "production");
        Optional<String> production = stored;
        Optional<String> challenger = optional(node, "challenger");
        Optional<String> previous = optional(node, "previous");
        Map<String, Integer> weights = new LinkedHashMap<>();
        node.path("weights")
                .fields()
                .forEachRemaining(e -> weights.put(e.getKey(), e.getValue().asInt()));
        Map<String, String> digests = new LinkedHashMap<>();
        node.path("digests")
                .fields()
                .forEachRemaining(e -> digests.put(e.getKey(), e.getValue().asText()));
        Map<String, Instant> keep = new LinkedHashMap<>();
        ReleaseState.Phase phase;
        Optional<ReleaseState.Run> run = Optional.empty();
        switch (node.path("phase").asText()) {
            case "STABLE", "ROLLED_BACK" -> phase = ReleaseState.Phase.STABLE;
            case "PROMOTED" -> {
                phase = ReleaseState.Phase.STABLE;
                previous.ifPresent(p -> keep.put(p, updated.plus(V1_KEEP)));
            }
            case "EXPERIMENT" -> {
                phase = ReleaseState.Phase.EXPERIMENT;
                run = challenger.map(c -> v1Run(c, stored, digests, updated));
            }
            case "PROMOTING" -> {
                phase = ReleaseState.Phase.PROMOTING;
                run = challenger.map(c -> v1Run(c, previous, digests, updated)
                        .withOutcome(Outcome.PROMOTED, "promotion started before the upgrade"));
            }
            case "ROLLING_BACK" -> {
                phase = ReleaseState.Phase.ROLLING_BACK;
                run = stored.map(p -> v1Run(p, challenger, digests, updated));
                production = challenger;
            }
            default ->
                throw new InvalidReleaseJsonException(
                        "unknown phase \"" + node.path("phase").asText() + "\"");
        }
        if (phase != ReleaseState.Phase.STABLE && run.isEmpty()) {
            throw new InvalidReleaseJsonException(
                    "phase " + node.path("phase").asText() + " without the version it" + " concerns");
        }
        return new ReleaseState(model, phase, production, run, weights, digests, keep, List.of(), updated);
    }

    private static ReleaseState.Run v1Run(
            String version, Optional<String> from, Map<String, String> digests, Instant started) {
        return new ReleaseState.Run(
                version,
                Optional.ofNullable(digests.get(version)),
                from,
                "model-deploy (v1)",
                started,
                V1_KEEP,
                RetireMode.REMOVE,
                Optional.<Verdict>empty(),
                List.of(),
                Optional.empty(),
                "");
    }

    private static Optional<String> optional(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isTextual() ? Optional.of(value.asText()) : Optional.empty();
    }

    /** The stored JSON is not a release state this version can read. */
    public static final class InvalidReleaseJsonException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidReleaseJsonException(String message) {
            super(message);
        }
    }
}
