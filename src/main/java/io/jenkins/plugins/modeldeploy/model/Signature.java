package io.jenkins.plugins.modeldeploy.model;

import java.util.List;

/**
 * The optional input contract of a model: each instance is an array of values in {@code inputs} order or an object
 * with one field per input. When present, the harness rejects instances that do not match with 400 and a message
 * naming the offending value.
 */
public record Signature(Format format, List<Input> inputs) {
    public Signature {
        inputs = List.copyOf(inputs);
    }

    public enum Format {
        ARRAY,
        OBJECT
    }

    public enum ValueType {
        NUMBER,
        INTEGER,
        STRING,
        BOOLEAN
    }

    public record Input(String name, ValueType type) {}
}
