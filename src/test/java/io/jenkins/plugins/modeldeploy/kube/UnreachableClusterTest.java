package io.jenkins.plugins.modeldeploy.kube;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.jenkins.plugins.modeldeploy.route.IngressRouter;
import io.jenkins.plugins.modeldeploy.route.RoutingException;
import io.jenkins.plugins.modeldeploy.route.TraefikRouter;
import io.jenkins.plugins.modeldeploy.target.TargetException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A cluster whose API server does not answer is named with its address and the cause, not as {@code HTTP -1
 * Operation: [get] … failed.} (what `promote` printed with the cluster down).
 */
class UnreachableClusterTest {
    @Test
    void theReleaseStoreNamesTheApiServerAndWhyItDidNotAnswer() throws Exception {
        int port = deadPort();
        try (KubernetesClient client = unreachable(port)) {
            AnnotationReleaseStore store = new AnnotationReleaseStore(client, "models");
            assertThatThrownBy(() -> store.load("iris"))
                    .isInstanceOf(TargetException.class)
                    .hasMessageStartingWith(
                            "models/ConfigMap/iris-release: the Kubernetes API server https://127.0.0.1:" + port
                                    + "/ did not answer (")
                    .hasMessageContaining("Connection refused")
                    .hasMessageNotContaining("HTTP -1");
        }
    }

    @Test
    void theRoutersNameTheApiServerAndWhyItDidNotAnswer() throws Exception {
        int port = deadPort();
        try (KubernetesClient client = unreachable(port)) {
            String server = "the Kubernetes API server https://127.0.0.1:" + port + "/ did not answer (";
            TraefikRouter traefik =
                    new TraefikRouter(client, "models", Optional.empty(), URI.create("http://127.0.0.1:1/"));
            assertThatThrownBy(() -> traefik.reconcile("iris", List.of("1")))
                    .isInstanceOf(RoutingException.class)
                    .hasMessageContaining(server)
                    .hasMessageNotContaining("HTTP -1");
            IngressRouter ingress = new IngressRouter(
                    client, "models", Optional.empty(), Optional.empty(), URI.create("http://127.0.0.1:1/"));
            assertThatThrownBy(() -> ingress.reconcile("iris", List.of("1")))
                    .isInstanceOf(RoutingException.class)
                    .hasMessageContaining(server)
                    .hasMessageNotContaining("HTTP -1");
        }
    }

    private static int deadPort() throws java.io.IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort(); // closed again: nothing listens there
        }
    }

    private static KubernetesClient unreachable(int port) {
        return new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder()
                        .withMasterUrl("https://127.0.0.1:" + port)
                        .withRequestRetryBackoffLimit(0) // the CLI retries; one refused attempt is enough here
                        .withConnectionTimeout(5_000)
                        .withRequestTimeout(5_000)
                        .build())
                .build();
    }
}
