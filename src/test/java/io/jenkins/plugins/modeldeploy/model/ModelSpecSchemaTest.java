package io.jenkins.plugins.modeldeploy.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** docs/model-spec.schema.json describes exactly the fields and defaults the loader implements. */
class ModelSpecSchemaTest {
    private final JsonNode schema = read();

    private static JsonNode read() {
        try {
            return new ObjectMapper()
                    .readTree(Path.of("docs/model-spec.schema.json").toFile());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void fieldsMatchTheLoader() {
        assertThat(names(schema.get("properties"))).isEqualTo(new TreeSet<>(ModelSpecLoader.FIELDS));
        assertThat(names(schema.at("/properties/slo/properties"))).isEqualTo(new TreeSet<>(ModelSpecLoader.SLO_FIELDS));
        assertThat(names(schema.at("/properties/serving/properties")))
                .isEqualTo(new TreeSet<>(ModelSpecLoader.SERVING_FIELDS));
        assertThat(names(schema.at("/properties/signature/properties")))
                .isEqualTo(new TreeSet<>(ModelSpecLoader.SIGNATURE_FIELDS));
        assertThat(names(schema.at("/properties/signature/properties/inputs/items/properties")))
                .isEqualTo(new TreeSet<>(ModelSpecLoader.INPUT_FIELDS));
        assertThat(names(schema.at("/properties/resources/properties")))
                .isEqualTo(new TreeSet<>(ModelSpecLoader.RESOURCES_FIELDS));
        assertThat(names(schema.at("/$defs/cpuMemory/properties")))
                .isEqualTo(new TreeSet<>(ModelSpecLoader.CPU_MEMORY_FIELDS));
        assertThat(names(schema.at("/properties/serving/properties/scaling/properties")))
                .isEqualTo(new TreeSet<>(ModelSpecLoader.SCALING_FIELDS));
        assertThat(names(schema.at("/properties/serving/properties/placement/properties")))
                .isEqualTo(new TreeSet<>(ModelSpecLoader.PLACEMENT_FIELDS));
        assertThat(names(schema.at("/properties/serving/properties/placement/properties/tolerations/items/properties")))
                .isEqualTo(new TreeSet<>(ModelSpecLoader.TOLERATION_FIELDS));
        assertThat(names(schema.at("/properties/env/additionalProperties/oneOf/1/properties")))
                .isEqualTo(new TreeSet<>(ModelSpecLoader.ENV_REFERENCE_FIELDS));
        assertThat(names(schema.at("/properties/env/additionalProperties/oneOf/1/properties/secretKeyRef/properties")))
                .isEqualTo(new TreeSet<>(ModelSpecLoader.SECRET_KEY_REF_FIELDS));
        assertThat(names(schema.at("/properties/environment/properties")))
                .isEqualTo(new TreeSet<>(ModelSpecLoader.ENVIRONMENT_FIELDS));
        assertThat(names(schema.at("/properties/environment/properties/r/properties")))
                .isEqualTo(new TreeSet<>(ModelSpecLoader.ENVIRONMENT_R_FIELDS));
        assertThat(schema.at("/properties/environment/properties/r/properties/repository/default")
                        .asText())
                .isEqualTo(EnvironmentSpec.RPackages.DEFAULT_REPOSITORY);
        assertThat(names(schema.at("/properties/abTest/properties")))
                .isEqualTo(new TreeSet<>(ModelSpecLoader.AB_TEST_FIELDS));
        assertThat(names(schema.at("/properties/abTest/properties/metrics/items/oneOf/1/properties")))
                .isEqualTo(new TreeSet<>(ModelSpecLoader.AB_TEST_METRIC_FIELDS));
        assertThat(schema.at("/properties/abTest/properties/metrics/items/oneOf/1/properties/name/pattern")
                        .asText())
                .isEqualTo("^" + ModelSpecLoader.METRIC_NAME.pattern() + "$");
        assertThat(schema.get("required"))
                .extracting(JsonNode::asText)
                .containsExactly("name", "runtime", "entrypoint");
    }

    @Test
    void defaultsMatchTheLoader() {
        assertThat(schema.at("/properties/slo/properties/rps/default").asDouble())
                .isEqualTo(Slo.DEFAULT.rps());
        assertThat(schema.at("/properties/slo/properties/p99Ms/default").asDouble())
                .isEqualTo(Slo.DEFAULT.p99Ms());
        assertThat(schema.at("/properties/slo/properties/maxErrorRate/default").asDouble())
                .isEqualTo(Slo.DEFAULT.maxErrorRate());
        assertThat(schema.at("/properties/serving/properties/maxBodyBytes/default")
                        .asLong())
                .isEqualTo(Serving.DEFAULT.maxBodyBytes());
        assertThat(schema.at("/properties/serving/properties/loadTimeout/default")
                        .asText())
                .isEqualTo(Serving.DEFAULT.loadTimeout().toSeconds() + "s");
        assertThat(schema.at("/properties/serving/properties/scaling/properties/targetCPU/default")
                        .asInt())
                .isEqualTo(Scaling.DEFAULT_TARGET_CPU_PERCENT);
        assertThat(schema.at("/properties/resources/properties/gpu/default").asInt())
                .isEqualTo(ResourceRequirements.DEFAULT.gpus());
        assertThat(schema.at("/properties/data/default"))
                .extracting(JsonNode::asText)
                .containsExactlyElementsOf(ModelSpecLoader.DEFAULT_DATA);
        assertThat(schema.at("/properties/samples/default"))
                .extracting(JsonNode::asText)
                .containsExactlyElementsOf(ModelSpecLoader.DEFAULT_SAMPLES);
        assertThat(schema.at("/properties/resources/properties/requests/default/memory")
                        .asText())
                .isEqualTo(ResourceRequirements.DEFAULT.memoryRequest());
        assertThat(schema.at("/properties/resources/properties/limits/default/memory")
                        .asText())
                .isEqualTo(ResourceRequirements.DEFAULT.memoryLimit());
    }

    private static Set<String> names(JsonNode properties) {
        Set<String> names = new TreeSet<>();
        properties.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
