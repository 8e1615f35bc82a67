package io.jenkins.plugins.modeldeploy.harness;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.model.Serving;
import io.jenkins.plugins.modeldeploy.model.Signature;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The JSON the harness reads at start ({@code --config}): the model to load and how to serve it. The harness has no
 * YAML parser (standard library only), so the engine hands it the validated spec in this form.
 */
public final class HarnessConfig {
    /** Environment variable that gives the harness its version when the configuration file does not. */
    public static final String VERSION_ENV = "MODEL_DEPLOY_VERSION";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private HarnessConfig() {}

    /**
     * @param modelDir where the model files are when the harness runs (the model directory locally, the image's
     *                 model path in a container)
     */
    public static byte[] render(ModelVersion version, String modelDir) {
        return render(version, modelDir, true);
    }

    /**
     * @param withVersion false for images: the version then comes from {@link #VERSION_ENV} in the image config, so
     *                    the layer holding this file does not change from one version to the next
     */
    public static byte[] render(ModelVersion version, String modelDir, boolean withVersion) {
        var spec = version.spec();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("name", spec.name());
        if (withVersion) {
            config.put("version", version.version());
        }
        config.put("runtime", spec.runtime().id());
        config.put("entrypoint", spec.entrypoint());
        config.put("modelDir", modelDir);
        config.put("maxBodyBytes", spec.serving().maxBodyBytes());
        // Read by the harness's supervisor: a prediction running longer gets 504 and its worker is recycled.
        config.put("predictTimeoutSeconds", spec.serving().timeout().toSeconds());
        config.put(
                "workers",
                spec.serving().workers() == Serving.AUTO_WORKERS
                        ? "auto"
                        : spec.serving().workers());
        spec.signature().ifPresent(signature -> config.put("signature", signature(signature)));
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(config);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("harness configuration of plain values cannot fail to serialise", e);
        }
    }

    private static Map<String, Object> signature(Signature signature) {
        List<Map<String, String>> inputs = signature.inputs().stream()
                .map(i -> Map.of("name", i.name(), "type", i.type().name().toLowerCase(Locale.ROOT)))
                .toList();
        return Map.of("format", signature.format().name().toLowerCase(Locale.ROOT), "inputs", inputs);
    }
}
