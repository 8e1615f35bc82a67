package io.jenkins.plugins.modeldeploy.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.route.ObjectApplier.Action;
import io.jenkins.plugins.modeldeploy.testing.MockApiServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ResourceApplierTest {
    static final String IMAGE = "registry.local/models/iris@sha256:" + "a".repeat(64);
    static final String OTHER_IMAGE = "registry.local/models/iris@sha256:" + "b".repeat(64);

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

    static List<HasMetadata> objects(String image) throws Exception {
        ModelVersion version = ModelVersion.of(new ModelSpecLoader().load(Path.of("examples/iris-python")), "2", "t");
        return ManifestRenderer.render(
                version, new RenderOptions("models", image, 2, 6, List.of(), Map.of("git-commit", "abc123")));
    }

    private Deployment live() {
        return client.apps()
                .deployments()
                .inNamespace("models")
                .withName("iris-2")
                .get();
    }

    @Test
    void theFirstApplyCreatesAndTheSameApplyAgainWritesNothing() throws Exception {
        ResourceApplier applier = new ResourceApplier(client);
        assertThat(applier.apply(objects(IMAGE)))
                .extracting(ResourceApplier.Change::action)
                .containsExactly(Action.CREATED, Action.CREATED, Action.CREATED, Action.CREATED);
        String resourceVersion = live().getMetadata().getResourceVersion();
        Long generation = live().getMetadata().getGeneration();
        int writes = server.writes();

        assertThat(applier.apply(objects(IMAGE)))
                .extracting(ResourceApplier.Change::action)
                .containsExactly(Action.UNCHANGED, Action.UNCHANGED, Action.UNCHANGED, Action.UNCHANGED);

        assertThat(server.writes()).as("no POST/PUT/PATCH/DELETE on a re-apply").isEqualTo(writes);
        assertThat(live().getMetadata().getResourceVersion()).isEqualTo(resourceVersion);
        assertThat(live().getMetadata().getGeneration()).isEqualTo(generation);
    }

    @Test
    void anUpdateKeepsTheAutoscalersReplicasAndWhatOtherControllersSet() throws Exception {
        ResourceApplier applier = new ResourceApplier(client);
        applier.apply(objects(IMAGE));
        // The HPA scaled to 4; kubectl rollout restart and another controller added their fields.
        Deployment scaled = live();
        scaled.getSpec().setReplicas(4);
        scaled.getSpec().setMinReadySeconds(7);
        scaled.getMetadata().getAnnotations().put("example.com/owner", "team-ml");
        scaled.getMetadata().getLabels().put("example.com/cost-centre", "42");
        scaled.getSpec()
                .getTemplate()
                .getMetadata()
                .setAnnotations(Map.of("kubectl.kubernetes.io/restartedAt", "2026-11-25T22:00:00Z"));
        client.resource(scaled).update();

        List<ResourceApplier.Change> changes = applier.apply(objects(OTHER_IMAGE));

        assertThat(changes.get(0).action()).isEqualTo(Action.UPDATED);
        Deployment after = live();
        assertThat(after.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getImage())
                .isEqualTo(OTHER_IMAGE);
        assertThat(after.getMetadata().getAnnotations())
                .containsEntry("model-deploy.jenkins.io/image", OTHER_IMAGE)
                .containsEntry("example.com/owner", "team-ml");
        assertThat(after.getMetadata().getLabels())
                .containsEntry("example.com/cost-centre", "42")
                .containsEntry("app.kubernetes.io/managed-by", "model-deploy");
        assertThat(after.getSpec().getReplicas()).as("the HPA's value").isEqualTo(4);
        assertThat(after.getSpec().getMinReadySeconds()).isEqualTo(7);
        assertThat(after.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("kubectl.kubernetes.io/restartedAt", "2026-11-25T22:00:00Z");
    }

    @Test
    void theMockAnswersAStalePutWithConflictAsTheApiServerDoes() throws Exception {
        // The applier's optimistic concurrency relies on this; check that the mock really does it.
        new ResourceApplier(client).apply(objects(IMAGE));
        Deployment first = live();
        Deployment second = live();
        second.getMetadata().getAnnotations().put("example.com/writer", "second");
        client.resource(second).update();
        first.getMetadata().getAnnotations().put("example.com/writer", "first");
        assertThatThrownBy(() -> client.resource(first).update())
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getCode()).isEqualTo(409));
    }

    @Test
    void conflictsAreRetriedABoundedNumberOfTimesAndTheErrorNamesTheObject() throws Exception {
        ResourceApplier applier = new ResourceApplier(client);
        applier.apply(objects(IMAGE));
        server.conflictForNextPuts(2);
        assertThat(applier.apply(objects(OTHER_IMAGE)).get(0).action()).isEqualTo(Action.UPDATED);
        assertThat(live().getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getImage())
                .isEqualTo(OTHER_IMAGE);

        server.conflictForNextPuts(100);
        assertThatThrownBy(() -> applier.apply(objects(IMAGE)))
                .isInstanceOf(KubernetesApplyException.class)
                .hasMessageStartingWith("models/Deployment/iris-2: still conflicting after 6 attempts");
    }
}
