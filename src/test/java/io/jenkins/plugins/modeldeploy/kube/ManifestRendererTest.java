package io.jenkins.plugins.modeldeploy.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManifestRendererTest {
    private static final String IMAGE = "registry.local/models/iris@sha256:" + "a".repeat(64);

    private static List<HasMetadata> render() throws Exception {
        ModelVersion version = ModelVersion.of(new ModelSpecLoader().load(Path.of("examples/iris-python")), "2", "t");
        return ManifestRenderer.render(
                version,
                new RenderOptions(
                        "models",
                        IMAGE,
                        2,
                        6,
                        List.of("pull-secret"),
                        Map.of("git-commit", "abc123", "build-url", "https://ci/job/iris/7/")));
    }

    @Test
    void everyObjectIsNamedAndLabelledForTheVersion() throws Exception {
        List<HasMetadata> objects = render();
        assertThat(objects)
                .extracting(HasMetadata::getKind)
                .containsExactly("Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget");
        for (HasMetadata object : objects) {
            assertThat(object.getMetadata().getName()).isEqualTo("iris-2");
            assertThat(object.getMetadata().getNamespace()).isEqualTo("models");
            assertThat(object.getMetadata().getLabels())
                    .containsExactlyInAnyOrderEntriesOf(Map.of(
                            "app.kubernetes.io/name",
                            "iris",
                            "app.kubernetes.io/version",
                            "2",
                            "app.kubernetes.io/managed-by",
                            "model-deploy",
                            "app.kubernetes.io/component",
                            "model-server"));
            assertThat(object.getMetadata().getAnnotations())
                    .containsEntry("model-deploy.jenkins.io/image", IMAGE)
                    .containsEntry("model-deploy.jenkins.io/git-commit", "abc123")
                    .containsEntry("model-deploy.jenkins.io/build-url", "https://ci/job/iris/7/");
        }
    }

    @Test
    void theDeploymentIsHardenedPinnedAndLeavesReplicasToTheAutoscaler() throws Exception {
        Deployment deployment = (Deployment) render().get(0);
        assertThat(deployment.getSpec().getReplicas()).as("owned by the HPA").isNull();
        assertThat(deployment
                        .getSpec()
                        .getStrategy()
                        .getRollingUpdate()
                        .getMaxUnavailable()
                        .getIntVal())
                .isZero();
        assertThat(deployment.getSpec().getProgressDeadlineSeconds()).isEqualTo(300);
        assertThat(deployment.getSpec().getSelector().getMatchLabels())
                .containsOnlyKeys("app.kubernetes.io/name", "app.kubernetes.io/version");
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getImagePullSecrets()).extracting(s -> s.getName()).containsExactly("pull-secret");
        var container = pod.getContainers().get(0);
        assertThat(container.getImage()).isEqualTo(IMAGE);
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/v2/health/ready");
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/v2/health/live");
        assertThat(container.getResources().getRequests()).containsOnlyKeys("cpu", "memory");
        assertThat(container.getResources().getLimits().get("memory").toString())
                .isEqualTo("512Mi");
        long preStop = container.getLifecycle().getPreStop().getSleep().getSeconds();
        assertThat(pod.getTerminationGracePeriodSeconds())
                .as("longer than the preStop drain plus the harness drain")
                .isGreaterThan(preStop + 10);
    }

    @Test
    void serviceAutoscalerAndBudgetTargetTheVersion() throws Exception {
        List<HasMetadata> objects = render();
        Service service = (Service) objects.get(1);
        assertThat(service.getSpec().getSelector())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("app.kubernetes.io/name", "iris", "app.kubernetes.io/version", "2"));
        assertThat(service.getSpec().getPorts().get(0).getTargetPort().getStrVal())
                .isEqualTo("http");
        HorizontalPodAutoscaler hpa = (HorizontalPodAutoscaler) objects.get(2);
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("iris-2");
        assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(2);
        assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(6);
        PodDisruptionBudget pdb = (PodDisruptionBudget) objects.get(3);
        assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    }
}
