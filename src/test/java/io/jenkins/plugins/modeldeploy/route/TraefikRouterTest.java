package io.jenkins.plugins.modeldeploy.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.modeldeploy.testing.MockApiServer;
import io.jenkins.plugins.modeldeploy.testing.StructuralSchema;
import io.jenkins.plugins.modeldeploy.testing.TraefikRuleMatcher;
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

    private GenericKubernetesResource one(String kind, String name) {
        return client.genericKubernetesResources(TraefikRoutes.context(kind))
                .inNamespace("models")
                .withName(name)
                .get();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(GenericKubernetesResource object) {
        return (Map<String, Object>) object.getAdditionalProperties().get("spec");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object value) {
        return (List<Map<String, Object>>) value;
    }

    /** An operator's edit of a live object, as {@code kubectl edit} makes it: a GET, a change, a PUT. */
    private void edit(String kind, String name, java.util.function.Consumer<Map<String, Object>> change) {
        GenericKubernetesResource live = one(kind, name);
        change.accept(spec(live));
        client.genericKubernetesResources(TraefikRoutes.context(kind))
                .inNamespace("models")
                .resource(live)
                .update();
    }

    @SuppressWarnings("unchecked")
    private void operatorEdits() {
        edit("IngressRoute", "iris", spec -> {
            spec.put("tls", new LinkedHashMap<>(Map.of("secretName", "ops-cert", "options", Map.of("name", "modern"))));
            List<Object> entryPoints = new java.util.ArrayList<>((List<Object>) spec.get("entryPoints"));
            entryPoints.add("websecure");
            spec.put("entryPoints", entryPoints);
            List<Map<String, Object>> routes = new java.util.ArrayList<>(list(spec.get("routes")));
            for (int i = 0; i < routes.size(); i++) {
                Map<String, Object> route = new LinkedHashMap<>(routes.get(i));
                if (((String) route.get("match")).contains("PathPrefix(`/models/iris/`)")) {
                    List<Object> middlewares = new java.util.ArrayList<>(list(route.get("middlewares")));
                    middlewares.add(0, Map.of("name", "ops-auth"));
                    route.put("middlewares", middlewares);
                    route.put("priority", 500);
                    routes.set(i, route);
                }
            }
            routes.add(Map.of(
                    "kind", "Rule",
                    "match", "Host(`ml.example.com`) && PathPrefix(`/ops`)",
                    "services", List.of(Map.of("name", "ops", "port", 80))));
            spec.put("routes", routes);
        });
        edit("TraefikService", "iris", spec -> {
            Map<String, Object> weighted = (Map<String, Object>) spec.get("weighted");
            weighted.put("sticky", Map.of("cookie", Map.of("name", "iris-variant")));
            List<Map<String, Object>> children = new java.util.ArrayList<>();
            for (Map<String, Object> child : list(weighted.get("services"))) {
                Map<String, Object> copy = new LinkedHashMap<>(child);
                copy.put("passHostHeader", false);
                children.add(copy);
            }
            weighted.put("services", children);
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void operatorAddedTlsEntryPointsMiddlewaresAndRoutesSurviveReconcileAndSetWeights() throws Exception {
        router.reconcile("iris", List.of("1", "2"));
        router.setWeights("iris", Map.of("1", 90, "2", 10));
        operatorEdits();

        router.reconcile("iris", List.of("1", "2", "3"));
        router.setWeights("iris", Map.of("1", 80, "2", 10, "3", 10));

        Map<String, Object> route = spec(one("IngressRoute", "iris"));
        assertThat(route.get("tls")).isEqualTo(Map.of("secretName", "ops-cert", "options", Map.of("name", "modern")));
        assertThat((List<Object>) route.get("entryPoints")).containsExactly("web", "websecure");
        List<Map<String, Object>> routes = list(route.get("routes"));
        assertThat(routes)
                .extracting(r -> r.get("match"))
                .containsExactlyInAnyOrder(
                        "Host(`ml.example.com`) && (Path(`/models/iris/1`) || PathPrefix(`/models/iris/1/`))",
                        "Host(`ml.example.com`) && (Path(`/models/iris/2`) || PathPrefix(`/models/iris/2/`))",
                        "Host(`ml.example.com`) && (Path(`/models/iris/3`) || PathPrefix(`/models/iris/3/`))",
                        "Host(`ml.example.com`) && (Path(`/models/iris`) || PathPrefix(`/models/iris/`))",
                        "(Host(`ml.example.com`) && (Path(`/models/iris`) || PathPrefix(`/models/iris/`)))"
                                + " && Header(`X-Model-Version`, `1`)",
                        "(Host(`ml.example.com`) && (Path(`/models/iris`) || PathPrefix(`/models/iris/`)))"
                                + " && Header(`X-Model-Version`, `2`)",
                        "(Host(`ml.example.com`) && (Path(`/models/iris`) || PathPrefix(`/models/iris/`)))"
                                + " && Header(`X-Model-Version`, `3`)",
                        "Host(`ml.example.com`) && PathPrefix(`/ops`)");
        Map<String, Object> stable = routes.stream()
                .filter(r -> r.get("match").toString().contains("PathPrefix(`/models/iris/`)")
                        && !r.get("match").toString().contains("Header("))
                .findFirst()
                .orElseThrow();
        assertThat(stable.get("middlewares"))
                .isEqualTo(List.of(Map.of("name", "ops-auth"), Map.of("name", "iris-strip")));
        assertThat(stable.get("priority")).isEqualTo(500);
        assertThat(stable.get("services")).isEqualTo(List.of(Map.of("name", "iris", "kind", "TraefikService")));

        Map<String, Object> weighted =
                (Map<String, Object>) spec(one("TraefikService", "iris")).get("weighted");
        assertThat(weighted.get("sticky")).isEqualTo(Map.of("cookie", Map.of("name", "iris-variant")));
        assertThat(list(weighted.get("services")))
                .extracting(c -> c.get("name"), c -> c.get("weight"), c -> c.get("passHostHeader"))
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("iris-1", 80, false),
                        org.assertj.core.groups.Tuple.tuple("iris-2", 10, false),
                        org.assertj.core.groups.Tuple.tuple("iris-3", 10, null));
        assertThat(router.currentWeights("iris"))
                .containsOnly(Map.entry("1", 80), Map.entry("2", 10), Map.entry("3", 10));
        assertLiveObjectsMatchTheSchemas();

        // Re-running writes nothing: the operator's additions are not a difference.
        int writes = server.writes();
        router.reconcile("iris", List.of("1", "2", "3"));
        assertThat(server.writes()).isEqualTo(writes);

        // Removing a version removes its route only, not the operator's.
        router.setWeights("iris", Map.of("1", 90, "2", 10));
        router.reconcile("iris", List.of("1", "2"));
        assertThat(list(spec(one("IngressRoute", "iris")).get("routes")))
                .extracting(r -> r.get("match").toString())
                .noneMatch(m -> m.contains("/models/iris/3"))
                .contains("Host(`ml.example.com`) && PathPrefix(`/ops`)");
    }

    private void assertLiveObjectsMatchTheSchemas() throws Exception {
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
    }

    @Test
    void aVersionAtWeightZeroIsNotAChildOfTheWeightedService() throws Exception {
        router.reconcile("iris", List.of("1", "2"));
        router.setWeights("iris", Map.of("1", 100, "2", 0));

        assertThat(list(((Map<?, ?>) spec(one("TraefikService", "iris")).get("weighted")).get("services")))
                .extracting(c -> c.get("name"))
                .containsExactly("iris-1");
        assertThat(router.currentWeights("iris")).containsExactly(Map.entry("1", 100));
    }

    private void endpointSlice(String service, Boolean ready) {
        client.discovery()
                .v1()
                .endpointSlices()
                .inNamespace("models")
                .resource(new io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder()
                        .withNewMetadata()
                        .withName(service + "-abcde")
                        .addToLabels("kubernetes.io/service-name", service)
                        .endMetadata()
                        .withAddressType("IPv4")
                        .addNewEndpoint()
                        .withAddresses("10.0.0.1")
                        .withNewConditions()
                        .withReady(ready)
                        .endConditions()
                        .endEndpoint()
                        .build())
                .createOr(existing -> existing.update());
    }

    @Test
    void aVersionWithoutReadyEndpointsIsLeftOutAndComesBackWhenReady() throws Exception {
        router.reconcile("iris", List.of("1", "2", "3"));
        endpointSlice("iris-1", true);
        endpointSlice("iris-2", false);
        // iris-3 has core/v1 Endpoints only (a cluster read without EndpointSlices): an empty subset list
        client.endpoints()
                .inNamespace("models")
                .resource(new io.fabric8.kubernetes.api.model.EndpointsBuilder()
                        .withNewMetadata()
                        .withName("iris-3")
                        .endMetadata()
                        .build())
                .create();

        router.setWeights("iris", Map.of("1", 80, "2", 10, "3", 10));

        assertThat(router.currentWeights("iris")).containsExactly(Map.entry("1", 100));

        endpointSlice("iris-2", true);
        router.reconcile("iris", List.of("1", "2", "3"));
        assertThat(router.currentWeights("iris")).containsExactly(Map.entry("1", 89), Map.entry("2", 11));
    }

    /** Traefik with its default allowEmptyServices=false, an A/B test whose challenger lost its pods. */
    @Test
    void aChallengerWithoutEndpointsDoesNotTakeTheStableRouteDown() throws Exception {
        router.reconcile("iris", List.of("1", "2"));
        endpointSlice("iris-1", true);
        endpointSlice("iris-2", false);
        try (io.jenkins.plugins.modeldeploy.testing.TraefikStandIn traefik =
                new io.jenkins.plugins.modeldeploy.testing.TraefikStandIn(client, "models").allowEmptyServices(false)) {
            router.setWeights("iris", Map.of("1", 90, "2", 10));
            traefik.awaitRefresh(java.time.Duration.ofSeconds(10));

            var http = java.net.http.HttpClient.newHttpClient();
            for (int i = 0; i < 20; i++) {
                var response = http.send(
                        java.net.http.HttpRequest.newBuilder(URI.create(traefik.url() + "/models/iris/predict"))
                                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}"))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode())
                        .as("request %d on the stable path", i)
                        .isEqualTo(200);
            }
        }
    }

    @Test
    void theStandInDropsTheWholeTraefikServiceWhenAChildHasNoEndpoint() throws Exception {
        // The rule itself, with a TraefikService written by hand: without it the test above would prove nothing.
        router.reconcile("iris", List.of("1", "2"));
        endpointSlice("iris-1", true);
        endpointSlice("iris-2", false);
        edit(
                "TraefikService",
                "iris",
                spec -> spec.put(
                        "weighted",
                        Map.of(
                                "services",
                                List.of(
                                        Map.of("name", "iris-1", "kind", "Service", "port", 80, "weight", 90),
                                        Map.of("name", "iris-2", "kind", "Service", "port", 80, "weight", 10)))));
        try (io.jenkins.plugins.modeldeploy.testing.TraefikStandIn traefik =
                new io.jenkins.plugins.modeldeploy.testing.TraefikStandIn(client, "models").allowEmptyServices(false)) {
            traefik.awaitRefresh(java.time.Duration.ofSeconds(10));
            var response = java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(URI.create(traefik.url() + "/models/iris/predict"))
                                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}"))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(404);
        }
    }

    @Test
    void stickyCookieLastsThroughWeightChangesAndReconcilesUntilCleared() throws Exception {
        router.reconcile("iris", List.of("1", "2"));
        router.setSticky("iris", Optional.of("X-User-Id"));
        router.setWeights("iris", Map.of("1", 90, "2", 10));
        router.reconcile("iris", List.of("1", "2"));

        Map<?, ?> weighted = (Map<?, ?>) spec(one("TraefikService", "iris")).get("weighted");
        assertThat(weighted.get("sticky"))
                .isEqualTo(Map.of("cookie", Map.of("name", "model-deploy-iris", "httpOnly", true, "sameSite", "lax")));
        assertThat(list(weighted.get("services")))
                .extracting(c -> c.get("name"))
                .containsExactly("iris-1", "iris-2");
        assertThat(router.currentWeights("iris")).containsEntry("1", 90).containsEntry("2", 10);
        assertLiveObjectsMatchTheSchemas();

        router.setSticky("iris", Optional.empty());
        weighted = (Map<?, ?>) spec(one("TraefikService", "iris")).get("weighted");
        assertThat(weighted.containsKey("sticky")).isFalse();
        assertThat(router.currentWeights("iris")).containsEntry("1", 90).containsEntry("2", 10);
    }

    @Test
    void anOperatorsStickyCookieIsNotOursToRemove() throws Exception {
        router.reconcile("iris", List.of("1"));
        edit(
                "TraefikService",
                "iris",
                spec -> ((Map<String, Object>) spec.get("weighted"))
                        .put("sticky", Map.of("cookie", Map.of("name", "ops"))));
        router.setSticky("iris", Optional.empty());
        router.setWeights("iris", Map.of("1", 100));
        assertThat(((Map<?, ?>) spec(one("TraefikService", "iris")).get("weighted")).get("sticky"))
                .isEqualTo(Map.of("cookie", Map.of("name", "ops")));
    }

    @Test
    void aShadowTestMirrorsTheStableRouteUntilCleared() throws Exception {
        router.reconcile("iris", List.of("1", "2"));
        router.setMirror("iris", "2", 30);

        GenericKubernetesResource mirror = one("TraefikService", "iris-mirror");
        assertThat(spec(mirror))
                .isEqualTo(Map.of(
                        "mirroring",
                        Map.of(
                                "name", "iris",
                                "kind", "TraefikService",
                                "mirrors",
                                        List.of(Map.of(
                                                "name", "iris-2", "kind", "Service", "port", 80, "percent", 30)))));
        assertLiveObjectsMatchTheSchemas();
        TraefikRuleMatcher traefik = traefik();
        assertThat(traefik.route("ml.example.com", "/models/iris/predict", Map.of()))
                .contains(new TraefikRuleMatcher.Hop("iris-mirror", "TraefikService", "/predict"));
        // forced and version requests are not mirrored
        assertThat(traefik.route("ml.example.com", "/models/iris/feedback", Map.of("X-Model-Version", "1")))
                .contains(new TraefikRuleMatcher.Hop("iris-1", "Service", "/feedback"));
        // the split still lives on the weighted service, and a reconcile keeps the mirror
        router.setWeights("iris", Map.of("1", 100));
        router.reconcile("iris", List.of("1", "2"));
        assertThat(traefik().route("ml.example.com", "/models/iris/predict", Map.of()))
                .contains(new TraefikRuleMatcher.Hop("iris-mirror", "TraefikService", "/predict"));
        assertThat(router.currentWeights("iris")).containsExactly(Map.entry("1", 100));

        router.clearMirror("iris");
        assertThat(live("TraefikService"))
                .extracting(s -> s.getMetadata().getName())
                .containsExactly("iris");
        assertThat(traefik().route("ml.example.com", "/models/iris/predict", Map.of()))
                .contains(new TraefikRuleMatcher.Hop("iris", "TraefikService", "/predict"));
        router.clearMirror("iris"); // nothing to do
    }

    @Test
    void aMirrorNeedsARoutedShadowAndGoesWithItsVersion() throws Exception {
        router.reconcile("iris", List.of("1", "2"));
        assertThatThrownBy(() -> router.setMirror("iris", "3", 10))
                .isInstanceOf(RoutingException.class)
                .hasMessage("version 3 of iris has no route in models/IngressRoute/iris (routed: [1, 2]); reconcile"
                        + " its routes before mirroring");
        router.reconcile("iris-mirror", List.of("1"));
        assertThatThrownBy(() -> router.setMirror("iris", "2", 10))
                .isInstanceOf(RoutingException.class)
                .hasMessage("models/TraefikService/iris-mirror exists and is not the mirror of iris (label"
                        + " app.kubernetes.io/name=iris-mirror); cannot mirror iris");
        // the other model's weighted service is not iris's mirror: reconcile and clearMirror leave it alone
        router.reconcile("iris", List.of("1", "2"));
        router.clearMirror("iris");
        assertThat(live("TraefikService"))
                .extracting(s -> s.getMetadata().getName())
                .containsExactlyInAnyOrder("iris", "iris-mirror");
        router.remove("iris-mirror");
        router.setMirror("iris", "2", 100);
        router.reconcile("iris", List.of("1"));
        assertThat(live("TraefikService"))
                .extracting(s -> s.getMetadata().getName())
                .containsExactly("iris");
        assertThat(traefik().route("ml.example.com", "/models/iris/predict", Map.of()))
                .contains(new TraefikRuleMatcher.Hop("iris", "TraefikService", "/predict"));
        router.setMirror("iris", "1", 5);
        router.remove("iris");
        assertThat(live("TraefikService")).isEmpty();
    }

    /** Feedback through the stable route reaches the version that answered: Traefik routes on X-Model-Version. */
    @Test
    void feedbackOnTheStableRouteReachesTheVersionNamedInItsHeader() throws Exception {
        TraefikRouter plain = new TraefikRouter(client, "models", Optional.empty(), URI.create("http://traefik"));
        plain.reconcile("iris", List.of("1", "2"));
        plain.setWeights("iris", Map.of("1", 100));
        endpointSlice("iris-1", true);
        endpointSlice("iris-2", true);
        try (io.jenkins.plugins.modeldeploy.testing.TraefikStandIn traefik =
                new io.jenkins.plugins.modeldeploy.testing.TraefikStandIn(client, "models")) {
            traefik.awaitRefresh(java.time.Duration.ofSeconds(10));
            var http = java.net.http.HttpClient.newHttpClient();
            java.util.function.BiFunction<String, String, String> send = (path, version) -> {
                var request = java.net.http.HttpRequest.newBuilder(URI.create(traefik.url() + path))
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"id\":\"r1\",\"label\":1}"));
                if (version != null) {
                    request.header("X-Model-Version", version);
                }
                try {
                    var response = http.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                    assertThat(response.statusCode()).isEqualTo(200);
                    return response.headers().firstValue("X-Model-Version").orElseThrow();
                } catch (java.io.IOException | InterruptedException e) {
                    throw new AssertionError(e);
                }
            };
            for (int i = 0; i < 20; i++) {
                assertThat(send.apply("/models/iris/feedback", "2")).isEqualTo("2");
                assertThat(send.apply("/models/iris/predict", null)).isEqualTo("1");
                assertThat(send.apply("/models/iris/feedback", "9"))
                        .as("no such version: by weight")
                        .isEqualTo("1");
                assertThat(send.apply("/models/iris/1/predict", "2"))
                        .as("a version path wins")
                        .isEqualTo("1");
            }
            // while a shadow test mirrors the stable route, forced requests still reach their version
            plain.setMirror("iris", "2", 50);
            traefik.awaitRefresh(java.time.Duration.ofSeconds(10));
            assertThat(send.apply("/models/iris/feedback", "2")).isEqualTo("2");
        }
    }

    /** A shadow test through the stand-in: clients get production's answers, the shadow gets its share of copies. */
    @Test
    void aMirroredStableRouteSendsTheShadowItsShareAndClientsProductionsAnswers() throws Exception {
        TraefikRouter plain = new TraefikRouter(client, "models", Optional.empty(), URI.create("http://traefik"));
        plain.reconcile("iris", List.of("1", "2"));
        endpointSlice("iris-1", true);
        endpointSlice("iris-2", true);
        try (io.jenkins.plugins.modeldeploy.testing.TraefikStandIn traefik =
                new io.jenkins.plugins.modeldeploy.testing.TraefikStandIn(client, "models")) {
            plain.setMirror("iris", "2", 25);
            traefik.awaitRefresh(java.time.Duration.ofSeconds(10));
            var http = java.net.http.HttpClient.newHttpClient();
            for (int i = 0; i < 40; i++) {
                var response = http.send(
                        java.net.http.HttpRequest.newBuilder(URI.create(traefik.url() + "/models/iris/predict"))
                                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}"))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(response.headers().firstValue("X-Model-Version")).contains("1");
            }
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
            while (served(traefik, "iris-2") < 10 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(served(traefik, "iris-1")).isEqualTo(40);
            assertThat(served(traefik, "iris-2")).as("25 % of 40 mirrored").isEqualTo(10);

            plain.clearMirror("iris");
            traefik.awaitRefresh(java.time.Duration.ofSeconds(10));
            for (int i = 0; i < 8; i++) {
                http.send(
                        java.net.http.HttpRequest.newBuilder(URI.create(traefik.url() + "/models/iris/predict"))
                                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}"))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
            }
            Thread.sleep(200);
            assertThat(served(traefik, "iris-2")).isEqualTo(10);
        }
    }

    /** Kubernetes keeps a client on its variant by Traefik's sticky cookie: 1,000 requests of a client, one variant. */
    @Test
    void aClientKeepingTheStickyCookieStaysOnOneVariant() throws Exception {
        TraefikRouter plain = new TraefikRouter(client, "models", Optional.empty(), URI.create("http://traefik"));
        plain.reconcile("iris", List.of("1", "2"));
        endpointSlice("iris-1", true);
        endpointSlice("iris-2", true);
        plain.setWeights("iris", Map.of("1", 50, "2", 50));
        plain.setSticky("iris", Optional.of("X-User-Id"));
        try (io.jenkins.plugins.modeldeploy.testing.TraefikStandIn traefik =
                new io.jenkins.plugins.modeldeploy.testing.TraefikStandIn(client, "models")) {
            traefik.awaitRefresh(java.time.Duration.ofSeconds(10));
            java.util.Set<String> firstVersions = new java.util.HashSet<>();
            for (int user = 0; user < 10; user++) {
                var http = java.net.http.HttpClient.newBuilder()
                        .version(java.net.http.HttpClient.Version.HTTP_1_1)
                        .cookieHandler(new java.net.CookieManager())
                        .build();
                java.util.Set<String> seen = new java.util.HashSet<>();
                for (int i = 0; i < (user == 0 ? 1000 : 10); i++) {
                    seen.add(http.send(
                                    java.net.http.HttpRequest.newBuilder(
                                                    URI.create(traefik.url() + "/models/iris/predict"))
                                            .GET()
                                            .build(),
                                    java.net.http.HttpResponse.BodyHandlers.ofString())
                            .headers()
                            .firstValue("X-Model-Version")
                            .orElseThrow());
                }
                assertThat(seen).as("user %d", user).hasSize(1);
                firstVersions.addAll(seen);
            }
            // without the cookie: drawn by weight every time
            var cookieless = java.net.http.HttpClient.newBuilder()
                    .version(java.net.http.HttpClient.Version.HTTP_1_1)
                    .build();
            java.util.Set<String> drawn = new java.util.HashSet<>();
            for (int i = 0; i < 60; i++) {
                drawn.add(cookieless
                        .send(
                                java.net.http.HttpRequest.newBuilder(URI.create(traefik.url() + "/models/iris/predict"))
                                        .GET()
                                        .build(),
                                java.net.http.HttpResponse.BodyHandlers.ofString())
                        .headers()
                        .firstValue("X-Model-Version")
                        .orElseThrow());
            }
            assertThat(drawn).containsExactlyInAnyOrder("1", "2");
        }
    }

    /** Requests the stand-in counted for a version's Service, from its Traefik-shaped /metrics. */
    private static long served(io.jenkins.plugins.modeldeploy.testing.TraefikStandIn traefik, String service)
            throws Exception {
        String text = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(URI.create(traefik.url() + "/metrics"))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString())
                .body();
        long total = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("traefik_service_requests_total{")
                    && line.contains("service=\"models-" + service + "-80@kubernetescrd\"")) {
                total += Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    @Test
    void aShadowWithoutReadyEndpointsIsNotMirroredTo() throws Exception {
        List<String> notices = new java.util.concurrent.CopyOnWriteArrayList<>();
        TraefikRouter watched = new TraefikRouter(
                client,
                "models",
                Optional.of("ml.example.com"),
                URI.create("http://ml.example.com"),
                RouteOptions.DEFAULTS,
                m -> Optional.empty(),
                ObjectApplier.Mode.OWNED_FIELDS,
                notices::add);
        watched.reconcile("iris", List.of("1", "2"));
        endpointSlice("iris-1", true);
        endpointSlice("iris-2", false);
        assertThatThrownBy(() -> watched.setMirror("iris", "2", 10))
                .isInstanceOf(RoutingException.class)
                .hasMessage("version 2 of iris has no ready endpoint (Service models/iris-2); mirroring to it could"
                        + " take the stable route down");
        assertThat(live("TraefikService"))
                .extracting(s -> s.getMetadata().getName())
                .containsExactly("iris");

        endpointSlice("iris-2", true);
        watched.setMirror("iris", "2", 10);
        endpointSlice("iris-2", false);
        watched.reconcile("iris", List.of("1", "2"));
        assertThat(live("TraefikService"))
                .extracting(s -> s.getMetadata().getName())
                .containsExactly("iris");
        assertThat(traefik().route("ml.example.com", "/models/iris/predict", Map.of()))
                .contains(new TraefikRuleMatcher.Hop("iris", "TraefikService", "/predict"));
        assertThat(notices).anyMatch(n -> n.startsWith("shadow version 2 of iris has no ready endpoint"));
    }

    /** Traefik's routing of the live IngressRoutes and Middlewares. */
    private TraefikRuleMatcher traefik() {
        List<GenericKubernetesResource> objects = new java.util.ArrayList<>(live("IngressRoute"));
        objects.addAll(live("Middleware"));
        return new TraefikRuleMatcher(objects);
    }
}
