package io.jenkins.plugins.modeldeploy.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.route.TraefikRouter;
import io.jenkins.plugins.modeldeploy.target.ReleaseJsonTest;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import io.jenkins.plugins.modeldeploy.target.Stage;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import io.jenkins.plugins.modeldeploy.testing.MockApiServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

public class ModelCatalogTest {
    static final String IMAGE_1 = "registry.local/models/iris@sha256:" + "1".repeat(64);
    static final String IMAGE_2 = "registry.local/models/iris@sha256:" + "2".repeat(64);

    private MockApiServer server;
    private KubernetesClient client;

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

    /** Two iris versions (1 in production at 90 %, 2 challenger at 10 %) and a release state, as a run leaves them. */
    public static void deployIris(KubernetesClient client) throws Exception {
        ResourceApplier applier = new ResourceApplier(client);
        var spec = new ModelSpecLoader().load(Path.of("examples/iris-python"));
        for (String version : List.of("1", "2")) {
            applier.apply(ManifestRenderer.render(
                    ModelVersion.of(spec, version, "t"),
                    RenderOptions.of("models", version.equals("1") ? IMAGE_1 : IMAGE_2)));
            Deployment live = client.apps()
                    .deployments()
                    .inNamespace("models")
                    .withName("iris-" + version)
                    .get();
            live.getSpec().setReplicas(2);
            live.setStatus(new DeploymentStatusBuilder()
                    .withReplicas(2)
                    .withReadyReplicas(version.equals("1") ? 2 : 1)
                    .build());
            client.resource(live).update();
        }
        AnnotationReleaseStore store = new AnnotationReleaseStore(client, "models");
        store.setStage(new VersionRef("iris", "1"), Stage.PRODUCTION);
        store.setStage(new VersionRef("iris", "2"), Stage.CHALLENGER);
        store.save(
                Optional.empty(),
                ReleaseState.empty("iris", Instant.now())
                        .withProduction(Optional.of("1"), Instant.now())
                        .inPhase(ReleaseState.Phase.EXPERIMENT, ReleaseJsonTest.run("2"), Instant.now())
                        .withWeights(Map.of("1", 90, "2", 10), Instant.now()));
        TraefikRouter router = new TraefikRouter(client, "models", Optional.empty(), URI.create("http://t"));
        router.reconcile("iris", List.of("1", "2"));
        router.setWeights("iris", Map.of("1", 90, "2", 10));
    }

    @Test
    void answersFromItsCacheWithoutFurtherRequests() throws Exception {
        deployIris(client);
        try (ModelCatalog catalog = ModelCatalog.start(client, "models", true, Duration.ofSeconds(10))) {
            int requests = server.requests();

            assertThat(catalog.models()).containsExactly("iris");
            assertThat(catalog.versions("iris"))
                    .extracting(
                            v -> v.version(),
                            v -> v.stage(),
                            v -> v.image(),
                            v -> v.readyReplicas(),
                            v -> v.desiredReplicas(),
                            v -> v.weight())
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(
                                    "1", Optional.of(Stage.PRODUCTION), Optional.of(IMAGE_1), 2, 2, 90),
                            org.assertj.core.groups.Tuple.tuple(
                                    "2", Optional.of(Stage.CHALLENGER), Optional.of(IMAGE_2), 1, 2, 10));
            assertThat(catalog.versions("iris").get(0).annotations()).containsEntry("stage", "production");
            assertThat(catalog.versions("iris").get(1).digest()).contains("sha256:" + "2".repeat(64));
            assertThat(catalog.weights("iris")).containsOnly(Map.entry("1", 90), Map.entry("2", 10));
            assertThat(catalog.release("iris"))
                    .hasValueSatisfying(r -> assertThat(r.challenger()).contains("2"));

            assertThat(server.requests()).as("no API request per query").isEqualTo(requests);
        }
    }

    @Test
    void followsChangesThroughItsWatches() throws Exception {
        deployIris(client);
        try (ModelCatalog catalog = ModelCatalog.start(client, "models", true, Duration.ofSeconds(10))) {
            new AnnotationReleaseStore(client, "models").setStage(new VersionRef("iris", "2"), Stage.PRODUCTION);
            new TraefikRouter(client, "models", Optional.empty(), URI.create("http://t"))
                    .setWeights("iris", Map.of("2", 100));

            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!(catalog.weights("iris").equals(Map.of("2", 100))
                    && catalog.versions("iris").get(1).stage().equals(Optional.of(Stage.PRODUCTION)))) {
                assertThat(System.nanoTime()).as("watch events within 5 s").isLessThan(deadline);
                Thread.sleep(20);
            }
        }
    }

    @Test
    void anEmptyNamespaceHasNoModels() throws Exception {
        try (ModelCatalog catalog = ModelCatalog.start(client, "models", false, Duration.ofSeconds(10))) {
            assertThat(catalog.models()).isEmpty();
            assertThat(catalog.versions("iris")).isEmpty();
            assertThat(catalog.weights("iris")).isEmpty();
        }
    }
}
