package io.jenkins.plugins.modeldeploy.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.jenkins.plugins.modeldeploy.testing.ApiDefaults;
import io.jenkins.plugins.modeldeploy.testing.ClusterSimulator;
import io.jenkins.plugins.modeldeploy.testing.MockApiServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The simulator and the mock API server behave where it matters as a cluster does: the API server's defaulting and
 * canonical quantities, the Deployment controller's surge rolling update, the HPA controller, EndpointSlices.
 */
class ClusterSimulatorIT {
    static final Duration STEP = Duration.ofMillis(100);
    static final RolloutWatcher.Options OPTIONS =
            new RolloutWatcher.Options(Duration.ofSeconds(20), Duration.ofSeconds(5), Duration.ofSeconds(10));

    private MockApiServer server;
    private KubernetesClient client;
    private ClusterSimulator simulator;

    @BeforeEach
    void start() {
        server = new MockApiServer();
        client = server.client();
        simulator = new ClusterSimulator(server, "models", STEP, Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() {
        simulator.close();
        client.close();
        server.close();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "0.5, 500m",
        "1.5, 1500m",
        "2000m, 2",
        "250m, 250m",
        "1024Mi, 1Gi",
        "1536Mi, 1536Mi",
        "0.5Gi, 512Mi",
        "512Mi, 512Mi",
        "1000M, 1G",
        "1e3, 1k",
        "0, 0"
    })
    void quantitiesAreCanonicalAsTheApiServerWritesThem(String written, String stored) {
        assertThat(ApiDefaults.canonical(written)).isEqualTo(stored);
    }

    @Test
    void theServerReturnsDefaultedCanonicalObjects() {
        Deployment deployment = new DeploymentBuilder()
                .withNewMetadata()
                .withName("plain")
                .withNamespace("other")
                .endMetadata()
                .withNewSpec()
                .withNewSelector()
                .withMatchLabels(Map.of("app", "plain"))
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(Map.of("app", "plain"))
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("model")
                .withImage(ResourceApplierTest.IMAGE)
                .withNewResources()
                .withRequests(Map.of("cpu", new Quantity("0.5")))
                .withLimits(Map.of("memory", new Quantity("1024Mi")))
                .endResources()
                .withNewReadinessProbe()
                .withNewHttpGet()
                .withPath("/v2/health/ready")
                .withPort(new IntOrString("http"))
                .endHttpGet()
                .endReadinessProbe()
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
        client.resource(deployment).create();
        client.resource(new ServiceBuilder()
                        .withNewMetadata()
                        .withName("plain")
                        .withNamespace("other")
                        .endMetadata()
                        .withNewSpec()
                        .withSelector(Map.of("app", "plain"))
                        .addNewPort()
                        .withName("http")
                        .withPort(80)
                        .endPort()
                        .endSpec()
                        .build())
                .create();
        client.resource(new HorizontalPodAutoscalerBuilder()
                        .withNewMetadata()
                        .withName("plain")
                        .withNamespace("other")
                        .endMetadata()
                        .withNewSpec()
                        .withMaxReplicas(3)
                        .withNewScaleTargetRef()
                        .withKind("Deployment")
                        .withName("plain")
                        .withApiVersion("apps/v1")
                        .endScaleTargetRef()
                        .endSpec()
                        .build())
                .create();

        Deployment live = client.apps()
                .deployments()
                .inNamespace("other")
                .withName("plain")
                .get();
        assertThat(live.getSpec().getReplicas()).isEqualTo(1);
        assertThat(live.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(live.getSpec().getStrategy().getRollingUpdate().getMaxSurge())
                .isEqualTo(new IntOrString("25%"));
        assertThat(live.getSpec().getRevisionHistoryLimit()).isEqualTo(10);
        assertThat(live.getSpec().getProgressDeadlineSeconds()).isEqualTo(600);
        var pod = live.getSpec().getTemplate().getSpec();
        assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(30L);
        assertThat(pod.getRestartPolicy()).isEqualTo("Always");
        var container = pod.getContainers().get(0);
        assertThat(container.getImagePullPolicy()).as("pinned by digest").isEqualTo("IfNotPresent");
        assertThat(container.getResources().getRequests().get("cpu").toString()).isEqualTo("500m");
        assertThat(container.getResources().getLimits().get("memory").toString())
                .isEqualTo("1Gi");
        assertThat(container.getReadinessProbe().getTimeoutSeconds()).isEqualTo(1);
        assertThat(container.getReadinessProbe().getHttpGet().getScheme()).isEqualTo("HTTP");
        var service =
                client.services().inNamespace("other").withName("plain").get().getSpec();
        assertThat(service.getType()).isEqualTo("ClusterIP");
        assertThat(service.getClusterIP()).startsWith("10.96.");
        assertThat(service.getPorts().get(0).getProtocol()).isEqualTo("TCP");
        assertThat(service.getPorts().get(0).getTargetPort()).isEqualTo(new IntOrString(80));
        assertThat(client.autoscaling()
                        .v2()
                        .horizontalPodAutoscalers()
                        .inNamespace("other")
                        .withName("plain")
                        .get()
                        .getSpec()
                        .getMinReplicas())
                .isEqualTo(1);
    }

    @Test
    void reApplyingTheRenderedObjectsWritesNothingAgainstTheDefaultedServerOutput() throws Exception {
        // The controllers (the HPA raising replicas, status) write meanwhile, as on a cluster: count the applier's.
        try (KubernetesClient own = server.client("applier")) {
            ResourceApplier applier = new ResourceApplier(own);
            applier.apply(ResourceApplierTest.objects(ResourceApplierTest.IMAGE));
            int writes = server.writesFrom("applier");

            List<ResourceApplier.Change> changes =
                    applier.apply(ResourceApplierTest.objects(ResourceApplierTest.IMAGE));

            assertThat(changes).allSatisfy(c -> assertThat(c.action().name()).isEqualTo("UNCHANGED"));
            assertThat(server.writesFrom("applier") - writes).isZero();
        }
    }

    private RolloutOutcome rollOut(String image) throws Exception {
        RolloutWatcher watcher = new RolloutWatcher(client, "models", e -> {});
        try (RolloutWatcher.Session session = watcher.start("iris", "2", OPTIONS)) {
            new ResourceApplier(client).apply(ResourceApplierTest.objects(image));
            return session.await();
        }
    }

    private <T extends io.fabric8.kubernetes.api.model.HasMetadata> SharedIndexInformer<T> record(
            SharedIndexInformer<T> informer, Consumer<T> each) throws Exception {
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(T object) {
                each.accept(object);
            }

            @Override
            public void onUpdate(T before, T after) {
                each.accept(after);
            }

            @Override
            public void onDelete(T object, boolean unknown) {}
        });
        informer.start().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
        return informer;
    }

