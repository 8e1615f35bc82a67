package io.jenkins.plugins.modeldeploy.abtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.modeldeploy.smoke.Payload;
import io.jenkins.plugins.modeldeploy.smoke.ResponseCheck;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Scores a model's answer against a labelled payload's {@code "expected"}, one observation per instance: for
 * {@value GatedMetric#ACCURACY} 1 when the prediction equals the label (numbers within a relative 1e-9, as {@link
 * ResponseCheck#EXPECTED} compares them; else JSON-equal) and 0 otherwise; and, when both are numbers, the absolute
 * error for {@value GatedMetric#MAE} and the squared error for {@value GatedMetric#RMSE}. An answer that is not
 * {@code {"predictions": [...]}} with one entry per label scores every instance as wrong (and no error: there is no
 * number to measure it by).
 */
public final class LabelScorer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LabelScorer() {}

    /** The answer's observations by metric name; empty when the payload carries no labels. */
    public static Map<String, Moments> score(Payload payload, byte[] answer) {
        Optional<JsonNode> expected = payload.expected();
        if (expected.isEmpty() || !expected.get().isArray() || expected.get().isEmpty()) {
            return Map.of();
        }
        JsonNode labels = expected.get();
        JsonNode predictions = predictions(answer);
        Moments accuracy = Moments.NONE;
        Moments mae = Moments.NONE;
        Moments rmse = Moments.NONE;
        for (int i = 0; i < labels.size(); i++) {
            JsonNode label = labels.get(i);
            JsonNode prediction = predictions == null ? null : predictions.get(i);
            boolean right = prediction != null && ResponseCheck.samePrediction(prediction, label);
            accuracy = accuracy.plus(Moments.of(right ? 1 : 0));
            if (prediction != null && prediction.isNumber() && label.isNumber()) {
                double error = prediction.asDouble() - label.asDouble();
                mae = mae.plus(Moments.of(Math.abs(error)));
                rmse = rmse.plus(Moments.of(error * error));
            }
        }
        Map<String, Moments> scores = new LinkedHashMap<>();
        scores.put(GatedMetric.ACCURACY, accuracy);
        if (mae.count() > 0) {
            scores.put(GatedMetric.MAE, mae);
            scores.put(GatedMetric.RMSE, rmse);
        }
        return scores;
    }

    /** The answer's predictions, or null when it is not an object with a predictions array. */
    private static JsonNode predictions(byte[] answer) {
        try {
            JsonNode document = JSON.readTree(answer);
            JsonNode predictions = document == null ? null : document.get("predictions");
            return predictions != null && predictions.isArray() ? predictions : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** {@code a} plus {@code b}, metric by metric. */
    public static Map<String, Moments> add(Map<String, Moments> a, Map<String, Moments> b) {
        Map<String, Moments> sum = new LinkedHashMap<>(a);
        b.forEach((name, moments) -> sum.merge(name, moments, Moments::plus));
        return sum;
    }

    /** {@code now} less {@code earlier}, metric by metric ({@link Moments#minus}); metrics with no new observation are left out. */
    public static Map<String, Moments> minus(Map<String, Moments> now, Map<String, Moments> earlier) {
        Map<String, Moments> difference = new LinkedHashMap<>();
        now.forEach((name, moments) -> {
            Moments since = moments.minus(earlier.getOrDefault(name, Moments.NONE));
            if (since.count() > 0) {
                difference.put(name, since);
            }
        });
        return difference;
    }
}
