package io.jenkins.plugins.modeldeploy.verify;

import java.util.List;
import java.util.Objects;

/**
 * How an image answered its model's samples.
 *
 * @param image    the reference verified, e.g. {@code 127.0.0.1:5000/models/iris:2}
 * @param runner   what ran it: {@link #PODMAN} (the image itself) or {@link #LOCAL_HARNESS} (the model with its
 *                 environment on this machine, when podman is not available)
 * @param sent     samples sent to {@code /predict}
 * @param passed   samples answered with a 2xx and, where the sample gives {@code expected}, those predictions
 * @param failures one entry per sample that did not pass
 */
public record VerificationResult(String image, String runner, int sent, int passed, List<SampleFailure> failures) {
    public static final String PODMAN = "podman";
    public static final String LOCAL_HARNESS = "local harness";

    public VerificationResult {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(runner, "runner");
        failures = List.copyOf(failures);
    }

    public boolean ok() {
        return failures.isEmpty() && passed == sent;
    }

    /**
     * A sample that did not pass.
     *
     * @param sample  the sample file (and line, for {@code .jsonl}), e.g. {@code samples/setosa.json}
     * @param status  the HTTP status, 0 when there was no answer
     * @param problem what was wrong, e.g. {@code expected ["setosa"], got ["virginica"]}
     */
    public record SampleFailure(String sample, int status, String problem) {
        public SampleFailure {
            Objects.requireNonNull(sample, "sample");
            Objects.requireNonNull(problem, "problem");
        }

        @Override
        public String toString() {
            return sample + ": " + problem;
        }
    }
}
