package io.jenkins.plugins.modeldeploy.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.route.ObjectApplier.Action;
import io.jenkins.plugins.modeldeploy.testing.MockApiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model's serving settings survive an apply: a fixed count is kept, an autoscaled one left to the HPA. */
class ServingSettingsApplyTest {
    private static final String IMAGE = "registry.local/models/m@sha256:" + "a".repeat(64);

    @TempDir
    Path dir;

    private MockApiServer server;
    private KubernetesClient client;

    @BeforeEach
    void start() throws Exception {
        server = new MockApiServer();
        client = server.client();
        Files.writeString(dir.resolve("model.py"), "def predict(rows): return rows\n");
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private List<HasMetadata> objects(String settings) throws Exception {
        Files.writeString(
                dir.resolve("model.yaml"), "name: m\nruntime: python\nentrypoint: model:predict\n" + settings);
        ModelVersion version = ModelVersion.of(new ModelSpecLoader().load(dir), "1", "t");
        return ManifestRenderer.render(version, new RenderOptions("models", IMAGE, 2, 10, List.of(), Map.of()));
    }

    private Deployment live() {
        return client.apps().deployments().inNamespace("models").withName("m-1").get();
    }

    @Test
    void aChangedFixedCountIsWrittenAndAnAutoscaledCountIsLeftAlone() throws Exception {
        ResourceApplier applier = new ResourceApplier(client);
        applier.apply(objects("serving:\n  scaling: {replicas: 2}\n"));
        assertThat(live().getSpec().getReplicas()).isEqualTo(2);
        assertThat(applier.apply(objects("serving:\n  scaling: {replicas: 2}\n")))
                .extracting(ResourceApplier.Change::action)
                .containsOnly(Action.UNCHANGED);

        assertThat(applier.apply(objects("serving:\n  scaling: {replicas: 3}\n")))
                .first()
                .extracting(ResourceApplier.Change::action)
                .isEqualTo(Action.UPDATED);
        assertThat(live().getSpec().getReplicas())
                .as("a new fixed count reaches the cluster")
                .isEqualTo(3);

        client.apps().deployments().inNamespace("models").withName("m-1").scale(5); // as an HPA would
        applier.apply(objects("serving:\n  scaling: {min: 2, max: 6}\n"));
        assertThat(live().getSpec().getReplicas()).as("the HPA's").isEqualTo(5);
    }

    @Test
    void canonicalQuantitiesAndTheBudgetPolicyReapplyWithoutAWrite() throws Exception {
        String settings = "resources:\n  requests: {cpu: 0.5, memory: 0.5Gi}\n  limits: {cpu: 1000m, memory: 1024Mi}\n";
        ResourceApplier applier = new ResourceApplier(client);
        applier.apply(objects(settings));
        assertThat(applier.apply(objects(settings)))
                .extracting(ResourceApplier.Change::action)
                .containsOnly(Action.UNCHANGED);
        PodDisruptionBudget pdb = client.policy()
                .v1()
                .podDisruptionBudget()
                .inNamespace("models")
                .withName("m-1")
                .get();
        assertThat(pdb.getSpec().getUnhealthyPodEvictionPolicy()).isEqualTo("AlwaysAllow");
    }
}
