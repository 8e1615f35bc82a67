package io.jenkins.plugins.modeldeploy.smoke;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads request bodies: a {@code .json} file is one body, a {@code .jsonl} file one body per non-blank line. A body
 * may carry {@code "expected": [...]}, the predictions it must produce; that field is checked, not sent.
 */
public final class Payloads {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Payloads() {}

    /** @param base directory that relative paths (and the names in results) are resolved against */
    public static List<Payload> read(Path base, List<Path> files) throws IOException {
        List<Payload> payloads = new ArrayList<>();
        for (Path file : files) {
            Path path = base.resolve(file);
            String text;
            try {
                text = Files.readString(path, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw new IOException("payload " + file + ": file not found");
            }
            if (file.toString().endsWith(".jsonl")) {
                List<String> lines = text.lines().toList();
                for (int i = 0; i < lines.size(); i++) {
                    if (!lines.get(i).isBlank()) {
                        payloads.add(parse(file + ":" + (i + 1), lines.get(i)));
                    }
                }
            } else {
                payloads.add(parse(file.toString(), text));
            }
        }
        if (payloads.isEmpty()) {
            throw new IOException("no request bodies in " + files);
        }
        return payloads;
    }

    static Payload parse(String name, String text) throws IOException {
        JsonNode document;
        try {
            document = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            // Position only: the parser's message quotes the offending token, and the file could be anything
            // (a sample linked to /etc/passwd printed its first field).
            throw new IOException("payload " + name + ": malformed JSON at line "
                    + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr());
        }
        if (document == null || document.isMissingNode()) {
            throw new IOException("payload " + name + ": empty");
        }
        Optional<JsonNode> expected = Optional.empty();
        byte[] body = text.strip().getBytes(StandardCharsets.UTF_8);
        if (document instanceof ObjectNode object && object.has("expected")) {
            expected = Optional.of(object.remove("expected"));
            body = JSON.writeValueAsBytes(object);
        }
        JsonNode instances = document.path("instances");
        int count = instances.isArray() ? instances.size() : 0;
        if (expected.isPresent() && (!expected.get().isArray() || expected.get().size() != count)) {
            throw new IOException("payload " + name + ": \"expected\" must be an array with one prediction per"
                    + " instance (" + count + ")");
        }
        return new Payload(name, body, count, expected);
    }
}
