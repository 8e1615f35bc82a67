package io.jenkins.plugins.modeldeploy.kube;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.jenkins.plugins.modeldeploy.image.ImageLayout;
import io.jenkins.plugins.modeldeploy.model.ModelSpec;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.model.ResourceRequirements;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders the Kubernetes objects of one model version ({@code name-version}): Deployment, Service, HPA and
 * PodDisruptionBudget, labelled for the catalog and annotated with the version's metadata.
 */
public final class ManifestRenderer {
    private ManifestRenderer() {}

    public static List<HasMetadata> render(ModelVersion version, RenderOptions options) {
        return List.of(
                deployment(version, options),
                service(version, options),
                autoscaler(version, options),
                disruptionBudget(version, options));
    }

    static ObjectMeta metadata(ModelVersion version, RenderOptions options) {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(ModelLabels.ANNOTATION_PREFIX + "image", options.image());
        options.annotations().forEach((key, value) -> annotations.put(ModelLabels.ANNOTATION_PREFIX + key, value));
        return new ObjectMetaBuilder()
                .withName(version.id())
                .withNamespace(options.namespace())
                .withLabels(ModelLabels.of(version.name(), version.version()))
                .withAnnotations(annotations)
                .build();
    }

    /**
     * No {@code replicas}: the HPA owns it (a fixed value here would fight the HPA on every apply); the API server
     * starts a new Deployment with one replica and the HPA raises it to its minimum.
     */
    static Deployment deployment(ModelVersion version, RenderOptions options) {
        Map<String, String> selector = ModelLabels.selector(version.name(), version.version());
        return new DeploymentBuilder()
                .withMetadata(metadata(version, options))
                .withNewSpec()
                .withNewSelector()
                .withMatchLabels(selector)
                .endSelector()
                .withProgressDeadlineSeconds(RenderOptions.PROGRESS_DEADLINE_SECONDS)
                .withRevisionHistoryLimit(3)
                .withNewStrategy()
                .withType("RollingUpdate")
                .withNewRollingUpdate()
                .withMaxUnavailable(new IntOrString(0))
                .withMaxSurge(new IntOrString(1))
                .endRollingUpdate()
                .endStrategy()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(ModelLabels.of(version.name(), version.version()))
                .endMetadata()
                .withNewSpec()
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withTerminationGracePeriodSeconds((long) RenderOptions.DRAIN_SECONDS + 15)
                .withImagePullSecrets(options.imagePullSecrets().stream()
                        .map(name -> new io.fabric8.kubernetes.api.model.LocalObjectReference(name))
                        .toList())
                .withNewSecurityContext()
                .withRunAsNonRoot(true)
                .withRunAsUser(10001L)
                .withRunAsGroup(10001L)
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .endSecurityContext()
                .withContainers(container(version.spec(), options))
                .addNewVolume()
                .withName("tmp")
                .withNewEmptyDir()
                .endEmptyDir()
                .endVolume()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    private static Container container(ModelSpec spec, RenderOptions options) {
        ResourceRequirements resources = spec.resources();
        Map<String, Quantity> requests = new LinkedHashMap<>();
        requests.put("cpu", new Quantity(resources.cpuRequest()));
        requests.put("memory", new Quantity(resources.memoryRequest()));
        Map<String, Quantity> limits = new LinkedHashMap<>();
        if (resources.cpuLimit() != null) {
            limits.put("cpu", new Quantity(resources.cpuLimit()));
        }
        if (resources.memoryLimit() != null) {
            limits.put("memory", new Quantity(resources.memoryLimit()));
        }
        return new ContainerBuilder()
                .withName("model")
                .withImage(options.image())
                .withImagePullPolicy("IfNotPresent")
                .addNewPort()
                .withName("http")
                .withContainerPort(ImageLayout.PORT)
                .withProtocol("TCP")
                .endPort()
                .withResources(new ResourceRequirementsBuilder()
                        .withRequests(requests)
                        .withLimits(limits)
                        .build())
                .withNewReadinessProbe()
                .withNewHttpGet()
                .withPath("/v2/health/ready")
                .withPort(new IntOrString("http"))
                .endHttpGet()
                .withPeriodSeconds(2)
                .withFailureThreshold(2)
                .withTimeoutSeconds(2)
                .endReadinessProbe()
                .withNewLivenessProbe()
                .withNewHttpGet()
                .withPath("/v2/health/live")
                .withPort(new IntOrString("http"))
                .endHttpGet()
                .withPeriodSeconds(10)
                .withFailureThreshold(3)
                .withTimeoutSeconds(2)
                .endLivenessProbe()
                .withNewStartupProbe()
                .withNewHttpGet()
                .withPath("/v2/health/live")
                .withPort(new IntOrString("http"))
                .endHttpGet()
                .withPeriodSeconds(2)
                .withFailureThreshold(60)
                .endStartupProbe()
                // Endpoints drop the pod first; the harness then drains in-flight requests after SIGTERM.
                .withNewLifecycle()
                .withNewPreStop()
                .withNewSleep()
                .withSeconds((long) RenderOptions.DRAIN_SECONDS)
                .endSleep()
                .endPreStop()
                .endLifecycle()
                .withNewSecurityContext()
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .endSecurityContext()
                .addNewVolumeMount()
                .withName("tmp")
                .withMountPath("/tmp")
                .endVolumeMount()
                .build();
    }

    static Service service(ModelVersion version, RenderOptions options) {
        return new ServiceBuilder()
                .withMetadata(metadata(version, options))
                .withNewSpec()
                .withType("ClusterIP")
                .withSelector(ModelLabels.selector(version.name(), version.version()))
                .addNewPort()
                .withName("http")
                .withPort(80)
                .withTargetPort(new IntOrString("http"))
                .withProtocol("TCP")
                .endPort()
                .endSpec()
                .build();
    }

    static HorizontalPodAutoscaler autoscaler(ModelVersion version, RenderOptions options) {
        return new HorizontalPodAutoscalerBuilder()
                .withMetadata(metadata(version, options))
                .withNewSpec()
                .withNewScaleTargetRef()
                .withApiVersion("apps/v1")
                .withKind("Deployment")
                .withName(version.id())
                .endScaleTargetRef()
                .withMinReplicas(options.minReplicas())
                .withMaxReplicas(options.maxReplicas())
                .addNewMetric()
                .withType("Resource")
                .withNewResource()
                .withName("cpu")
                .withNewTarget()
                .withType("Utilization")
                .withAverageUtilization(70)
                .endTarget()
                .endResource()
                .endMetric()
                .endSpec()
                .build();
    }

    static PodDisruptionBudget disruptionBudget(ModelVersion version, RenderOptions options) {
        return new PodDisruptionBudgetBuilder()
                .withMetadata(metadata(version, options))
                .withNewSpec()
                .withMaxUnavailable(new IntOrString(1))
                .withNewSelector()
                .withMatchLabels(ModelLabels.selector(version.name(), version.version()))
                .endSelector()
                .endSpec()
                .build();
    }
}
