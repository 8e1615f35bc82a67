package io.jenkins.plugins.modeldeploy.kube;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.jenkins.plugins.modeldeploy.image.ImageLayout;
import io.jenkins.plugins.modeldeploy.model.ModelSpec;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.model.Placement;
import io.jenkins.plugins.modeldeploy.model.ResourceRequirements;
import io.jenkins.plugins.modeldeploy.model.Scaling;
import io.jenkins.plugins.modeldeploy.model.SecretKeyRef;
import io.jenkins.plugins.modeldeploy.model.Serving;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders the Kubernetes objects of one model version ({@code name-version}): Deployment, Service, HPA (unless the
 * model fixes its replica count) and PodDisruptionBudget, labelled for the catalog and annotated with the version's
 * metadata. The model's serving settings ({@code model.yaml}: resources, {@code serving.scaling},
 * {@code serving.placement}, secret references in {@code env}, {@code serving.loadTimeout}) shape them.
 */
public final class ManifestRenderer {
    /** The serving container's name; the downward API's {@code resourceFieldRef} names it too. */
    public static final String CONTAINER = "model";
    /** Millicores requested for the container, so the harness can size {@code workers: auto} to the pod. */
    public static final String CPU_REQUEST_ENV = "MODEL_DEPLOY_CPU_REQUEST_MILLIS";

    public static final String GPU_RESOURCE = "nvidia.com/gpu";
    /** Recommended label naming this instance of the application: the version's objects ({@code name-version}). */
    public static final String INSTANCE_LABEL = "app.kubernetes.io/instance";

    static final int STARTUP_PROBE_PERIOD_SECONDS = 2;

    private ManifestRenderer() {}

    public static List<HasMetadata> render(ModelVersion version, RenderOptions options) {
        List<HasMetadata> objects = new ArrayList<>();
        objects.add(deployment(version, options));
        objects.add(service(version, options));
        if (!version.spec().serving().scaling().isFixed()) {
            objects.add(autoscaler(version, options));
        }
        objects.add(disruptionBudget(version, options));
        return List.copyOf(objects);
    }

    /** The catalog's labels plus {@code app.kubernetes.io/instance} (not in the selector, which stays name+version). */
    static Map<String, String> labels(ModelVersion version) {
        Map<String, String> labels = new LinkedHashMap<>(ModelLabels.of(version.name(), version.version()));
        labels.put(INSTANCE_LABEL, version.id());
        return labels;
    }

    static ObjectMeta metadata(ModelVersion version, RenderOptions options) {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(ModelLabels.ANNOTATION_PREFIX + "image", options.image());
        options.annotations().forEach((key, value) -> annotations.put(ModelLabels.ANNOTATION_PREFIX + key, value));
        return new ObjectMetaBuilder()
                .withName(version.id())
                .withNamespace(options.namespace())
                .withLabels(labels(version))
                .withAnnotations(annotations)
                .build();
    }

    /**
     * The conventional annotations by which Prometheus' {@code kubernetes-pods} scrape job (the prometheus-community
     * Helm chart's, and the example configuration's) finds the harness's {@code /metrics} on the container port: the
     * A/B test's quality metrics come from its feedback counters there (docs/kubernetes.md, "Prometheus"). Prometheus
     * Operator users select the pods with a PodMonitor instead; the annotations do no harm there.
     */
    static Map<String, String> scrapeAnnotations() {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("prometheus.io/scrape", "true");
        annotations.put("prometheus.io/port", String.valueOf(ImageLayout.PORT));
        annotations.put("prometheus.io/path", "/metrics");
        return annotations;
    }

