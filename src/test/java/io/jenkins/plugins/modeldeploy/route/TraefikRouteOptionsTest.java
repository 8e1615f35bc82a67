package io.jenkins.plugins.modeldeploy.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.modeldeploy.testing.MockApiServer;
import io.jenkins.plugins.modeldeploy.testing.StructuralSchema;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Entry points, TLS and middlewares (per cluster, per model), the notices of left-out versions. */
class TraefikRouteOptionsTest {
    private MockApiServer server;
    private KubernetesClient client;
    private final List<String> notices = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        server = new MockApiServer();
        client = server.client();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private TraefikRouter router(RouteOptions cluster, Map<String, RouteOptions> models) {
        return new TraefikRouter(
                client,
                "models",
                Optional.empty(),
                URI.create("http://t"),
                cluster,
                m -> Optional.ofNullable(models.get(m)),
                ObjectApplier.Mode.OWNED_FIELDS,
                notices::add);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> routeSpec(String model) {
        GenericKubernetesResource live = client.genericKubernetesResources(TraefikRoutes.context("IngressRoute"))
                .inNamespace("models")
                .withName(model)
                .get();
        return (Map<String, Object>) live.getAdditionalProperties().get("spec");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> routes(Map<String, Object> spec) {
        return (List<Map<String, Object>>) spec.get("routes");
    }

    static final RouteOptions CLUSTER = new RouteOptions(
            List.of("web", "websecure"),
            Optional.of(RouteOptions.Tls.resolver("letsencrypt")),
            List.of(new RouteOptions.MiddlewareRef("rate-limit", Optional.of("traefik"))));

    @Test
    void clusterOptionsGiveEntryPointsTlsAndMiddlewaresOnEveryRouteAndValidateAgainstTheCrd() throws Exception {
        router(CLUSTER, Map.of()).reconcile("iris", List.of("1"));

        Map<String, Object> spec = routeSpec("iris");
        assertThat(spec.get("entryPoints")).isEqualTo(List.of("web", "websecure"));
        assertThat(spec.get("tls")).isEqualTo(Map.of("certResolver", "letsencrypt"));
        assertThat(routes(spec))
                .allSatisfy(route -> assertThat(route.get("middlewares").toString())
                        .startsWith("[{name=rate-limit, namespace=traefik}, {name=iris-"));
        GenericKubernetesResource live = client.genericKubernetesResources(TraefikRoutes.context("IngressRoute"))
                .inNamespace("models")
                .withName("iris")
                .get();
        assertThat(StructuralSchema.traefik("traefik.io_ingressroutes.yaml").violations(live))
                .isEmpty();
    }

    @Test
    void aModelsOptionsOverrideTheClustersFieldByFieldAndStickWhenACommandDoesNotKnowThem() throws Exception {
        RouteOptions model = CLUSTER.overriddenBy(
                Optional.empty(),
                Optional.of(RouteOptions.Tls.secret("iris-cert")),
                Optional.of(List.of(new RouteOptions.MiddlewareRef("iris-auth", Optional.empty()))));
        router(CLUSTER, Map.of("iris", model)).reconcile("iris", List.of("1"));
        Map<String, Object> spec = routeSpec("iris");
        assertThat(spec.get("entryPoints")).isEqualTo(List.of("web", "websecure"));
        assertThat(spec.get("tls")).isEqualTo(Map.of("secretName", "iris-cert"));
        assertThat(routes(spec).get(0).get("middlewares").toString()).startsWith("[{name=iris-auth}, {name=iris-1");

        // retire / promote without model.yaml: the model's TLS and middlewares stay as they were last given.
        router(RouteOptions.DEFAULTS, Map.of()).reconcile("iris", List.of("1", "2"));
        spec = routeSpec("iris");
        assertThat(spec.get("tls")).isEqualTo(Map.of("secretName", "iris-cert"));
        assertThat(routes(spec))
                .allSatisfy(route ->
                        assertThat(route.get("middlewares").toString()).startsWith("[{name=iris-auth}, {name=iris-"));

        // A deploy that drops the model's TLS: ours goes, entry points back to the cluster's.
        router(RouteOptions.DEFAULTS, Map.of("iris", RouteOptions.DEFAULTS)).reconcile("iris", List.of("1", "2"));
        spec = routeSpec("iris");
        assertThat(spec).doesNotContainKey("tls");
        assertThat(spec.get("entryPoints")).isEqualTo(List.of("web"));
        assertThat(routes(spec))
                .allSatisfy(
                        route -> assertThat(route.get("middlewares").toString()).doesNotContain("iris-auth"));
    }

    @Test
    void tlsWithoutEntryPointsListensOnWebsecure() {
        assertThat(new RouteOptions(List.of(), Optional.of(RouteOptions.Tls.secret("c")), List.of())
                        .effectiveEntryPoints())
                .containsExactly("websecure");
        assertThat(RouteOptions.DEFAULTS.effectiveEntryPoints()).containsExactly("web");
    }

    @Test
    void badOptionsAreRefusedNamingTheField() {
        assertThatThrownBy(() ->
                        new RouteOptions(List.of("web", "bad name"), Optional.empty(), List.of()).validated("route"))
                .hasMessageStartingWith("route.entryPoints[1]: not an entry point name: 'bad name'");
        assertThatThrownBy(() -> new RouteOptions(
                                List.of(),
                                Optional.of(new RouteOptions.Tls(Optional.of("a"), Optional.of("b"))),
                                List.of())
                        .validated("route"))
                .hasMessageStartingWith("route.tls: give exactly one of secretName and certResolver");
        assertThatThrownBy(() -> new RouteOptions(
                                List.of(), Optional.empty(), List.of(RouteOptions.MiddlewareRef.parse("Traefik/Auth")))
                        .validated("route"))
                .hasMessageStartingWith("route.middlewares[0].name: not a Kubernetes object name: 'Auth'");
    }

    @Test
    void aVersionLeftOutIsReportedWithItsShare() throws Exception {
        TraefikRouter router = router(RouteOptions.DEFAULTS, Map.of());
        router.reconcile("iris", List.of("1", "2"));
        client.discovery()
                .v1()
                .endpointSlices()
                .inNamespace("models")
                .resource(new io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder()
                        .withNewMetadata()
                        .withName("iris-2-x")
                        .addToLabels("kubernetes.io/service-name", "iris-2")
                        .endMetadata()
                        .withAddressType("IPv4")
                        .build())
                .create();
        router.setWeights("iris", Map.of("1", 90, "2", 10));
        assertThat(notices)
                .singleElement()
                .asString()
                .contains("version 2 of iris has no ready endpoint", "its 10% goes to {1=100}");
        assertThat(router.currentWeights("iris")).containsExactly(Map.entry("1", 100));
    }
}
