package io.jenkins.plugins.modeldeploy.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceFieldSelector;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.model.Quantities;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
                            "model-server",
                            "app.kubernetes.io/instance",
                            "iris-2"));
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
        assertThat(deployment.getSpec().getProgressDeadlineSeconds())
                .as("the default loadTimeout")
                .isEqualTo(300);
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
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsEntry("app.kubernetes.io/instance", "iris-2");
        // Prometheus' kubernetes-pods job scrapes the harness's /metrics (feedback counters for the A/B quality gate)
        assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsExactly(
                        Map.entry("prometheus.io/scrape", "true"),
                        Map.entry("prometheus.io/port", "8080"),
                        Map.entry("prometheus.io/path", "/metrics"));
        assertThat(container.getPorts().get(0).getContainerPort()).isEqualTo(8080);
        assertThat(container.getResources().getRequests()).containsOnlyKeys("cpu", "memory");
        assertThat(container.getResources().getLimits().get("cpu").toString())
                .as("iris sets a CPU limit")
                .isEqualTo("1");
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

    // --- per-model serving settings (model.yaml) ----------------------------------------------------------------

    @TempDir
    Path dir;

    private List<HasMetadata> renderModel(String settings) throws Exception {
        Files.writeString(dir.resolve("model.py"), "def predict(rows): return rows\n");
        Files.writeString(
                dir.resolve("model.yaml"), "name: m\nruntime: python\nentrypoint: model:predict\n" + settings);
        ModelVersion version = ModelVersion.of(new ModelSpecLoader().load(dir), "1", "t");
        return ManifestRenderer.render(version, new RenderOptions("models", IMAGE, 2, 10, List.of(), Map.of()));
    }

    private static Deployment deployment(List<HasMetadata> objects) {
        return (Deployment) objects.stream()
                .filter(o -> o instanceof Deployment)
                .findFirst()
                .orElseThrow();
    }

    private static Container container(List<HasMetadata> objects) {
        return deployment(objects)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);
    }

    @Test
    void aFixedReplicaCountIsRenderedWithoutAnAutoscaler() throws Exception {
        List<HasMetadata> objects = renderModel("serving:\n  scaling: {replicas: 3}\n");
        assertThat(objects)
                .extracting(HasMetadata::getKind)
                .containsExactly("Deployment", "Service", "PodDisruptionBudget");
        assertThat(deployment(objects).getSpec().getReplicas()).isEqualTo(3);
    }

    @Test
    void theAutoscalerTakesTheModelsBoundsAndTargetElseTheClusters() throws Exception {
        HorizontalPodAutoscaler defaults =
                (HorizontalPodAutoscaler) renderModel("").get(2);
        assertThat(defaults.getSpec().getMinReplicas()).isEqualTo(2);
        assertThat(defaults.getSpec().getMaxReplicas()).isEqualTo(10);
        assertThat(defaults.getSpec()
                        .getMetrics()
                        .get(0)
                        .getResource()
                        .getTarget()
                        .getAverageUtilization())
                .isEqualTo(70);

        HorizontalPodAutoscaler own =
                (HorizontalPodAutoscaler) renderModel("serving:\n  scaling: {min: 1, max: 4, targetCPU: 50}\n")
                        .get(2);
        assertThat(own.getSpec().getMinReplicas()).isEqualTo(1);
        assertThat(own.getSpec().getMaxReplicas()).isEqualTo(4);
        assertThat(own.getSpec().getMetrics().get(0).getResource().getTarget().getAverageUtilization())
                .isEqualTo(50);
        assertThat(deployment(renderModel("serving:\n  scaling: {min: 1, max: 4}\n"))
                        .getSpec()
                        .getReplicas())
                .as("the HPA owns replicas")
                .isNull();

        HorizontalPodAutoscaler minOnly = (HorizontalPodAutoscaler)
                renderModel("serving:\n  scaling: {min: 12}\n").get(2);
        assertThat(minOnly.getSpec().getMinReplicas()).isEqualTo(12);
        assertThat(minOnly.getSpec().getMaxReplicas())
                .as("carried above the cluster's 10")
                .isEqualTo(12);
    }

    @Test
    void resourcesAreCanonicalWithACpuLimitAndGpus() throws Exception {
        Container container = container(renderModel("""
                resources:
                  requests: {cpu: 0.5, memory: 1024Mi}
                  limits: {cpu: 2000m, memory: 1.5Gi}
                  gpu: 2
                """));
        assertThat(quantities(container.getResources().getRequests()))
                .containsExactlyInAnyOrderEntriesOf(Map.of("cpu", "500m", "memory", "1Gi", "nvidia.com/gpu", "2"));
        assertThat(quantities(container.getResources().getLimits()))
                .containsExactlyInAnyOrderEntriesOf(Map.of("cpu", "2", "memory", "1536Mi", "nvidia.com/gpu", "2"));
        assertThat(container(renderModel("")).getResources().getLimits())
                .as("no CPU limit unless the model sets one")
                .containsOnlyKeys("memory");
    }

    @Test
    void placementAndSpreadingReachThePodSpec() throws Exception {
        PodSpec pod = deployment(renderModel("""
                        serving:
                          placement:
                            nodeSelector: {pool: gpu}
                            tolerations:
                              - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}
                              - {key: spot, value: "yes", effect: NoExecute, tolerationSeconds: 30}
                        """)).getSpec().getTemplate().getSpec();
        assertThat(pod.getNodeSelector()).containsExactly(Map.entry("pool", "gpu"));
        assertThat(pod.getTolerations())
                .containsExactly(
                        new TolerationBuilder()
                                .withKey("nvidia.com/gpu")
                                .withOperator("Exists")
                                .withEffect("NoSchedule")
                                .build(),
                        new TolerationBuilder()
                                .withKey("spot")
                                .withOperator("Equal")
                                .withValue("yes")
                                .withEffect("NoExecute")
                                .withTolerationSeconds(30L)
                                .build());
        TopologySpreadConstraint spread = pod.getTopologySpreadConstraints().get(0);
        assertThat(spread.getWhenUnsatisfiable()).isEqualTo("ScheduleAnyway");
        assertThat(spread.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
        assertThat(spread.getLabelSelector().getMatchLabels())
                .isEqualTo(deployment(renderModel("")).getSpec().getSelector().getMatchLabels());
        PodSpec plain = deployment(renderModel("")).getSpec().getTemplate().getSpec();
        assertThat(plain.getNodeSelector()).isNullOrEmpty();
        assertThat(plain.getTolerations()).isEmpty();
    }

    @Test
    void theContainerGetsItsCpuRequestHomeAndSecretReferences() throws Exception {
        Container container = container(
                renderModel("env:\n  LOG_LEVEL: debug\n  TOKEN: {secretKeyRef: {name: m-secrets, key: token}}\n"));
        Map<String, EnvVar> env = new LinkedHashMap<>();
        container.getEnv().forEach(e -> env.put(e.getName(), e));
        assertThat(env).containsOnlyKeys("MODEL_DEPLOY_CPU_REQUEST_MILLIS", "HOME", "TOKEN");
        ResourceFieldSelector cpu =
                env.get("MODEL_DEPLOY_CPU_REQUEST_MILLIS").getValueFrom().getResourceFieldRef();
        assertThat(cpu.getContainerName()).isEqualTo(container.getName());
        assertThat(cpu.getResource()).isEqualTo("requests.cpu");
        assertThat(cpu.getDivisor()).hasToString("1m");
        assertThat(container.getEnv())
                .as("never limits.cpu through the downward API: it reports node allocatable when no limit is set")
                .noneMatch(e -> e.getValueFrom() != null
                        && e.getValueFrom().getResourceFieldRef() != null
                        && e.getValueFrom().getResourceFieldRef().getResource().startsWith("limits."));
        assertThat(env.get("HOME").getValue()).isEqualTo("/tmp");
        assertThat(container.getVolumeMounts()).anyMatch(m -> m.getMountPath().equals("/tmp"));
        assertThat(env.get("TOKEN").getValue()).isNull();
        assertThat(env.get("TOKEN").getValueFrom().getSecretKeyRef().getName()).isEqualTo("m-secrets");
        assertThat(env.get("TOKEN").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("token");

        Container ownHome = container(renderModel("env:\n  HOME: /opt/home\n"));
        assertThat(ownHome.getEnv())
                .as("the model's HOME is in the image; a rendered one would override it")
                .noneMatch(e -> e.getName().equals("HOME"));
    }

    @Test
    void printedManifestsCarryOnlyTheSecretsReference() throws Exception {
        Files.writeString(dir.resolve("model.py"), "def predict(rows): return rows\n");
        Files.writeString(dir.resolve("model.yaml"), """
                name: m
                runtime: python
                entrypoint: model:predict
                env:
                  API_TOKEN: {secretKeyRef: {name: m-secrets, key: api-token}}
                """);
        ModelVersion version = ModelVersion.of(new ModelSpecLoader().load(dir), "1", "t");
        // As `model-deploy render` prints them.
        String yaml = ManifestRenderer.render(version, RenderOptions.of("models", IMAGE)).stream()
                .map(Serialization::asYaml)
                .reduce("", String::concat);
        assertThat(yaml).contains("secretKeyRef", "name: \"m-secrets\"", "key: \"api-token\"");
        int at = yaml.indexOf("name: \"API_TOKEN\"");
        assertThat(at).isPositive();
        String entry = yaml.substring(at, yaml.indexOf("key: \"api-token\"", at));
        assertThat(entry).as("a reference, no value").doesNotContain("value:").contains("valueFrom:");
    }

    @Test
    void theStartupProbeWaitsForTheModelUpToItsLoadTimeout() throws Exception {
        Probe defaults = container(renderModel("")).getStartupProbe();
        assertThat(defaults.getHttpGet().getPath())
                .as("/v2/health/live is 200 before the model has loaded")
                .isEqualTo("/v2/health/ready");
        assertThat(defaults.getFailureThreshold() * defaults.getPeriodSeconds()).isEqualTo(120);
        for (String timeout : List.of("5m", "121s", "1s", "1h")) {
            Probe probe = container(renderModel("serving:\n  loadTimeout: " + timeout + "\n"))
                    .getStartupProbe();
            long seconds =
                    new ModelSpecLoader().load(dir).serving().loadTimeout().toSeconds();
            assertThat((long) probe.getFailureThreshold() * probe.getPeriodSeconds())
                    .as(timeout)
                    .isGreaterThanOrEqualTo(seconds)
                    .isLessThan(seconds + probe.getPeriodSeconds());
        }
    }

    @Test
    void theBudgetNeverBlocksADrainForAnUnhealthyPod() throws Exception {
        PodDisruptionBudget pdb = (PodDisruptionBudget) renderModel("").get(3);
        assertThat(pdb.getSpec().getUnhealthyPodEvictionPolicy()).isEqualTo("AlwaysAllow");
    }

    /**
     * The rendered objects as an API server would hold them: they survive a round trip through the wire format
     * unchanged, every quantity is already in the server's canonical form (so a re-apply compares equal), the HPA's
     * bounds are ordered, every variable has exactly one source and a C-identifier name.
     */
    @Test
    void renderedObjectsAreWellFormed() throws Exception {
        List<HasMetadata> objects = renderModel("""
                resources:
                  requests: {cpu: 0.25, memory: 0.5Gi}
                  limits: {cpu: 1.5, memory: 1024Mi}
                  gpu: 1
                env:
                  TOKEN: {secretKeyRef: {name: s, key: k}}
                serving:
                  scaling: {min: 3, max: 5, targetCPU: 80}
                """);
        KubernetesSerialization serialization = new KubernetesSerialization();
        for (HasMetadata object : objects) {
            HasMetadata copy = serialization.unmarshal(serialization.asJson(object), object.getClass());
            assertThat(copy).as(object.getKind()).isEqualTo(object);
        }
        Container container = container(objects);
        List<Quantity> all = new java.util.ArrayList<>();
        all.addAll(container.getResources().getRequests().values());
        all.addAll(container.getResources().getLimits().values());
        container.getEnv().stream()
                .filter(e -> e.getValueFrom() != null && e.getValueFrom().getResourceFieldRef() != null)
                .forEach(e -> all.add(e.getValueFrom().getResourceFieldRef().getDivisor()));
        assertThat(all).hasSize(7);
        for (Quantity quantity : all) {
            assertThat(Quantities.canonical(quantity.toString())).isEqualTo(quantity.toString());
        }
        for (EnvVar var : container.getEnv()) {
            assertThat(var.getName()).matches("[A-Za-z_][A-Za-z0-9_]*");
            assertThat(var.getValue() == null).as(var.getName()).isNotEqualTo(var.getValueFrom() == null);
        }
        HorizontalPodAutoscaler hpa = (HorizontalPodAutoscaler) objects.get(2);
        assertThat(hpa.getSpec().getMinReplicas()).isBetween(1, hpa.getSpec().getMaxReplicas());
        assertThat(hpa.getSpec().getScaleTargetRef().getName())
                .isEqualTo(deployment(objects).getMetadata().getName());
        Probe startup = container.getStartupProbe();
        assertThat(startup.getFailureThreshold()).isPositive();
        assertThat(startup.getPeriodSeconds()).isPositive();
    }

    private static Map<String, String> quantities(Map<String, Quantity> quantities) {
        Map<String, String> text = new LinkedHashMap<>();
        quantities.forEach((name, quantity) -> text.put(name, quantity.toString()));
        return text;
    }
}
