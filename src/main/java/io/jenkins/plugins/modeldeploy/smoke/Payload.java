package io.jenkins.plugins.modeldeploy.smoke;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * One request body of a smoke run.
 *
 * @param name      where it came from, e.g. {@code samples/setosa.json} or {@code requests.jsonl:3}
 * @param instances how many instances it holds (0 when it is not {@code {"instances": [...]}}), for the shape check
 * @param expected  the predictions it must produce, when the sample says so ({@code "expected": [...]})
 */
public record Payload(String name, byte[] body, int instances, Optional<JsonNode> expected) {}
