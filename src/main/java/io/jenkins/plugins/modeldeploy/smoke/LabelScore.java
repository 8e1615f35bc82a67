package io.jenkins.plugins.modeldeploy.smoke;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Optional;

/**
 * How answers scored against labelled payloads ({@code "expected"}), one observation per instance: whether the
 * prediction equals the label (numbers within a relative 1e-9, as {@link ResponseCheck#EXPECTED} compares them, else
 * JSON-equal), and where both are numbers the absolute and squared errors, with the sums of their squares (for the
 * variance a sequential test needs). An answer that is not {@code {"predictions": [...]}} with an entry per label
 * scores those instances wrong, with no error (there is no number to measure it by).
 *
 * @param instances            labelled instances scored
 * @param correct              of those, predicted exactly
 * @param numeric              instances where prediction and label are both numbers
 * @param absoluteError        Σ |prediction − label| over the numeric ones
 * @param absoluteErrorSquares Σ (prediction − label)²
 * @param squaredErrorSquares  Σ (prediction − label)⁴
 */
public record LabelScore(
        long instances,
        long correct,
        long numeric,
        double absoluteError,
        double absoluteErrorSquares,
        double squaredErrorSquares) {
    public static final LabelScore NONE = new LabelScore(0, 0, 0, 0, 0, 0);

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The answer's score; {@link #NONE} when the payload carries no labels. */
    public static LabelScore of(Payload payload, byte[] answer) {
        Optional<JsonNode> expected = payload.expected();
        if (expected.isEmpty() || !expected.get().isArray() || expected.get().isEmpty()) {
            return NONE;
        }
        JsonNode labels = expected.get();
        JsonNode predictions = predictions(answer);
        long correct = 0;
        long numeric = 0;
        double absolute = 0;
        double squared = 0;
        double fourth = 0;
        for (int i = 0; i < labels.size(); i++) {
            JsonNode label = labels.get(i);
            JsonNode prediction = predictions == null ? null : predictions.get(i);
            if (prediction != null && ResponseCheck.samePrediction(prediction, label)) {
                correct++;
            }
            if (prediction != null && prediction.isNumber() && label.isNumber()) {
                double error = prediction.asDouble() - label.asDouble();
                numeric++;
                absolute += Math.abs(error);
                squared += error * error;
                fourth += error * error * error * error;
            }
        }
        return new LabelScore(labels.size(), correct, numeric, absolute, squared, fourth);
    }

    private static JsonNode predictions(byte[] answer) {
        try {
            JsonNode document = JSON.readTree(answer);
            JsonNode predictions = document == null ? null : document.get("predictions");
            return predictions != null && predictions.isArray() ? predictions : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** One line for consoles: "accuracy 95.00% on 200 labelled instances, mae 0.5, rmse 0.7" (errors when numeric). */
    public String describe() {
        return String.format(
                java.util.Locale.ROOT,
                "accuracy %.2f%% on %d labelled instances%s",
                accuracy() * 100,
                instances,
                numeric == 0 ? "" : String.format(java.util.Locale.ROOT, ", mae %.4g, rmse %.4g", mae(), rmse()));
    }

    public LabelScore plus(LabelScore other) {
        return new LabelScore(
                instances + other.instances,
                correct + other.correct,
                numeric + other.numeric,
                absoluteError + other.absoluteError,
                absoluteErrorSquares + other.absoluteErrorSquares,
                squaredErrorSquares + other.squaredErrorSquares);
    }

    /** Share of instances predicted exactly; 0 when none was scored. */
    public double accuracy() {
        return instances == 0 ? 0 : (double) correct / instances;
    }

    /** Mean absolute error of the numeric instances; NaN when there were none. */
    public double mae() {
        return numeric == 0 ? Double.NaN : absoluteError / numeric;
    }

    /** Root mean squared error of the numeric instances; NaN when there were none. */
    public double rmse() {
        return numeric == 0 ? Double.NaN : Math.sqrt(absoluteErrorSquares / numeric);
    }
}
