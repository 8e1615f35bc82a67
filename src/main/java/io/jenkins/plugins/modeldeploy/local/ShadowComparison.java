package io.jenkins.plugins.modeldeploy.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.modeldeploy.abtest.ShadowStats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * How one shadow's answers compared with production's on the same inputs since its mirror was set: the predictions
 * of both 2xx answers ({@code predictions} of a simple answer, each output's {@code data} of a V2 one, else the whole
 * body) are equal when they are equal as JSON with numbers within {@value #RELATIVE_TOLERANCE} of each other
 * (relative). Keeps the first {@value #MAX_EXAMPLES} disagreements, each text cut at {@value #MAX_TEXT} characters.
 */
final class ShadowComparison {
    static final double RELATIVE_TOLERANCE = 1e-9;
    static final int MAX_EXAMPLES = 20;
    static final int MAX_TEXT = 1000;

    private final LongAdder compared = new LongAdder();
    private final LongAdder agreed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final List<ShadowStats.Disagreement> examples = new ArrayList<>();

    /** Production answered 2xx; the shadow answered {@code status} ({@code body}), or -1 when it did not answer. */
    void record(byte[] request, byte[] production, int status, byte[] shadow) {
        if (status < 200 || status > 299) {
            failed.increment();
            return;
        }
        compared.increment();
        if (agree(production, shadow)) {
            agreed.increment();
            return;
        }
        synchronized (examples) {
            if (examples.size() < MAX_EXAMPLES) {
                examples.add(new ShadowStats.Disagreement(text(request), text(production), text(shadow)));
            }
        }
    }

    ShadowStats snapshot() {
        synchronized (examples) {
            return new ShadowStats(compared.sum(), agreed.sum(), failed.sum(), examples);
        }
    }

    static boolean agree(byte[] production, byte[] shadow) {
        JsonNode a;
        JsonNode b;
        try {
            a = predictions(Wire.JSON.readTree(production));
            b = predictions(Wire.JSON.readTree(shadow));
        } catch (IOException | RuntimeException e) {
            return java.util.Arrays.equals(production, shadow);
        }
        return same(a, b);
    }

    /** What a model predicted in an answer: simple {@code predictions}, V2 outputs' data, else the whole answer. */
    private static JsonNode predictions(JsonNode answer) {
        if (answer == null) {
            return Wire.JSON.nullNode();
        }
        if (answer.has("predictions")) {
            return answer.get("predictions");
        }
        if (answer.path("outputs").isArray()) {
            var data = Wire.JSON.createArrayNode();
            answer.get("outputs").forEach(output -> data.add(output.path("data")));
            return data;
        }
        return answer;
    }

    static boolean same(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            double x = a.asDouble();
            double y = b.asDouble();
            return x == y || Math.abs(x - y) <= RELATIVE_TOLERANCE * Math.max(Math.abs(x), Math.abs(y));
        }
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!same(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a.isObject() && b.isObject()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (Iterator<Map.Entry<String, JsonNode>> fields = a.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (!b.has(field.getKey()) || !same(field.getValue(), b.get(field.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    private static String text(byte[] bytes) {
        String text = new String(bytes, 0, Math.min(bytes.length, MAX_TEXT * 4), StandardCharsets.UTF_8);
        return text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT) + "…";
    }
}
