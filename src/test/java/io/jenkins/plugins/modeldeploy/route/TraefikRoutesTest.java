package io.jenkins.plugins.modeldeploy.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.jenkins.plugins.modeldeploy.testing.StructuralSchema;
import io.jenkins.plugins.modeldeploy.testing.TraefikRuleMatcher;
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

    @Test
    void theVersionHeaderOnTheStablePathReachesThatVersionStrippedAsTheStablePath() {
        List<GenericKubernetesResource> objects = TraefikRoutes.render(
                "iris",
                "models",
                Optional.of("ml.example.com"),
                List.of("1", "2-retrained-with-all-data"),
                weights("1", 90, "2-retrained-with-all-data", 10));
        TraefikRuleMatcher traefik = new TraefikRuleMatcher(objects);
        String v2 = "2-retrained-with-all-data";
        // feedback for the version that answered
        assertThat(traefik.route("ml.example.com", "/models/iris/feedback", Map.of("X-Model-Version", v2)))
                .contains(new TraefikRuleMatcher.Hop("iris-" + v2, "Service", "/feedback"));
        assertThat(traefik.route("ml.example.com", "/models/iris/predict", Map.of("x-model-version", "1")))
                .contains(new TraefikRuleMatcher.Hop("iris-1", "Service", "/predict"));
        // without the header (or naming no routed version): the weighted split
        assertThat(traefik.route("ml.example.com", "/models/iris/predict", Map.of()))
                .contains(new TraefikRuleMatcher.Hop("iris", "TraefikService", "/predict"));
        assertThat(traefik.route("ml.example.com", "/models/iris/predict", Map.of("X-Model-Version", "3")))
                .contains(new TraefikRuleMatcher.Hop("iris", "TraefikService", "/predict"));
        assertThat(traefik.route("ml.example.com", "/models/iris", Map.of("X-Model-Version", "1")))
                .contains(new TraefikRuleMatcher.Hop("iris-1", "Service", "/"));
        // a version path wins over the header, even a long version's header rule (longer than the path's rule)
        assertThat(traefik.route("ml.example.com", "/models/iris/1/predict", Map.of("X-Model-Version", v2)))
                .contains(new TraefikRuleMatcher.Hop("iris-1", "Service", "/predict"));
        assertThat(traefik.route("ml.example.com", "/models/iris/" + v2 + "/predict", Map.of("X-Model-Version", "1")))
                .contains(new TraefikRuleMatcher.Hop("iris-" + v2, "Service", "/predict"));
        assertThat(traefik.route("other.example.com", "/models/iris/predict", Map.of("X-Model-Version", "1")))
                .isEmpty();
    }

    @Test
    void headerRoutesSitBetweenTheStableRouteAndTheVersionPaths() {
        GenericKubernetesResource route = TraefikRoutes.ingressRoute(
                "iris", "models", Optional.empty(), List.of("1"), RouteOptions.DEFAULTS, "iris");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> routes = (List<Map<String, Object>>)
                ((Map<String, Object>) route.getAdditionalProperties().get("spec")).get("routes");
        assertThat(routes)
                .extracting(r -> r.get("match"))
                .containsExactly(
                        "(Path(`/models/iris/1`) || PathPrefix(`/models/iris/1/`))",
                        "((Path(`/models/iris`) || PathPrefix(`/models/iris/`))) && Header(`X-Model-Version`, `1`)",
                        "(Path(`/models/iris`) || PathPrefix(`/models/iris/`))");
        int stable = routes.get(2).get("match").toString().length();
        assertThat(routes.get(1).get("priority")).isEqualTo(stable + 1);
        assertThat(routes.get(0).get("match").toString().length()).isGreaterThan(stable + 1);
        assertThat(routes.get(1).get("middlewares")).isEqualTo(List.of(Map.of("name", "iris-strip")));
    }

    @Test
    void stickyAndMirroringServicesMatchTraefiksCrdSchema() throws Exception {
        StructuralSchema schema = StructuralSchema.traefik("traefik.io_traefikservices.yaml");
        GenericKubernetesResource sticky = TraefikRoutes.weightedService(
                "iris", "models", weights("1", 90, "2", 10), weights("1", 90, "2", 10), true);
        assertThat(schema.violations(sticky)).isEmpty();
        assertThat(io.fabric8.kubernetes.client.utils.Serialization.asJson(sticky))
                .contains("\"sticky\":{\"cookie\":{\"name\":\"model-deploy-iris\",\"httpOnly\":true,"
                        + "\"sameSite\":\"lax\"}}");
        GenericKubernetesResource mirror = TraefikRoutes.mirrorService("iris", "models", "2", 25);
        assertThat(schema.violations(mirror)).isEmpty();
        assertThat(mirror.getMetadata().getName()).isEqualTo("iris-mirror");
        assertThat(io.fabric8.kubernetes.client.utils.Serialization.asJson(
                        mirror.getAdditionalProperties().get("spec")))
                .isEqualTo("{\"mirroring\":{\"name\":\"iris\",\"kind\":\"TraefikService\",\"mirrors\":"
                        + "[{\"name\":\"iris-2\",\"kind\":\"Service\",\"port\":80,\"percent\":25}]}}");
        assertThatThrownBy(() -> TraefikRoutes.mirrorService("iris", "models", "2", 101))
                .hasMessage("the mirrored percent of iris must be 0..100, was 101");
        GenericKubernetesResource route = TraefikRoutes.ingressRoute(
                "iris", "models", Optional.empty(), List.of("1", "2"), RouteOptions.DEFAULTS, "iris-mirror");
        assertThat(StructuralSchema.traefik("traefik.io_ingressroutes.yaml").violations(route))
                .isEmpty();
        assertThat(new TraefikRuleMatcher(List.of(route)).route("h", "/models/iris/predict", Map.of()))
                .contains(new TraefikRuleMatcher.Hop("iris-mirror", "TraefikService", "/models/iris/predict"));
    }
}
