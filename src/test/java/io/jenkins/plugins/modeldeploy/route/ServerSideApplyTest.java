package io.jenkins.plugins.modeldeploy.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The server-side apply mode, checked at the wire: fabric8's mock API server answers 415 to apply patches
 * (its PatchHandler takes JSON and merge patches only), so a small HTTP stub plays the API server here, keeping what
 * was applied and recording every request (method, path with query, Content-Type).
 */
class ServerSideApplyTest {
    record Request(String method, String path, String contentType, String body) {}

    private HttpServer stub;
    private KubernetesClient client;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, String> objects = new ConcurrentHashMap<>();
    private volatile int answerPatchesWith = 200;

    @BeforeEach
    void start() throws IOException {
        stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        stub.createContext("/", this::handle);
        stub.start();
        client = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder()
                        .withMasterUrl("http://127.0.0.1:" + stub.getAddress().getPort())
                        .withNamespace("models")
                        .withRequestRetryBackoffLimit(0)
                        .build())
                .build();
    }

    @AfterEach
    void stop() {
        client.close();
        stub.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String path = exchange.getRequestURI().getPath();
            String query = exchange.getRequestURI().getRawQuery();
            requests.add(new Request(
                    exchange.getRequestMethod(),
                    path + (query == null ? "" : "?" + query),
                    exchange.getRequestHeaders().getFirst("Content-Type"),
                    body));
            switch (exchange.getRequestMethod()) {
                case "PATCH" -> {
                    if (answerPatchesWith != 200) {
                        reply(
                                exchange,
                                answerPatchesWith,
                                "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":"
                                        + "\"Failure\",\"reason\":\"Conflict\",\"code\":409,\"message\":\"Apply failed with"
                                        + " 1 conflict: conflict with \\\"kubectl-edit\\\" using traefik.io/v1alpha1:"
                                        + " .spec.routes\"}");
                        return;
                    }
                    objects.put(path, body); // JSON is YAML: what fabric8 sends as apply-patch+yaml
                    reply(exchange, 200, body);
                }
                case "GET" -> {
                    String object = objects.get(path);
                    if (object != null) {
                        reply(exchange, 200, object);
                    } else if (path.endsWith("s") && !path.contains("/endpoints/")) {
                        reply(exchange, 200, "{\"kind\":\"List\",\"apiVersion\":\"v1\",\"metadata\":{},\"items\":[]}");
                    } else {
                        reply(
                                exchange,
                                404,
                                "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                                        + "\"reason\":\"NotFound\",\"code\":404}");
                    }
                }
                default -> reply(exchange, 405, "{}");
            }
        }
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private TraefikRouter router() {
        return new TraefikRouter(
                client,
                "models",
                Optional.empty(),
                URI.create("http://t"),
                RouteOptions.DEFAULTS,
                m -> Optional.empty(),
                ObjectApplier.Mode.SERVER_SIDE_APPLY,
                message -> {});
    }

    private List<Request> patches() {
        return requests.stream().filter(r -> r.method().equals("PATCH")).toList();
    }

    @Test
    void everyTraefikObjectIsOneApplyPatchWithOurFieldManagerAndOnlyTheWeightsAreForced() throws Exception {
        router().reconcile("iris", List.of("1", "2"));

        assertThat(requests)
                .noneMatch(r -> r.method().equals("PUT") || r.method().equals("POST"));
        assertThat(patches())
                .hasSize(5) // three stripPrefix Middlewares, the TraefikService, the IngressRoute
                .allSatisfy(p -> {
                    assertThat(p.contentType()).startsWith("application/apply-patch+yaml");
                    assertThat(p.path()).contains("fieldManager=model-deploy");
                });
        assertThat(patches())
                .extracting(Request::path)
                .anyMatch(p -> p.startsWith("/apis/traefik.io/v1alpha1/namespaces/models/traefikservices/iris?")
                        && p.contains("force=true"))
                .anyMatch(p -> p.startsWith("/apis/traefik.io/v1alpha1/namespaces/models/ingressroutes/iris?")
                        && !p.contains("force=true"))
                .filteredOn(p -> p.contains("/middlewares/"))
                .allMatch(p -> !p.contains("force=true"));
        // What is sent is only what we own: no resourceVersion, no status.
        assertThat(patches()).allSatisfy(p -> assertThat(p.body()).doesNotContain("resourceVersion", "\"status\""));

        requests.clear();
        router().setWeights("iris", Map.of("1", 90, "2", 10));
        assertThat(patches()).singleElement().satisfies(p -> {
            assertThat(p.path())
                    .startsWith("/apis/traefik.io/v1alpha1/namespaces/models/traefikservices/iris?")
                    .contains("fieldManager=model-deploy", "force=true");
            assertThat(p.body()).contains("\"weight\":90", "\"weight\":10");
        });
    }

    @Test
    void aConflictNamesTheOtherManagerAndTheField() {
        answerPatchesWith = 409;
        assertThatThrownBy(() -> router().reconcile("iris", List.of("1")))
                .isInstanceOf(RoutingException.class)
                .hasMessageContaining("server-side apply: HTTP 409")
                .hasMessageContaining("kubectl-edit")
                .hasMessageContaining("another field manager set these fields");
    }
}
