package io.jenkins.plugins.modeldeploy.jenkins.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.SpecOverride;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The global default SLO, carried to the agent, where the model directory says whether it applies. */
public final class SloDefaults implements Serializable {
    private static final long serialVersionUID = 1L;

    private final double p99Ms;
    private final double maxErrorRate;

    public SloDefaults(double p99Ms, double maxErrorRate) {
        this.p99Ms = p99Ms;
        this.maxErrorRate = maxErrorRate;
    }

    /**
     * The defaults as overrides of the model's {@code slo} fields, when its model.yaml has no {@code slo} section (a
     * model that states its SLO keeps it; step options override both). A model.yaml that is a link is not read here
     * (the loader refuses it with its own message).
     */
    public List<SpecOverride> overrides(Path modelDir) {
        Path file = modelDir.resolve(ModelSpecLoader.FILE_NAME);
        if (Files.isSymbolicLink(file)) {
            return List.of();
        }
        try {
            JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
            if (root != null && root.has("slo")) {
                return List.of();
            }
        } catch (IOException e) {
            return List.of(); // the loader reports an unreadable model.yaml with its own, better message
        }
        return List.of(
                new SpecOverride("slo.p99Ms", Double.toString(p99Ms), "global default SLO p99Ms"),
                new SpecOverride("slo.maxErrorRate", Double.toString(maxErrorRate), "global default SLO maxErrorRate"));
    }
}
