package io.jenkins.plugins.modeldeploy.smoke;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** What a 2xx answer must look like to count as a success; a failed check counts as {@link ErrorKind#INVALID_BODY}. */
public enum ResponseCheck {
    /** Any 2xx answer. */
    STATUS,
    /** A JSON object with a {@code predictions} array holding one entry per instance sent. */
    SHAPE,
    /** As {@link #SHAPE}, and the predictions equal the payload's {@code expected} (when it has one). */
    EXPECTED;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** True when the body passes this check for {@code payload}. */
    public boolean accepts(Payload payload, byte[] body) {
        if (this == STATUS) {
            return true;
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(body);
        } catch (IOException e) {
            return false;
        }
        JsonNode predictions = answer == null ? null : answer.get("predictions");
        if (predictions == null
                || !predictions.isArray()
                || (payload.instances() > 0 && predictions.size() != payload.instances())) {
            return false;
        }
        return this == SHAPE
                || payload.expected()
                        .map(e -> predictions.equals(ResponseCheck::compare, e))
                        .orElse(true);
    }

    /**
     * Whether one prediction equals one expected value as {@link #EXPECTED} judges it: numbers within a relative 1e-9,
     * anything else JSON-equal (numbers nested in arrays or objects compared the same way).
     */
    public static boolean samePrediction(JsonNode prediction, JsonNode expected) {
        return prediction.equals(ResponseCheck::compare, expected);
    }

    /** Numbers equal within a relative 1e-9 (a model serialises 23.5 as 23.5 or 23.500000000000004); else exact. */
    private static int compare(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            double x = a.asDouble();
            double y = b.asDouble();
            return Math.abs(x - y) <= 1e-9 * Math.max(1, Math.max(Math.abs(x), Math.abs(y))) ? 0 : Double.compare(x, y);
        }
        return a.equals(b) ? 0 : 1;
    }
}