    /**
     * {@code replicas} only when the model fixes it: otherwise the HPA owns it (a value here would fight the HPA on
     * every apply); the API server starts a new Deployment with one replica and the HPA raises it to its minimum.
     */
    static Deployment deployment(ModelVersion version, RenderOptions options) {
        Map<String, String> selector = ModelLabels.selector(version.name(), version.version());
        Serving serving = version.spec().serving();
        Placement placement = serving.placement();
        return new DeploymentBuilder()
                .withMetadata(metadata(version, options))
                .withNewSpec()
                .withReplicas(
                        serving.scaling().replicas().isPresent()
                                ? serving.scaling().replicas().getAsInt()
                                : null)
                .withNewSelector()
                .withMatchLabels(selector)
                .endSelector()
                .withProgressDeadlineSeconds(
                        Math.toIntExact(serving.progressDeadline().toSeconds()))
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
                .withLabels(labels(version))
                .withAnnotations(scrapeAnnotations())
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
                .withNodeSelector(new TreeMap<>(placement.nodeSelector()))
                .withTolerations(placement.tolerations().stream()
                        .map(ManifestRenderer::toleration)
                        .toList())
                .withTopologySpreadConstraints(spread(selector))
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

    /**
     * Spread the version's pods over nodes, softly: {@code ScheduleAnyway} never leaves a pod pending on a small or
     * busy cluster, it only prefers nodes that do not already run one.
     */
    private static TopologySpreadConstraint spread(Map<String, String> selector) {
        return new TopologySpreadConstraintBuilder()
                .withMaxSkew(1)
                .withTopologyKey("kubernetes.io/hostname")
                .withWhenUnsatisfiable("ScheduleAnyway")
                .withNewLabelSelector()
                .withMatchLabels(selector)
                .endLabelSelector()
                .build();
    }

    private static Toleration toleration(Placement.Toleration t) {
        return new TolerationBuilder()
                .withKey(t.key().isEmpty() ? null : t.key())
                .withOperator(t.operator())
                .withValue(t.value().isEmpty() ? null : t.value())
                .withEffect(t.effect().isEmpty() ? null : t.effect())
                .withTolerationSeconds(
                        t.tolerationSeconds().isPresent()
                                ? t.tolerationSeconds().getAsLong()
                                : null)
                .build();
    }

    /**
     * The quantities are already canonical ({@code ModelSpecLoader}), so the live object compares equal on re-apply.
     * A CPU limit only when the model sets one; GPUs as requests = limits (extended resources cannot overcommit).
     */
    static io.fabric8.kubernetes.api.model.ResourceRequirements resources(ResourceRequirements resources) {
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
        if (resources.gpus() > 0) {
            requests.put(GPU_RESOURCE, new Quantity(Integer.toString(resources.gpus())));
            limits.put(GPU_RESOURCE, new Quantity(Integer.toString(resources.gpus())));
        }
        return new ResourceRequirementsBuilder()
                .withRequests(requests)
                .withLimits(limits)
                .build();
    }

    /**
     * The container's own variables; the model's plain {@code env} is already in the image. Secret references carry
     * only the Secret's name and key: the kubelet reads the value, which never passes through this tool.
     *
     * <ul>
     *   <li>{@value #CPU_REQUEST_ENV}: the CPU request in millicores from the downward API ({@code divisor: 1m}), for
     *       the harness's {@code workers: auto}. There is no counterpart for the limit: {@code limits.cpu} through the
     *       downward API reports the node's allocatable CPU when no limit is set, so the harness reads a limit from
     *       its cgroup ({@code cpu.max}) instead.
     *   <li>{@code HOME=/tmp}: the root file system is read-only and {@code /tmp} is the writable volume, so
     *       libraries that write under {@code ~} (caches, configuration) work; unless the model sets its own HOME.
     * </ul>
     */
    static List<EnvVar> environment(ModelSpec spec) {
        List<EnvVar> env = new ArrayList<>();
        env.add(new EnvVarBuilder()
                .withName(CPU_REQUEST_ENV)
                .withNewValueFrom()
                .withNewResourceFieldRef()
                .withContainerName(CONTAINER)
                .withResource("requests.cpu")
                .withDivisor(new Quantity("1m"))
                .endResourceFieldRef()
                .endValueFrom()
                .build());
        if (!spec.env().containsKey("HOME") && !spec.secretEnv().containsKey("HOME")) {
            env.add(new EnvVar("HOME", "/tmp", null));
        }
        new TreeMap<String, SecretKeyRef>(spec.secretEnv())
                .forEach((name, ref) -> env.add(new EnvVarBuilder()
                        .withName(name)
                        .withNewValueFrom()
                        .withNewSecretKeyRef()
                        .withName(ref.name())
                        .withKey(ref.key())
                        .endSecretKeyRef()
                        .endValueFrom()
                        .build()));
        return env;
    }

    /**
     * Enough startup-probe periods to cover {@code serving.loadTimeout}: until the startup probe succeeds the kubelet
     * runs neither liveness nor readiness, and after {@code failureThreshold} failures it restarts the container.
     */
    static int startupFailureThreshold(Serving serving) {
        long seconds =
                serving.loadTimeout().toSeconds() + (serving.loadTimeout().toNanosPart() > 0 ? 1 : 0);
        return (int) Math.max(1, (seconds + STARTUP_PROBE_PERIOD_SECONDS - 1) / STARTUP_PROBE_PERIOD_SECONDS);
    }

    private static Container container(ModelSpec spec, RenderOptions options) {
        return new ContainerBuilder()
                .withName(CONTAINER)
                .withImage(options.image())
                .withImagePullPolicy("IfNotPresent")
                .addNewPort()
                .withName("http")
                .withContainerPort(ImageLayout.PORT)
                .withProtocol("TCP")
                .endPort()
                .withResources(resources(spec.resources()))
                .withEnv(environment(spec))
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
                // The startup probe asks for readiness, not liveness: /v2/health/live answers 200 as soon as the port
                // is open, before the model has loaded (docs/harness-protocol.md), so on /live it would pass at once
                // and bound nothing. On /ready it passes when every worker has loaded the model, and a model still
                // loading after serving.loadTimeout is restarted, which the rollout reports, instead of sitting
                // unready. Readiness during draining does not matter here: the kubelet stops the startup probe after
                // its first success.
                .withNewStartupProbe()
                .withNewHttpGet()
                .withPath("/v2/health/ready")
                .withPort(new IntOrString("http"))
                .endHttpGet()
                .withPeriodSeconds(STARTUP_PROBE_PERIOD_SECONDS)
                .withTimeoutSeconds(2)
                .withFailureThreshold(startupFailureThreshold(spec.serving()))
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

    /**
     * The model's {@code serving.scaling} bounds where it sets them, else the cluster's ({@link RenderOptions});
     * never called for a model with a fixed replica count.
     */
    static HorizontalPodAutoscaler autoscaler(ModelVersion version, RenderOptions options) {
        Scaling scaling = version.spec().serving().scaling();
        Scaling.Bounds bounds = scaling.bounds(options.minReplicas(), options.maxReplicas());
        return new HorizontalPodAutoscalerBuilder()
                .withMetadata(metadata(version, options))
                .withNewSpec()
                .withNewScaleTargetRef()
                .withApiVersion("apps/v1")
                .withKind("Deployment")
                .withName(version.id())
                .endScaleTargetRef()
                .withMinReplicas(bounds.min())
                .withMaxReplicas(bounds.max())
                .addNewMetric()
                .withType("Resource")
                .withNewResource()
                .withName("cpu")
                .withNewTarget()
                .withType("Utilization")
                .withAverageUtilization(scaling.targetCpuPercent())
                .endTarget()
                .endResource()
                .endMetric()
                .endSpec()
                .build();
    }

    /**
     * {@code unhealthyPodEvictionPolicy: AlwaysAllow}: a pod that is running but not ready (crash-looping, a model
     * that never loads) may always be evicted, so such a version never blocks a node drain (policy/v1, on by default
     * since Kubernetes 1.27).
     */
    static PodDisruptionBudget disruptionBudget(ModelVersion version, RenderOptions options) {
        return new PodDisruptionBudgetBuilder()
                .withMetadata(metadata(version, options))
                .withNewSpec()
                .withMaxUnavailable(new IntOrString(1))
                .withUnhealthyPodEvictionPolicy("AlwaysAllow")
                .withNewSelector()
                .withMatchLabels(ModelLabels.selector(version.name(), version.version()))
                .endSelector()
                .endSpec()
                .build();
    }
}
