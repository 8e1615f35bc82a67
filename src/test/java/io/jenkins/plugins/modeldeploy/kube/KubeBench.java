package io.jenkins.plugins.modeldeploy.kube;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.modeldeploy.event.EventDetails;
import io.jenkins.plugins.modeldeploy.model.ModelSpec;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.target.RetireMode;
import io.jenkins.plugins.modeldeploy.target.RolloutRequest;
import io.jenkins.plugins.modeldeploy.testing.ClusterSimulator;
import io.jenkins.plugins.modeldeploy.testing.MockApiServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Kubernetes benchmark on the mock API server with the cluster simulator (run by bench/kube.sh; not a test):
 * watch-to-event latency, API requests per rollout and during a long wait, catalog queries with 500 versions.
 */
public final class KubeBench {
    private static final int WARMUP = 5;
    private static final String IMAGE = "registry.local/models/iris@sha256:" + "a".repeat(64);

    public static void main(String[] args) throws Exception {
        int rollouts = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        ModelSpec spec = new ModelSpecLoader().load(Path.of("examples/iris-python"));
        System.out.println("## Kubernetes: watcher, apply, catalog (fabric8 mock API server + ClusterSimulator)");
        System.out.println();
        latencyAndRequests(spec, rollouts);
        waiting(spec);
        catalog(spec);
    }

    private static void latencyAndRequests(ModelSpec spec, int rollouts) throws Exception {
        List<Long> endToEnd = Collections.synchronizedList(new ArrayList<>());
        List<Long> cold = new ArrayList<>();
        List<Long> inWatcher = new ArrayList<>();
        List<Integer> requests = new ArrayList<>();
        List<Integer> rerunRequests = new ArrayList<>();
        try (MockApiServer server = new MockApiServer();
                KubernetesClient client = server.client("target");
                ClusterSimulator simulator =
                        new ClusterSimulator(server, "models", Duration.ofMillis(25), Duration.ofSeconds(60))) {
            KubernetesSettings settings = KubernetesSettings.defaults("models");
            // A re-run reports the current state once without any write causing it: not a watch-to-event latency.
            boolean[] rerun = new boolean[1];
            KubernetesTarget target = new KubernetesTarget(
                    client,
                    settings,
                    event -> {
                        if (event.details() instanceof EventDetails.RolloutProgress && !rerun[0]) {
                            endToEnd.add(System.nanoTime() - simulator.lastWriteNanos());
                        }
                    },
                    Duration.ofSeconds(30));
            RolloutWatcher watcher = new RolloutWatcher(client, "models", e -> {});
            for (int i = 0; i < rollouts + WARMUP; i++) {
                if (i == WARMUP) {
                    // The first rollouts load classes and JIT-compile the client, mock server and watcher.
                    cold.addAll(endToEnd);
                    endToEnd.clear();
                }
                ModelVersion version = ModelVersion.of(spec, "v" + i, "bench");
                int before = server.requestsFrom("target");
                target.rollout(new RolloutRequest(version, Optional.of(IMAGE), Map.of(), Duration.ofSeconds(30)));
                if (i >= WARMUP) {
                    requests.add(server.requestsFrom("target") - before);
                }
                before = server.requestsFrom("target");
                rerun[0] = true;
                target.rollout(new RolloutRequest(version, Optional.of(IMAGE), Map.of(), Duration.ofSeconds(30)));
                rerun[0] = false;
                if (i >= WARMUP) {
                    rerunRequests.add(server.requestsFrom("target") - before);
                }
            }
            // The watcher's own share: from the informer callback to the published event.
            for (int i = 0; i < Math.min(rollouts, 20); i++) {
                ModelVersion version = ModelVersion.of(spec, "w" + i, "bench");
                try (RolloutWatcher.Session session =
                        watcher.start("iris", "w" + i, RolloutWatcher.Options.of(Duration.ofSeconds(30)))) {
                    new ResourceApplier(client)
                            .apply(ManifestRenderer.render(version, RenderOptions.of("models", IMAGE)));
                    session.await();
                    inWatcher.addAll(session.emitLatenciesNanos());
                }
            }
            target.retire(new io.jenkins.plugins.modeldeploy.target.VersionRef("iris", "v0"), RetireMode.REMOVE);
        }
        System.out.printf(
                "Watch event -> status event latency over %d rollouts (%d progress events), after %d"
                        + " warm-up rollouts:%n%n",
                rollouts, endToEnd.size(), WARMUP);
        System.out.println("| measured from | p50 ms | p99 ms | max ms |");
        System.out.println("|---|---:|---:|---:|");
        row("simulator write sent (API server, watch, informer, evaluation)", endToEnd);
        row("informer callback (evaluation and publish only)", inWatcher);
        row("simulator write, the " + WARMUP + " warm-up rollouts (cold JVM)", cold);
        System.out.println();
        System.out.printf(
                "API requests by the target per rollout (render, apply 4 objects, watch): median %d, max %d;"
                        + " re-running the same rollout: median %d (0 writes)%n%n",
                median(requests), Collections.max(requests), median(rerunRequests));
    }

