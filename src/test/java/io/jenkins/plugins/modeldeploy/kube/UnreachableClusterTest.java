package io.jenkins.plugins.modeldeploy.kube;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.jenkins.plugins.modeldeploy.target.TargetException;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/**
 * A cluster whose API server does not answer is named with its address and the cause, not as {@code HTTP -1
 * Operation: [get] … failed.} (what `promote` printed with the cluster down).
 */
class UnreachableClusterTest {
    @Test
    void theReleaseStoreNamesTheApiServerAndWhyItDidNotAnswer() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort(); // closed again: nothing listens there
        }
        try (KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder()
                        .withMasterUrl("https://127.0.0.1:" + port)
                        .withRequestRetryBackoffLimit(0) // the CLI retries; one refused attempt is enough here
                        .withConnectionTimeout(5_000)
                        .withRequestTimeout(5_000)
                        .build())
                .build()) {
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
}
