package io.jenkins.plugins.modeldeploy.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The harness's check of one instance against the declared signature ({@code check_instance} in the harness's
 * protocol.py), in Java, so that {@code validate} refuses a sample the harness would answer 400. The messages follow
 * the harness's wording so a user sees the same text at both ends.
 */
final class SampleCheck {
    private SampleCheck() {}

    /** Why {@code instance} does not match {@code signature}, or null when it does. */
    static String instanceError(JsonNode instance, Signature signature, String where) {
        List<Signature.Input> inputs = signature.inputs();
        String names = inputs.stream().map(Signature.Input::name).collect(Collectors.joining(", "));
        if (signature.format() == Signature.Format.ARRAY) {
            if (!instance.isArray()) {
                return where + ": expected an array of " + inputs.size() + " values, was " + type(instance);
            }
            if (instance.size() != inputs.size()) {
                return where + ": expected " + inputs.size() + " values (" + names + "), got " + instance.size();
            }
            for (int j = 0; j < inputs.size(); j++) {
                String error = valueError(
                        instance.get(j),
                        inputs.get(j),
                        where + "[" + j + "] (" + inputs.get(j).name() + ")");
                if (error != null) {
                    return error;
                }
            }
            return null;
        }
        if (!instance.isObject()) {
            return where + ": expected an object with fields " + names + ", was " + type(instance);
        }
        for (Signature.Input input : inputs) {
            if (!instance.has(input.name())) {
                return where + ": missing field \"" + input.name() + "\"";
            }
            String error = valueError(instance.get(input.name()), input, where + "." + input.name());
            if (error != null) {
                return error;
            }
        }
        Set<String> unknown = new TreeSet<>();
        for (Iterator<String> fields = instance.fieldNames(); fields.hasNext(); ) {
            unknown.add(fields.next());
        }
        inputs.forEach(input -> unknown.remove(input.name()));
        return unknown.isEmpty()
                ? null
                : where + ": unknown field \"" + unknown.iterator().next() + "\"";
    }

    private static String valueError(JsonNode value, Signature.Input input, String where) {
        boolean ok =
                switch (input.type()) {
                    // 1e400 parses as infinity here and in Python's json, which the harness refuses.
                    case NUMBER -> value.isNumber() && Double.isFinite(value.asDouble());
                    case INTEGER -> value.isIntegralNumber();
                    case STRING -> value.isTextual();
                    case BOOLEAN -> value.isBoolean();
                };
        return ok
                ? null
                : where + ": expected " + input.type().name().toLowerCase(java.util.Locale.ROOT) + ", was "
                        + type(value);
    }

    /** The JSON type's name, as the harness's {@code json_type} gives it. */
    private static String type(JsonNode value) {
        if (value == null || value.isNull()) {
            return "null";
        }
        if (value.isBoolean()) {
            return "boolean";
        }
        if (value.isNumber()) {
            return "number";
        }
        if (value.isTextual()) {
            return "string";
        }
        return value.isArray() ? "array" : "object";
    }
}
