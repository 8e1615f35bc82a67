package io.jenkins.plugins.modeldeploy.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.model.Serving;
import io.jenkins.plugins.modeldeploy.model.SpecOverride;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The rollout's readiness limit follows the model's declared load time (issue #14: not a fixed 180 s). */
class ReadinessLimitTest {
    private static Deployment rendered(List<SpecOverride> overrides) throws Exception {
        ModelVersion version =
                ModelVersion.of(new ModelSpecLoader().load(Path.of("examples/iris-python"), overrides), "2", "t");
        return ManifestRenderer.render(
                        version,
                        new RenderOptions(
                                "models", "registry.local/iris@sha256:" + "a".repeat(64), 2, 10, List.of(), Map.of()))
                .stream()
                .filter(Deployment.class::isInstance)
                .map(Deployment.class::cast)
                .findFirst()
                .orElseThrow();
    }

    @Test
    void aRolloutWaitsForTheModelsLoadTimePlusTheSlack() {
        assertThat(KubernetesTarget.readinessLimit(Optional.empty(), Duration.ofMinutes(10)))
                .isEqualTo(Duration.ofMinutes(10).plus(KubernetesTarget.READINESS_SLACK));
        assertThat(KubernetesTarget.readinessLimit(Optional.empty(), Duration.ofSeconds(5)))
                .isEqualTo(Duration.ofSeconds(35));
        assertThat(KubernetesTarget.readinessLimit(Optional.of(Duration.ofSeconds(2)), Duration.ofMinutes(10)))
                .as("a fixed limit (tests) wins")
                .isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void aRestoreReadsTheLoadTimeBackFromTheStartupProbeItWasRenderedWith() throws Exception {
        assertThat(KubernetesTarget.loadTimeout(rendered(List.of(SpecOverride.parse("serving.loadTimeout=7m")))))
                .isEqualTo(Duration.ofMinutes(7));
        assertThat(KubernetesTarget.loadTimeout(rendered(List.of())))
                .as("the default load time")
                .isEqualTo(Serving.DEFAULT_LOAD_TIMEOUT);
        assertThat(KubernetesTarget.loadTimeout(new Deployment()))
                .as("a Deployment without a startup probe")
                .isEqualTo(Serving.DEFAULT_LOAD_TIMEOUT);
    }

    @Test
    void theProgressDeadlineLeavesRoomForALongLoad() throws Exception {
        assertThat(rendered(List.of()).getSpec().getProgressDeadlineSeconds())
                .as("the default load time keeps Kubernetes' usual 300 s")
                .isEqualTo(300);
        assertThat(rendered(List.of(SpecOverride.parse("serving.loadTimeout=10m")))
                        .getSpec()
                        .getProgressDeadlineSeconds())
                .as("10 min to load plus 2 min to schedule and pull, not 300 s, which would fail the rollout at 5 min")
                .isEqualTo(720);
    }

    @Test
    void aRestoreWaitsAtLeastForTheLiveProgressDeadline() throws Exception {
        Deployment longLoad = rendered(List.of(SpecOverride.parse("serving.loadTimeout=10m")));
        assertThat(KubernetesTarget.atLeastTheProgressDeadline(Duration.ofMinutes(5), longLoad))
                .isEqualTo(Duration.ofMinutes(13));
        assertThat(KubernetesTarget.atLeastTheProgressDeadline(Duration.ofMinutes(30), longLoad))
                .as("a longer timeout given stays")
                .isEqualTo(Duration.ofMinutes(30));
        assertThat(KubernetesTarget.atLeastTheProgressDeadline(Duration.ofMinutes(5), new Deployment()))
                .isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void aRolloutWaitsAtLeastForItsModelsProgressDeadline() {
        assertThat(KubernetesTarget.atLeast(Duration.ofMinutes(5), Duration.ofMinutes(12)))
                .isEqualTo(Duration.ofMinutes(13));
        assertThat(KubernetesTarget.atLeast(Duration.ofMinutes(20), Duration.ofMinutes(12)))
                .isEqualTo(Duration.ofMinutes(20));
    }
}
