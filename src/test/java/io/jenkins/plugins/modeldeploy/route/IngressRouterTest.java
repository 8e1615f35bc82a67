package io.jenkins.plugins.modeldeploy.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.modeldeploy.testing.MockApiServer;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IngressRouterTest {
    private MockApiServer server;
    private KubernetesClient client;
    private IngressRouter router;

    @BeforeEach
    void start() {
        server = new MockApiServer();
        client = server.client();
        router = new IngressRouter(
                client,
                "models",
                Optional.empty(),
                Optional.of("nginx"),
                URI.create("http://ingress-nginx-controller.ingress-nginx.svc.cluster.local"));
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private Map<String, String> paths() {
        Ingress ingress = client.network()
                .v1()
                .ingresses()
                .inNamespace("models")
                .withName("iris")
                .get();
        assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("nginx");
        return ingress.getSpec().getRules().get(0).getHttp().getPaths().stream()
                .collect(java.util.stream.Collectors.toMap(
                        HTTPIngressPath::getPath,
                        p -> p.getBackend().getService().getName() + ":"
                                + p.getBackend().getService().getPort().getNumber()));
    }

    @Test
    void perVersionPathsAndAStablePathToOneVersion() throws Exception {
        router.reconcile("iris", List.of("1", "2"));

        assertThat(paths())
                .containsOnly(
                        Map.entry("/models/iris/1", "iris-1:80"),
                        Map.entry("/models/iris/2", "iris-2:80"),
                        Map.entry("/models/iris", "iris-1:80"));
        assertThat(router.currentWeights("iris")).containsExactly(Map.entry("1", 100));

        router.setWeights("iris", Map.of("2", 100, "1", 0));
        assertThat(paths()).containsEntry("/models/iris", "iris-2:80");
        assertThat(router.currentWeights("iris")).containsExactly(Map.entry("2", 100));
        assertThat(router.stableEndpoint("iris").toString())
                .isEqualTo("http://ingress-nginx-controller.ingress-nginx.svc.cluster.local/models/iris");
    }

    @Test
    void aWeightedSplitIsRefusedWithTheReason() throws Exception {
        router.reconcile("iris", List.of("1", "2"));
        int writes = server.writes();
        assertThatThrownBy(() -> router.setWeights("iris", Map.of("1", 90, "2", 10)))
                .isInstanceOf(RoutingException.class)
                .hasMessageStartingWith("weighted splits need Traefik CRD mode (route mode TRAEFIK)");
        assertThat(server.writes()).isEqualTo(writes);
    }

    @Test
    void reconcilingAgainWritesNothing() throws Exception {
        router.reconcile("iris", List.of("1", "2"));
        int writes = server.writes();
        router.reconcile("iris", List.of("1", "2"));
        assertThat(server.writes()).isEqualTo(writes);
    }

    @Test
    void theStableVersionCannotLoseItsRoute() throws Exception {
        router.reconcile("iris", List.of("1", "2"));
        assertThatThrownBy(() -> router.reconcile("iris", List.of("2")))
                .isInstanceOf(RoutingException.class)
                .hasMessageContaining("version 1 of iris serves the stable path of models/Ingress/iris");
    }

    @Test
    void plainIngressCannotMirrorOrKeepClientsOnAVariant() throws Exception {
        router.reconcile("iris", java.util.List.of("1", "2"));
        assertThatThrownBy(() -> router.setMirror("iris", "2", 10))
                .isInstanceOf(RoutingException.class)
                .hasMessageContaining("IngressRouter cannot mirror traffic");
        assertThatThrownBy(() -> router.setSticky("iris", java.util.Optional.of("X-User-Id")))
                .isInstanceOf(RoutingException.class)
                .hasMessage("IngressRouter cannot keep a client on one variant of iris");
        router.setSticky("iris", java.util.Optional.empty());
        router.clearMirror("iris");
    }
}
