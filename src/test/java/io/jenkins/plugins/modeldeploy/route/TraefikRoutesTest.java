package io.jenkins.plugins.modeldeploy.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.jenkins.plugins.modeldeploy.testing.StructuralSchema;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TraefikRoutesTest {
    private static Map<String, Integer> weights(Object... pairs) {
        Map<String, Integer> weights = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            weights.put((String) pairs[i], (Integer) pairs[i + 1]);
        }
        return weights;
    }

    @Test
    void everyObjectMatchesTraefiksCrdSchema() throws Exception {
        List<GenericKubernetesResource> objects = TraefikRoutes.render(
                "iris", "models", Optional.of("ml.example.com"), List.of("1", "2"), weights("1", 90, "2", 10));
        assertThat(objects)
                .extracting(GenericKubernetesResource::getKind)
                .containsExactly("Middleware", "Middleware", "Middleware", "TraefikService", "IngressRoute");
        Map<String, StructuralSchema> schemas = Map.of(
                "Middleware", StructuralSchema.traefik("traefik.io_middlewares.yaml"),
                "TraefikService", StructuralSchema.traefik("traefik.io_traefikservices.yaml"),
                "IngressRoute", StructuralSchema.traefik("traefik.io_ingressroutes.yaml"));
        for (GenericKubernetesResource object : objects) {
            assertThat(object.getApiVersion()).isEqualTo("traefik.io/v1alpha1");
            assertThat(schemas.get(object.getKind()).violations(object))
                    .as(object.getKind() + " " + object.getMetadata().getName())
                    .isEmpty();
        }
    }

    @Test
    void theSchemaCheckCatchesAMistake() throws Exception {
        GenericKubernetesResource service = TraefikRoutes.weightedService("iris", "models", weights("1", 100));
        @SuppressWarnings("unchecked")
        Map<String, Object> spec =
                (Map<String, Object>) service.getAdditionalProperties().get("spec");
        service.getAdditionalProperties()
                .put(
                        "spec",
                        Map.of(
                                "weighted",
                                Map.of("services", List.of(Map.of("name", "iris-1", "weight", -1, "colour", "red"))),
                                "unknown",
                                true));
        assertThat(spec).isNotNull();
        assertThat(StructuralSchema.traefik("traefik.io_traefikservices.yaml").violations(service))
                .contains(
                        ".spec.unknown: is not a field of the schema",
                        ".spec.weighted.services[0].weight: must be >= 0",
                        ".spec.weighted.services[0].colour: is not a field of the schema");
    }

    @Test
    void versionPathsGoToOneVersionAndTheStablePathIsWeighted() {
        List<GenericKubernetesResource> objects =
                TraefikRoutes.render("iris", "models", Optional.empty(), List.of("1", "2"), weights("1", 90, "2", 10));
        GenericKubernetesResource route = objects.get(4);
        String json = io.fabric8.kubernetes.client.utils.Serialization.asJson(route);
        assertThat(json)
                .contains(
                        "\"match\":\"(Path(`/models/iris/1`) || PathPrefix(`/models/iris/1/`))\"",
                        "\"match\":\"(Path(`/models/iris`) || PathPrefix(`/models/iris/`))\"",
                        "{\"name\":\"iris\",\"kind\":\"TraefikService\"}");
        String weighted = io.fabric8.kubernetes.client.utils.Serialization.asJson(objects.get(3));
        assertThat(weighted)
                .contains(
                        "{\"name\":\"iris-1\",\"kind\":\"Service\",\"port\":80,\"weight\":90}",
                        "{\"name\":\"iris-2\",\"kind\":\"Service\",\"port\":80,\"weight\":10}");
        assertThat(TraefikRoutes.rule(Optional.of("h"), "/models/iris"))
                .isEqualTo("Host(`h`) && (Path(`/models/iris`) || PathPrefix(`/models/iris/`))");
    }

    @Test
    void rejectsImpossibleWeights() {
        assertThatThrownBy(() -> TraefikRoutes.render("iris", "m", Optional.empty(), List.of("1"), weights("1", 0)))
                .hasMessage("the stable route of iris needs at least one version with weight > 0, was {1=0}");
        assertThatThrownBy(() -> TraefikRoutes.render("iris", "m", Optional.empty(), List.of("1"), weights("3", 100)))
                .hasMessage("weight for version 3 of iris, which is not deployed (deployed: [1])");
    }
}
