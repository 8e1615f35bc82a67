package io.jenkins.plugins.modeldeploy.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import io.jenkins.plugins.modeldeploy.target.ReleaseState.HistoryEntry;
import java.io.PrintWriter;
import java.util.List;

/** How the release commands (rollback, history) print a model's release, as text or one JSON line. */
final class ReleaseOutput {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ReleaseOutput() {}

    static ObjectNode release(ReleaseState state) {
        ObjectNode json = JSON.createObjectNode();
        json.put("model", state.model());
        json.put("phase", state.phase().name());
        json.put("production", state.production().orElse(null));
        json.put("inProgress", state.challenger().orElse(null));
        state.weights().forEach(json.putObject("weights")::put);
        ObjectNode kept = json.putObject("keptUntil");
        state.keepUntil().forEach((version, until) -> kept.put(version, until.toString()));
        return json;
    }

    static ArrayNode history(List<HistoryEntry> history) {
        ArrayNode entries = JSON.createArrayNode();
        for (HistoryEntry entry : history) {
            entries.addObject()
                    .put("at", entry.at().toString())
                    .put("action", entry.action().name())
                    .put("version", entry.version())
                    .put("outcome", entry.outcome().map(Enum::name).orElse(null))
                    .put("verdict", entry.verdict().map(Enum::name).orElse(null))
                    .put("production", entry.production().orElse(null))
                    .put("digest", entry.digest().orElse(null))
                    .put("by", entry.by())
                    .put("reason", entry.reason());
        }
        return entries;
    }

    static void text(PrintWriter out, ReleaseState state) {
        out.printf(
                "%s: production %s%s, weights %s%n",
                state.model(),
                state.production().orElse("none"),
                state.challenger().map(v -> ", " + state.phase() + " " + v).orElse(""),
                state.weights());
    }

    static void historyText(PrintWriter out, List<HistoryEntry> history) {
        if (history.isEmpty()) {
            out.println("no history");
            return;
        }
        out.printf(
                "%-24s %-9s %-8s %-12s %-12s %-10s %s%n",
                "AT", "ACTION", "VERSION", "OUTCOME", "VERDICT", "PRODUCTION", "BY / REASON");
        for (HistoryEntry entry : history) {
            out.printf(
                    "%-24s %-9s %-8s %-12s %-12s %-10s %s: %s%n",
                    entry.at().toString().replaceAll("\\.\\d+Z$", "Z"),
                    entry.action(),
                    entry.version(),
                    entry.outcome().map(Enum::name).orElse("-"),
                    entry.verdict().map(Enum::name).orElse("-"),
                    entry.production().orElse("none"),
                    entry.by(),
                    entry.reason());
        }
    }
}
