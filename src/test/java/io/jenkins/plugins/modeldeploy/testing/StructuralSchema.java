package io.jenkins.plugins.modeldeploy.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Checks an object against a CRD's OpenAPI v3 structural schema, as the API server would: types (with
 * {@code x-kubernetes-int-or-string}), required fields, enums, minimum/maximum, and no field the schema does not
 * declare (the API server would silently prune it, which hides mistakes).
 */
public final class StructuralSchema {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonNode schema;

    private StructuralSchema(JsonNode schema) {
        this.schema = schema;
    }

    /** The v1alpha1 schema of one of Traefik's CRDs kept in the test resources ({@code schemas/traefik/}). */
    public static StructuralSchema traefik(String file) throws IOException {
        String path = "/schemas/traefik/" + file;
        JsonNode crd;
        try (var in = StructuralSchema.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("Traefik CRD schema " + path + " is missing from the test resources"
                        + " (see src/test/resources/schemas/traefik/README.md)");
            }
            crd = YAML.readTree(in);
        }
        for (JsonNode version : crd.at("/spec/versions")) {
            if (version.path("name").asText().equals("v1alpha1")) {
                return new StructuralSchema(version.at("/schema/openAPIV3Schema"));
            }
        }
        throw new IllegalStateException("no v1alpha1 schema in " + path);
    }

    /** Every violation, each naming the field path; empty when the object is valid. */
    public List<String> violations(Object object) {
        List<String> problems = new ArrayList<>();
        check(JSON.valueToTree(object), schema, "", problems);
        return problems;
    }

    private static void check(JsonNode value, JsonNode schema, String path, List<String> problems) {
        if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
            if (!value.isInt() && !value.isLong() && !value.isTextual()) {
                problems.add(path + ": must be an integer or a string");
            }
            return;
        }
        String type = schema.path("type").asText("");
        switch (type) {
            case "object" -> {
                if (!value.isObject()) {
                    problems.add(path + ": must be an object");
                    return;
                }
                for (JsonNode required : schema.path("required")) {
                    if (!value.has(required.asText())) {
                        problems.add(path + "." + required.asText() + ": is required");
                    }
                }
                JsonNode properties = schema.path("properties");
                JsonNode additional = schema.path("additionalProperties");
                for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = it.next();
                    if (properties.has(field.getKey())) {
                        check(field.getValue(), properties.get(field.getKey()), path + "." + field.getKey(), problems);
                    } else if (additional.isObject()) {
                        check(field.getValue(), additional, path + "." + field.getKey(), problems);
                    } else if (!schema.path("x-kubernetes-preserve-unknown-fields")
                                    .asBoolean(false)
                            && !path.equals(".metadata")) {
                        problems.add(path + "." + field.getKey() + ": is not a field of the schema");
                    }
                }
            }
            case "array" -> {
                if (!value.isArray()) {
                    problems.add(path + ": must be an array");
                    return;
                }
                for (int i = 0; i < value.size(); i++) {
                    check(value.get(i), schema.path("items"), path + "[" + i + "]", problems);
                }
            }
            case "string" -> {
                if (!value.isTextual()) {
                    problems.add(path + ": must be a string");
                }
            }
            case "integer" -> {
                if (!value.isIntegralNumber()) {
                    problems.add(path + ": must be an integer");
                }
            }
            case "number" -> {
                if (!value.isNumber()) {
                    problems.add(path + ": must be a number");
                }
            }
            case "boolean" -> {
                if (!value.isBoolean()) {
                    problems.add(path + ": must be a boolean");
                }
            }
            default -> {}
        }
        if (schema.has("enum")) {
            boolean listed = false;
            for (JsonNode option : schema.get("enum")) {
                listed |= option.equals(value);
            }
            if (!listed) {
                problems.add(path + ": must be one of " + schema.get("enum") + ", was " + value);
            }
        }
        if (schema.has("minimum")
                && value.isNumber()
                && value.asDouble() < schema.get("minimum").asDouble()) {
            problems.add(path + ": must be >= " + schema.get("minimum"));
        }
        if (schema.has("maximum")
                && value.isNumber()
                && value.asDouble() > schema.get("maximum").asDouble()) {
            problems.add(path + ": must be <= " + schema.get("maximum"));
        }
    }
}
