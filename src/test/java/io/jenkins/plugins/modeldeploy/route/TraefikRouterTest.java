package io.jenkins.plugins.modeldeploy.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.modeldeploy.testing.MockApiServer;
import io.jenkins.plugins.modeldeploy.testing.StructuralSchema;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TraefikRouterTest {
    private MockApiServer server;
    private KubernetesClient client;
    private TraefikRouter router;

    @BeforeEach
    void start() {
        server = new MockApiServer();
        client = server.client();
        router =
                new TraefikRouter(client, "models", Optional.of("ml.example.com"), URI.create("http://ml.example.com"));
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private List<GenericKubernetesResource> live(String kind) {
        return client.genericKubernetesResources(TraefikRoutes.context(kind))
                .inNamespace("models")
                .list()
                .getItems();
    }

    @Test
    void reconcileCreatesSchemaValidObjectsAndSendsANewModelToItsFirstVersion() throws Exception {
        router.reconcile("iris", List.of("1"));

        Map<String, StructuralSchema> schemas = Map.of(
                "Middleware", StructuralSchema.traefik("traefik.io_middlewares.yaml"),
                "TraefikService", StructuralSchema.traefik("traefik.io_traefikservices.yaml"),
                "IngressRoute", StructuralSchema.traefik("traefik.io_ingressroutes.yaml"));
        for (String kind : schemas.keySet()) {
            assertThat(live(kind))
                    .isNotEmpty()
                    .allSatisfy(object -> assertThat(schemas.get(kind).violations(object))
                            .as(kind)
                            .isEmpty());
        }
        assertThat(live("Middleware"))
                .extracting(m -> m.getMetadata().getName())
                .containsExactlyInAnyOrder("iris-strip", "iris-1-strip");
        assertThat(router.currentWeights("iris")).containsExactly(Map.entry("1", 100));
        assertThat(router.stableEndpoint("iris")).isEqualTo(URI.create("http://ml.example.com/models/iris"));
    }

    @Test
    void reconcilingAgainWritesNothingAndKeepsTheCurrentSplit() throws Exception {
        router.reconcile("iris", List.of("1", "2"));
        router.setWeights("iris", Map.of("1", 90, "2", 10));
        int writes = server.writes();

        router.reconcile("iris", List.of("1", "2"));

        assertThat(server.writes()).isEqualTo(writes);
        assertThat(router.currentWeights("iris")).containsOnly(Map.entry("1", 90), Map.entry("2", 10));
    }

    @Test
    void setWeightsIsOneWriteOfTheTraefikService() throws Exception {
        router.reconcile("iris", List.of("1", "2"));
        int writes = server.writes();

        router.setWeights("iris", Map.of("1", 50, "2", 50));

        assertThat(server.writes() - writes).isEqualTo(1);
        assertThat(server.paths().get(server.paths().size() - 1))
                .startsWith("PUT")
                .contains("/apis/traefik.io/v1alpha1/namespaces/models/traefikservices/iris");
        assertThat(router.currentWeights("iris")).containsOnly(Map.entry("1", 50), Map.entry("2", 50));
    }

    @Test
    void aVersionWithTrafficCannotLoseItsRouteAndStaleMiddlewaresGo() throws Exception {
        router.reconcile("iris", List.of("1", "2"));
        router.setWeights("iris", Map.of("1", 90, "2", 10));
        assertThatThrownBy(() -> router.reconcile("iris", List.of("1")))
                .isInstanceOf(RoutingException.class)
                .hasMessageContaining("version 2 of iris still carries 10%");

        router.setWeights("iris", Map.of("1", 100));
        router.reconcile("iris", List.of("1"));
        assertThat(live("Middleware"))
                .extracting(m -> m.getMetadata().getName())
                .containsExactlyInAnyOrder("iris-strip", "iris-1-strip");
    }

    static Stream<Arguments> badSplits() {
        Map<String, Integer> nullWeight = new LinkedHashMap<>();
        nullWeight.put("1", null);
        return Stream.of(
                Arguments.of(Map.of("1", 90, "2", 20), "must sum to 100"),
                Arguments.of(Map.of("1", 110, "2", -10), "must be between 0 and 100"),
                Arguments.of(Map.of(), "must sum to 100"),
                Arguments.of(nullWeight, "must be between 0 and 100"));
    }

    @ParameterizedTest
    @MethodSource("badSplits")
    void badSplitsAreRefusedBeforeAnyWrite(Map<String, Integer> weights, String message) throws Exception {
        router.reconcile("iris", List.of("1", "2"));
        int writes = server.writes();
        assertThatThrownBy(() -> router.setWeights("iris", weights))
                .isInstanceOf(RoutingException.class)
                .hasMessageContaining(message);
        assertThat(server.writes()).isEqualTo(writes);
    }

    @Test
    void setWeightsBeforeReconcileSaysSo() {
        assertThatThrownBy(() -> router.setWeights("iris", Map.of("1", 100)))
                .isInstanceOf(RoutingException.class)
                .hasMessage("models/TraefikService/iris does not exist; reconcile the routes of iris first");
    }
}