    @Test
    void aNewTemplateSurgesAndTheOldPodsServeUntilTheNewOnesAreAvailable() throws Exception {
        assertThat(rollOut(ResourceApplierTest.IMAGE)).isInstanceOf(RolloutOutcome.Available.class);
        EndpointSlice before = simulator.endpointSlice("iris-2");
        assertThat(before.getEndpoints())
                .hasSize(2)
                .allSatisfy(e -> assertThat(e.getConditions().getReady()).isTrue());
        assertThat(before.getPorts().get(0).getName()).isEqualTo("http");

        List<int[]> statuses = new CopyOnWriteArrayList<>(); // replicas, updated, ready
        List<List<Endpoint>> slices = new CopyOnWriteArrayList<>();
        try (var deployments = record(
                        client.apps()
                                .deployments()
                                .inNamespace("models")
                                .withName("iris-2")
                                .runnableInformer(0),
                        d -> {
                            if (d.getStatus() != null) {
                                statuses.add(new int[] {
                                    value(d.getStatus().getReplicas()),
                                    value(d.getStatus().getUpdatedReplicas()),
                                    value(d.getStatus().getReadyReplicas())
                                });
                            }
                        });
                var endpoints = record(
                        client.discovery()
                                .v1()
                                .endpointSlices()
                                .inNamespace("models")
                                .withName("iris-2-sim")
                                .runnableInformer(0),
                        s -> slices.add(s.getEndpoints()))) {
            assertThat(rollOut(ResourceApplierTest.OTHER_IMAGE)).isInstanceOf(RolloutOutcome.Available.class);
        }

        // maxSurge 1, maxUnavailable 0 (ManifestRenderer): at most 3 pods, never fewer than 2 ready.
        assertThat(statuses).allSatisfy(s -> {
            assertThat(s[0]).isLessThanOrEqualTo(3);
            assertThat(s[2]).isGreaterThanOrEqualTo(2);
        });
        assertThat(statuses).as("an old and a new ReplicaSet side by side").anyMatch(s -> s[0] == 3 && s[1] < 3);
        assertThat(slices)
                .allSatisfy(endpoints -> assertThat(endpoints.stream()
                                .filter(e -> e.getConditions().getReady())
                                .count())
                        .isGreaterThanOrEqualTo(2));
        assertThat(slices)
                .as("a scaled-down old pod: terminating, still serving, not ready")
                .anyMatch(endpoints -> endpoints.stream()
                        .anyMatch(e -> e.getConditions().getTerminating()
                                && e.getConditions().getServing()
                                && !e.getConditions().getReady()));
        EndpointSlice after = simulator.endpointSlice("iris-2");
        String newHash = client.apps().replicaSets().inNamespace("models").list().getItems().stream()
                .filter(rs -> rs.getSpec().getReplicas() == 2)
                .findFirst()
                .orElseThrow()
                .getMetadata()
                .getLabels()
                .get("pod-template-hash");
        // (An old pod may still be terminating: serving, not ready.)
        assertThat(after.getEndpoints())
                .filteredOn(e -> e.getConditions().getReady())
                .hasSize(2)
                .allSatisfy(e -> assertThat(e.getTargetRef().getName()).contains(newHash));
    }

    @Test
    void theHpaRaisesReplicasToItsMinimumAfterAResyncAndNotFromZero() throws Exception {
        assertThat(rollOut(ResourceApplierTest.IMAGE)).isInstanceOf(RolloutOutcome.Available.class);
        assertThat(replicas()).as("raised from the default 1 to minReplicas").isEqualTo(2);

        client.apps().deployments().inNamespace("models").withName("iris-2").edit(d -> {
            d.getSpec().setReplicas(0);
            return d;
        });
        client.pods()
                .inNamespace("models")
                .informOnCondition(List::isEmpty)
                .get(10, java.util.concurrent.TimeUnit.SECONDS);
        // An absence has no event to wait for: give the HPA three sync periods (3 steps each) to act, and it must not.
        Thread.sleep(STEP.toMillis() * 10);
        assertThat(replicas())
                .as("scaling is disabled at 0 replicas (horizontal.go)")
                .isZero();
    }

    private int replicas() {
        return client.apps()
                .deployments()
                .inNamespace("models")
                .withName("iris-2")
                .get()
                .getSpec()
                .getReplicas();
    }

    private static int value(Integer value) {
        return value == null ? 0 : value;
    }
}