    private static void waiting(ModelSpec spec) throws Exception {
        try (MockApiServer server = new MockApiServer();
                KubernetesClient client = server.client("target");
                ClusterSimulator simulator =
                        new ClusterSimulator(server, "models", Duration.ofMillis(25), Duration.ofSeconds(60))) {
            simulator.script("iris-slow", ClusterSimulator.Scenario.DEADLINE_EXCEEDED); // stuck in ContainerCreating
            RolloutWatcher watcher = new RolloutWatcher(client, "models", e -> {});
            try (RolloutWatcher.Session session = watcher.start(
                    "iris",
                    "slow",
                    new RolloutWatcher.Options(
                            Duration.ofSeconds(12), Duration.ofSeconds(30), Duration.ofSeconds(10)))) {
                new ResourceApplier(client)
                        .apply(ManifestRenderer.render(
                                ModelVersion.of(spec, "slow", "bench"), RenderOptions.of("models", IMAGE)));
                Thread.sleep(2000);
                int at2 = server.requestsFrom("target");
                Thread.sleep(8000);
                int at10 = server.requestsFrom("target");
                System.out.printf(
                        "Zero polling: requests by the watcher while a rollout waits with nothing changing:"
                                + " %d at 2 s, %d at 10 s (+%d in 8 s)%n%n",
                        at2, at10, at10 - at2);
                session.await();
            }
        }
    }

    private static void catalog(ModelSpec spec) throws Exception {
        try (MockApiServer server = new MockApiServer();
                KubernetesClient client = server.client("catalog")) {
            for (int m = 0; m < 100; m++) {
                ModelSpec named = new ModelSpecLoader()
                        .load(
                                Path.of("examples/iris-python"),
                                List.of(new io.jenkins.plugins.modeldeploy.model.SpecOverride(
                                        "name", "m" + m, "bench")));
                for (int v = 0; v < 5; v++) {
                    ModelVersion version = ModelVersion.of(named, "" + v, "bench");
                    Deployment deployment = ManifestRenderer.deployment(version, RenderOptions.of("models", IMAGE));
                    deployment.setStatus(
                            new DeploymentStatusBuilder().withReadyReplicas(2).build());
                    client.resource(deployment).create();
                }
            }
            try (ModelCatalog catalog = ModelCatalog.start(client, "models", false, Duration.ofSeconds(30))) {
                int before = server.requests();
                List<Long> cached = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    long start = System.nanoTime();
                    int count = 0;
                    for (String model : catalog.models()) {
                        count += catalog.versions(model).size();
                    }
                    cached.add(System.nanoTime() - start);
                    if (count != 500) {
                        throw new IllegalStateException("catalog saw " + count + " versions, not 500");
                    }
                }
                int requestsDuringQueries = server.requests() - before;
                List<Long> direct = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    long start = System.nanoTime();
                    int count = client.apps()
                            .deployments()
                            .inNamespace("models")
                            .withLabel(ModelLabels.MANAGED_BY, ModelLabels.MANAGER)
                            .list()
                            .getItems()
                            .size();
                    direct.add(System.nanoTime() - start);
                    if (count != 500) {
                        throw new IllegalStateException("list saw " + count);
                    }
                }
                System.out.println("Catalog with 500 versions (100 models x 5): all models and their versions");
                System.out.println();
                System.out.println("| source | p50 ms | p99 ms | API requests |");
                System.out.println("|---|---:|---:|---:|");
                System.out.printf(
                        "| ModelCatalog (informer cache), 200 queries | %.3f | %.3f | %d |%n",
                        ms(percentile(cached, 50)), ms(percentile(cached, 99)), requestsDuringQueries);
                System.out.printf(
                        "| direct list of the Deployments, 20 queries | %.3f | %.3f | 20 |%n",
                        ms(percentile(direct, 50)), ms(percentile(direct, 99)));
                System.out.printf(
                        "%nDirect list / cache (p50): **%.0fx**%n",
                        (double) percentile(direct, 50) / percentile(cached, 50));
            }
        }
    }

    private static void row(String label, List<Long> nanos) {
        System.out.printf(
                "| %s | %.3f | %.3f | %.3f |%n",
                label, ms(percentile(nanos, 50)), ms(percentile(nanos, 99)), ms(Collections.max(nanos)));
    }

    private static long percentile(List<Long> values, int p) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
    }

    private static int median(List<Integer> values) {
        List<Integer> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
