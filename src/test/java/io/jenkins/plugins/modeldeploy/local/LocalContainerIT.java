package io.jenkins.plugins.modeldeploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.modeldeploy.container.Podman;
import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.image.BaseImage;
import io.jenkins.plugins.modeldeploy.image.BuiltImage;
import io.jenkins.plugins.modeldeploy.image.ImagePlan;
import io.jenkins.plugins.modeldeploy.image.ImageTarget;
import io.jenkins.plugins.modeldeploy.image.JibImageBuilder;
import io.jenkins.plugins.modeldeploy.model.ModelRuntime;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.target.DeployedVersion;
import io.jenkins.plugins.modeldeploy.target.RolloutRequest;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import io.jenkins.plugins.modeldeploy.testing.BaseImageCache;
import io.jenkins.plugins.modeldeploy.testing.RawHttp;
import io.jenkins.plugins.modeldeploy.testing.TestModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local target's container runtime: the iris image run by podman behind the gateway. */
class LocalContainerIT {
    @TempDir
    Path dir;

    @Test
    void runsTheVersionsImageBehindTheGatewayAndStopsIt() throws Exception {
        Path base = BaseImageCache.tar(ModelRuntime.PYTHON);
        Path model = TestModels.trainedExample(ExampleModels.IRIS_PYTHON, dir);
        ModelVersion version = ModelVersion.of(new ModelSpecLoader().load(model), "3", "test");
        Path tar = dir.resolve("iris-3.tar");
        BuiltImage image = new JibImageBuilder(dir.resolve("work"), line -> {})
                .build(new ImagePlan(
                        version, new BaseImage.Tar(base), "localhost/models/iris", new ImageTarget.Tar(tar)));
        List<DeploymentEvent> events = new CopyOnWriteArrayList<>();
        Podman podman = Podman.projectLocal();
        try (LocalGateway gateway = LocalGateway.start(0);
                LocalTarget target = LocalTarget.withContainers(gateway, podman, dir.resolve("state"), events::add)) {
            VersionRef ref = new VersionRef("iris", "3");
            target.injectErrors(ref, 1.0);
            DeployedVersion deployed = target.rollout(new RolloutRequest(
                    version, Optional.of(image.pinned()), Map.of(), Duration.ofMinutes(2), Optional.of(tar)));
            gateway.reconcile("iris", List.of("3"));
            gateway.setWeights("iris", Map.of("3", 100));
            try (RawHttp http = new RawHttp(gateway.baseUri())) {
                RawHttp.Response response =
                        http.postJson("/models/iris/3/predict", "{\"instances\": [[5.1, 3.5, 1.4, 0.2]]}");
                // every prediction fails on purpose: proves the container got the environment the target gave it
                assertThat(response.status()).as(response.text()).isEqualTo(503);
                assertThat(response.header("x-model-deploy-injected-fault")).isEqualTo("1");
                assertThat(response.header("x-model-version")).isEqualTo("3");
                assertThat(http.get("/models/iris/3/v2/health/ready").status()).isEqualTo(200);
            }
            assertThat(gateway.injectedFaults()).isEqualTo(1);
            assertThat(gateway.failedRequests()).isZero();
            String containerId = events.stream()
                    .map(DeploymentEvent::message)
                    .filter(m -> m.contains("container "))
                    .filter(m -> m.contains("ready at"))
                    .findFirst()
                    .orElseThrow();
            assertThat(containerId).contains(target.directUrl(ref).orElseThrow().toString());
            // the engine reaches the version through the gateway, as clients do
            assertThat(deployed.endpoint()).isEqualTo(gateway.versionEndpoint(ref));
        }
        assertThat(podman.run(30, "ps", "--filter", "name=model-deploy-iris-3", "--format", "{{.ID}}"))
                .isEmpty();
    }
}
