package io.jenkins.plugins.modeldeploy.testing;

import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * Plays the controllers a real cluster runs, on fabric8's CRUD mock (which has none): the Deployment controller
 * (ReplicaSet per template, Deployment status and conditions), the ReplicaSet controller (Pods with owner
 * references), the scheduler (PodScheduled) and the kubelet (container states, readiness, core/v1 Events), in steps
 * of {@code step}. Each Deployment follows the scenario scripted for its name (default {@link Scenario#READY}).
 *
 * <p>A gap of the mock that shapes this class: its watch ignores the requested resourceVersion and starts with the
 * current objects as ADDED, so a deletion between an informer's list and its watch is never delivered (a real API
 * server replays it). Pods are therefore deleted gracefully, as on a cluster: first marked Terminating (held by a
 * finalizer standing in for the kubelet), which any later watch shows, and removed a step later.
 *
 * <p>Only what a watcher can observe is simulated; no spec is ever changed, only status, Pods, ReplicaSets and
 * Events, as on a real cluster. Writes are GET-then-PUT with the resourceVersion, retried on 409, because the code
 * under test writes the same Deployments concurrently.
 */
public final class ClusterSimulator implements AutoCloseable {
    /** Scripted behaviours; each names the Kubernetes behaviour it imitates. */
    public enum Scenario {
        /** Scheduled, image pulled, started, ready one replica per step, Available=True. */
        READY,
        /** READY at a fifth of the pace (a big image, a slow model load). */
        SLOW,
        /** The container exits 1 after starting; the kubelet backs off restarting it: waiting CrashLoopBackOff. */
        CRASH_LOOP,
        /** The registry has no such image: waiting ErrImagePull, then ImagePullBackOff (kubelet). */
        IMAGE_PULL_FAILURE,
        /** No node fits the requests: the scheduler sets PodScheduled=False, reason Unschedulable. */
        UNSCHEDULABLE,
        /**
         * The pods never get going (stuck in ContainerCreating, e.g. a volume that never mounts), and the Deployment
         * controller sets Progressing=False, reason ProgressDeadlineExceeded after progressDeadlineSeconds.
         */
        DEADLINE_EXCEEDED,
        /** The kernel kills the container over its memory limit: lastState.terminated.reason OOMKilled (kubelet). */
        OOM_KILLED,
        /** The container runs but its readiness probe keeps failing: ready=false, Warning Unhealthy events. */
        READINESS_NEVER_TRUE,
        /** READY, but every watch connection is dropped just before the pods become ready. */
        WATCH_DROPPED,
        /** READY, but the watches are dropped and the reconnecting watches get 410 Gone (compacted history). */
        GONE_410
    }

    static final String REVISION = "deployment.kubernetes.io/revision";
    /** Stands in for the kubelet's hold on a pod object until its containers have stopped. */
    static final String KUBELET_FINALIZER = "simulator.model-deploy.test/kubelet";

    private final MockApiServer server;
    private final KubernetesClient client;
    private final String namespace;
    private final Duration step;
    private final Duration progressDeadline;
    private final ScheduledExecutorService clock;
    private final Map<String, Scenario> scripts = new ConcurrentHashMap<>();
    private final Map<String, String> seen = new HashMap<>(); // deployment -> template hash + replicas it runs
    private final Map<String, List<ScheduledFuture<?>>> running = new HashMap<>();
    private final Map<String, Integer> revisions = new HashMap<>();
    private final Map<String, String> templates = new HashMap<>();
    private final AtomicInteger eventSequence = new AtomicInteger();
    private final SharedIndexInformer<Deployment> informer;
    private final List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile long lastWriteNanos;

    public ClusterSimulator(MockApiServer server, String namespace, Duration step, Duration progressDeadline) {
        this.server = server;
        this.client = server.client();
        this.namespace = namespace;
        this.step = step;
        this.progressDeadline = progressDeadline;
        this.clock = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "cluster-simulator");
            thread.setDaemon(true);
            return thread;
        });
        informer = client.apps().deployments().inNamespace(namespace).runnableInformer(0);
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Deployment deployment) {
                clock.execute(() -> reconcile(deployment.getMetadata().getName()));
            }

            @Override
            public void onUpdate(Deployment before, Deployment after) {
                clock.execute(() -> reconcile(after.getMetadata().getName()));
            }

            @Override
            public void onDelete(Deployment deployment, boolean unknown) {
                clock.execute(() -> {
                    forget(deployment.getMetadata().getName());
                    revisions.remove(deployment.getMetadata().getName());
                    templates.remove(deployment.getMetadata().getName());
                });
            }
        });
        try {
            informer.start().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the simulator's Deployment informer did not start", e);
        }
    }

    public ClusterSimulator script(String deployment, Scenario scenario) {
        scripts.put(deployment, scenario);
        return this;
    }

    /** Stops; throws if a scripted step failed (which would otherwise only show as a watcher timing out). */
    @Override
    public void close() {
        informer.close();
        clock.shutdownNow();
        client.close();
        if (!errors.isEmpty()) {
            IllegalStateException failure = new IllegalStateException("a simulator step failed: " + errors.get(0));
            errors.forEach(failure::addSuppressed);
            throw failure;
        }
    }

    /** The Deployment controller's reaction to a new template or replica count (status writes are ignored). */
    private void reconcile(String name) {
        Deployment deployment = client.apps()
                .deployments()
                .inNamespace(namespace)
                .withName(name)
                .get();
        if (deployment == null) {
            return;
        }
        String hash = templateHash(deployment);
        int replicas = deployment.getSpec().getReplicas() == null
                ? 1
                : deployment.getSpec().getReplicas();
        String key = hash + "/" + replicas;
        if (key.equals(seen.get(name))) {
            return;
        }
        seen.put(name, key);
        forget(name);
        seen.put(name, key);
        Scenario scenario = scripts.getOrDefault(name, Scenario.READY);
        String rsName = name + "-" + hash;
        // Deployment controller: a new template gets the next revision, written on the Deployment and its ReplicaSet.
        if (!hash.equals(templates.put(name, hash))) {
            revisions.merge(name, 1, Integer::sum);
        }
        String revision = String.valueOf(revisions.get(name));
        // Deployment controller: one ReplicaSet per pod template, named with the pod-template-hash, owned by the
        // Deployment; the ReplicaSet controller creates its pods, owned by the ReplicaSet.
        Map<String, String> podLabels = new LinkedHashMap<>(
                deployment.getSpec().getTemplate().getMetadata().getLabels());
        podLabels.put("pod-template-hash", hash);
        ReplicaSet rs = new ReplicaSetBuilder()
                .withNewMetadata()
                .withName(rsName)
                .withNamespace(namespace)
                .withLabels(podLabels)
                .withAnnotations(Map.of(REVISION, revision))
                .withOwnerReferences(new OwnerReferenceBuilder()
                        .withApiVersion("apps/v1")
                        .withKind("Deployment")
                        .withName(name)
                        .withUid(deployment.getMetadata().getUid())
                        .withController(true)
                        .build())
                .endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withNewSelector()
                .withMatchLabels(podLabels)
                .endSelector()
                .withTemplate(deployment.getSpec().getTemplate())
                .endSpec()
                .build();
        client.apps().replicaSets().inNamespace(namespace).resource(rs).createOr(existing -> existing.update());
        List<String> podNames = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            String podName = rsName + "-" + Integer.toHexString(Objects.hash(rsName, i) & 0xfffff);
            podNames.add(podName);
            Pod pod = new PodBuilder()
                    .withNewMetadata()
                    .withName(podName)
                    .withNamespace(namespace)
                    .withLabels(podLabels)
                    .withFinalizers(KUBELET_FINALIZER)
                    .withOwnerReferences(new OwnerReferenceBuilder()
                            .withApiVersion("apps/v1")
                            .withKind("ReplicaSet")
                            .withName(rsName)
                            .withUid(rs.getMetadata().getUid())
                            .withController(true)
                            .build())
                    .endMetadata()
                    .withSpec(deployment.getSpec().getTemplate().getSpec())
                    .withNewStatus()
                    .withPhase("Pending")
                    .endStatus()
                    .build();
            client.pods().inNamespace(namespace).resource(pod).createOr(existing -> existing.update());
        }
        deploymentStatus(
                name,
                replicas,
                0,
                List.of(
                        condition(
                                "Progressing",
                                "True",
                                "ReplicaSetUpdated",
                                "ReplicaSet \"" + rsName + "\" is progressing."),
                        condition(
                                "Available",
                                "False",
                                "MinimumReplicasUnavailable",
                                "Deployment does not have minimum availability.")));
        if (replicas == 0) {
            return;
        }
        List<ScheduledFuture<?>> steps = new ArrayList<>();
        running.put(name, steps);
        long unit = scenario == Scenario.SLOW ? step.toMillis() * 5 : step.toMillis();
        at(steps, unit, () -> podNames.forEach(p -> schedule(p, scenario == Scenario.UNSCHEDULABLE)));
        if (scenario == Scenario.UNSCHEDULABLE) {
            return;
        }
        at(steps, 2 * unit, () -> podNames.forEach(this::pulling));
        switch (scenario) {
            case IMAGE_PULL_FAILURE -> {
                at(steps, 3 * unit, () -> podNames.forEach(p -> imagePullFails(p, deployment, "ErrImagePull")));
                at(steps, 4 * unit, () -> podNames.forEach(p -> imagePullFails(p, deployment, "ImagePullBackOff")));
            }
            case DEADLINE_EXCEEDED ->
                at(
                        steps,
                        progressDeadline.toMillis(),
                        () -> deploymentStatus(
                                name,
                                replicas,
                                0,
                                List.of(
                                        condition(
                                                "Progressing",
                                                "False",
                                                "ProgressDeadlineExceeded",
                                                "ReplicaSet \"" + rsName + "\" has timed out progressing."),
                                        condition(
                                                "Available",
                                                "False",
                                                "MinimumReplicasUnavailable",
                                                "Deployment does not have minimum availability."))));
            case CRASH_LOOP -> {
                at(steps, 3 * unit, () -> podNames.forEach(this::started));
                at(steps, 4 * unit, () -> podNames.forEach(p -> crashed(p, false)));
            }
            case OOM_KILLED -> {
                at(steps, 3 * unit, () -> podNames.forEach(this::started));
                at(steps, 4 * unit, () -> podNames.forEach(p -> crashed(p, true)));
            }
            case READINESS_NEVER_TRUE -> {
                at(steps, 3 * unit, () -> podNames.forEach(this::started));
                for (int k = 4; k < 60; k++) {
                    at(
                            steps,
                            k * unit,
                            () -> podNames.forEach(p -> event(
                                    p,
                                    "Warning",
                                    "Unhealthy",
                                    "kubelet",
                                    "Readiness probe failed: HTTP probe failed with statuscode: 503")));
                }
            }
            default -> {
                at(steps, 3 * unit, () -> podNames.forEach(this::started));
                for (int i = 0; i < podNames.size(); i++) {
                    int ready = i + 1;
                    String pod = podNames.get(i);
                    Runnable becomeReady = () -> {
                        ready(pod);
                        deploymentStatus(
                                name,
                                replicas,
                                ready,
                                ready == replicas
                                        ? List.of(
                                                condition(
                                                        "Progressing",
                                                        "True",
                                                        "NewReplicaSetAvailable",
                                                        "ReplicaSet \"" + rsName + "\" has successfully progressed."),
                                                condition(
                                                        "Available",
                                                        "True",
                                                        "MinimumReplicasAvailable",
                                                        "Deployment has minimum availability."))
                                        : List.of(
                                                condition(
                                                        "Progressing",
                                                        "True",
                                                        "ReplicaSetUpdated",
                                                        "ReplicaSet \"" + rsName + "\" is progressing."),
                                                condition(
                                                        "Available",
                                                        "False",
                                                        "MinimumReplicasUnavailable",
                                                        "Deployment does not have minimum availability.")));
                    };
                    if (i == 0 && (scenario == Scenario.WATCH_DROPPED || scenario == Scenario.GONE_410)) {
                        at(steps, (4 + i) * unit, () -> {
                            if (scenario == Scenario.GONE_410) {
                                server.goneForNextWatches(server.openWatches());
                            }
                            server.dropWatches();
                            // Everything else happens while the watchers reconnect (fabric8 waits about 1 s).
                            becomeReady.run();
                        });
                    } else {
                        at(steps, (4 + i) * unit, becomeReady);
                    }
                }
            }
        }
    }

    private void at(List<ScheduledFuture<?>> steps, long millis, Runnable action) {
        steps.add(clock.schedule(
                () -> {
                    try {
                        action.run();
                    } catch (RuntimeException e) {
                        // A scheduled task's exception would otherwise vanish; close() reports it. A step interrupted
                        // by
                        // close() itself is not a failure.
                        if (!clock.isShutdown()) {
                            errors.add(e);
                        }
                        throw e;
                    }
                },
                millis,
                TimeUnit.MILLISECONDS));
    }

    /** System.nanoTime() just before the simulator's latest write (the benchmark's start of a state change). */
    public long lastWriteNanos() {
        return lastWriteNanos;
    }

    /** A Deployment deleted or re-templated: its pending steps stop, its pods and ReplicaSets go (GC by owner). */
    private void forget(String name) {
        seen.remove(name);
        List<ScheduledFuture<?>> steps = running.remove(name);
        if (steps != null) {
            steps.forEach(f -> f.cancel(false));
        }
        for (Pod pod : client.pods().inNamespace(namespace).list().getItems()) {
            if (ownedBy(pod, name) && pod.getMetadata().getDeletionTimestamp() == null) {
                // Graceful deletion: the API server first sets deletionTimestamp (the pod is Terminating) and the
                // kubelet removes the object once the containers have stopped, here one step later.
                // The kubelet's finalizer keeps the Terminating pod visible until then (the mock, like the API
                // server, removes an object with a deletionTimestamp and no finalizers at once).
                String podName = pod.getMetadata().getName();
                updatePod(podName, p -> {
                    p.getMetadata().setDeletionTimestamp(Instant.now().toString());
                    return p;
                });
                clock.schedule(
                        () -> {
                            updatePod(podName, p -> {
                                p.getMetadata().setFinalizers(List.of());
                                return p;
                            });
                            client.pods()
                                    .inNamespace(namespace)
                                    .withName(podName)
                                    .delete();
                        },
                        step.toMillis(),
                        TimeUnit.MILLISECONDS);
            }
        }
        for (ReplicaSet rs :
                client.apps().replicaSets().inNamespace(namespace).list().getItems()) {
            if (ownedBy(rs, name)) {
                client.apps().replicaSets().inNamespace(namespace).resource(rs).delete();
            }
        }
    }

    private static boolean ownedBy(HasMetadata object, String deployment) {
        return object.getMetadata().getName().startsWith(deployment + "-")
                && object.getMetadata().getOwnerReferences() != null
                && !object.getMetadata().getOwnerReferences().isEmpty();
    }

    // --- the scheduler ---

    private void schedule(String pod, boolean unschedulable) {
        if (unschedulable) {
            updatePod(pod, p -> {
                p.getStatus()
                        .setConditions(List.of(podCondition(
                                "PodScheduled",
                                "False",
                                "Unschedulable",
                                "0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No"
                                        + " preemption victims found for incoming pod.")));
                return p;
            });
            event(
                    pod,
                    "Warning",
                    "FailedScheduling",
                    "default-scheduler",
                    "0/3 nodes are available: 3 Insufficient" + " memory.");
            return;
        }
        updatePod(pod, p -> {
            p.getSpec().setNodeName("node-1");
            p.getStatus().setConditions(List.of(podCondition("PodScheduled", "True", null, null)));
            return p;
        });
        event(
                pod,
                "Normal",
                "Scheduled",
                "default-scheduler",
                "Successfully assigned " + namespace + "/" + pod + " to node-1");
    }

    // --- the kubelet ---

    private void pulling(String pod) {
        updatePod(pod, p -> {
            p.getStatus()
                    .setContainerStatuses(List.of(container(
                            p,
                            false,
                            new ContainerStateBuilder()
                                    .withNewWaiting()
                                    .withReason("ContainerCreating")
                                    .endWaiting()
                                    .build(),
                            null,
                            0)));
            return p;
        });
        event(pod, "Normal", "Pulling", "kubelet", "Pulling image \"" + image(pod) + "\"");
    }

    private void imagePullFails(String pod, Deployment deployment, String reason) {
        String message = "ErrImagePull".equals(reason)
                ? "rpc error: code = NotFound desc = failed to pull and unpack image \"" + image(pod) + "\": not found"
                : "Back-off pulling image \"" + image(pod) + "\"";
        updatePod(pod, p -> {
            p.getStatus()
                    .setContainerStatuses(List.of(container(
                            p,
                            false,
                            new ContainerStateBuilder()
                                    .withNewWaiting()
                                    .withReason(reason)
                                    .withMessage(message)
                                    .endWaiting()
                                    .build(),
                            null,
                            0)));
            return p;
        });
        event(pod, "Warning", "ErrImagePull".equals(reason) ? "Failed" : "BackOff", "kubelet", message);
    }

    private void started(String pod) {
        event(pod, "Normal", "Pulled", "kubelet", "Successfully pulled image \"" + image(pod) + "\"");
        event(pod, "Normal", "Created", "kubelet", "Created container model");
        updatePod(pod, p -> {
            p.getStatus().setPhase("Running");
            p.getStatus()
                    .setContainerStatuses(List.of(container(
                            p,
                            false,
                            new ContainerStateBuilder()
                                    .withNewRunning()
                                    .withStartedAt(Instant.now().toString())
                                    .endRunning()
                                    .build(),
                            null,
                            0)));
            p.getStatus()
                    .setConditions(List.of(
                            podCondition("PodScheduled", "True", null, null),
                            podCondition("Initialized", "True", null, null),
                            podCondition(
                                    "ContainersReady",
                                    "False",
                                    "ContainersNotReady",
                                    "containers with unready status:" + " [model]"),
                            podCondition(
                                    "Ready",
                                    "False",
                                    "ContainersNotReady",
                                    "containers with unready status: [model]")));
            return p;
        });
        event(pod, "Normal", "Started", "kubelet", "Started container model");
    }

    private void crashed(String pod, boolean oomKilled) {
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= 25; i++) {
            lines.add("log line " + i);
        }
        lines.add(
                oomKilled
                        ? "loading model: allocating 3.2 GiB"
                        : "Traceback: ModuleNotFoundError: No module" + " named 'sklearn'");
        server.setLog(namespace, pod, String.join("\n", lines) + "\n");
        updatePod(pod, p -> {
            var last = new ContainerStateBuilder()
                    .withNewTerminated()
                    .withExitCode(oomKilled ? 137 : 1)
                    .withReason(oomKilled ? "OOMKilled" : "Error")
                    .withFinishedAt(Instant.now().toString())
                    .endTerminated()
                    .build();
            var now = new ContainerStateBuilder()
                    .withNewWaiting()
                    .withReason("CrashLoopBackOff")
                    .withMessage("back-off 10s restarting failed container=model pod=" + pod)
                    .endWaiting()
                    .build();
            p.getStatus().setContainerStatuses(List.of(container(p, false, now, last, 1)));
            return p;
        });
        event(pod, "Warning", "BackOff", "kubelet", "Back-off restarting failed container model in pod " + pod);
    }

    private void ready(String pod) {
        updatePod(pod, p -> {
            ContainerStatus status = p.getStatus().getContainerStatuses().get(0);
            status.setReady(true);
            status.setStarted(true);
            p.getStatus()
                    .setConditions(List.of(
                            podCondition("PodScheduled", "True", null, null),
                            podCondition("Initialized", "True", null, null),
                            podCondition("ContainersReady", "True", null, null),
                            podCondition("Ready", "True", null, null)));
            return p;
        });
    }

    private ContainerStatus container(
            Pod pod,
            boolean ready,
            io.fabric8.kubernetes.api.model.ContainerState state,
            io.fabric8.kubernetes.api.model.ContainerState last,
            int restarts) {
        return new ContainerStatusBuilder()
                .withName("model")
                .withImage(pod.getSpec().getContainers().get(0).getImage())
                .withReady(ready)
                .withRestartCount(restarts)
                .withState(state)
                .withLastState(last)
                .build();
    }

    private String image(String pod) {
        Pod p = client.pods().inNamespace(namespace).withName(pod).get();
        return p == null ? "?" : p.getSpec().getContainers().get(0).getImage();
    }

    /** core/v1 Event, as the scheduler and kubelet record them (involvedObject is the Pod). */
    private void event(String pod, String type, String reason, String component, String message) {
        String now = Instant.now().toString();
        lastWriteNanos = System.nanoTime();
        client.v1()
                .events()
                .inNamespace(namespace)
                .resource(new EventBuilder()
                        .withNewMetadata()
                        .withName(pod + "." + Integer.toHexString(eventSequence.incrementAndGet()))
                        .withNamespace(namespace)
                        .endMetadata()
                        .withNewInvolvedObject()
                        .withKind("Pod")
                        .withNamespace(namespace)
                        .withName(pod)
                        .withApiVersion("v1")
                        .endInvolvedObject()
                        .withType(type)
                        .withReason(reason)
                        .withMessage(message)
                        .withNewSource()
                        .withComponent(component)
                        .endSource()
                        .withFirstTimestamp(now)
                        .withLastTimestamp(now)
                        .withCount(1)
                        .build())
                .create();
    }

    // --- the Deployment controller's status ---

    private void deploymentStatus(String name, int replicas, int ready, List<DeploymentCondition> conditions) {
        String revision = String.valueOf(revisions.getOrDefault(name, 1));
        update(
                () -> client.apps()
                        .deployments()
                        .inNamespace(namespace)
                        .withName(name)
                        .get(),
                d -> {
                    Map<String, String> annotations = new LinkedHashMap<>(
                            d.getMetadata().getAnnotations() == null
                                    ? Map.of()
                                    : d.getMetadata().getAnnotations());
                    annotations.put(REVISION, revision);
                    d.getMetadata().setAnnotations(annotations);
                    d.setStatus(new DeploymentStatusBuilder()
                            .withObservedGeneration(d.getMetadata().getGeneration())
                            .withReplicas(replicas)
                            .withUpdatedReplicas(replicas)
                            .withReadyReplicas(ready)
                            .withAvailableReplicas(ready)
                            .withUnavailableReplicas(replicas - ready)
                            .withConditions(conditions)
                            .build());
                    return d;
                });
    }

    private static DeploymentCondition condition(String type, String status, String reason, String message) {
        String now = Instant.now().toString();
        return new DeploymentConditionBuilder()
                .withType(type)
                .withStatus(status)
                .withReason(reason)
                .withMessage(message)
                .withLastUpdateTime(now)
                .withLastTransitionTime(now)
                .build();
    }

    private static PodCondition podCondition(String type, String status, String reason, String message) {
        return new PodConditionBuilder()
                .withType(type)
                .withStatus(status)
                .withReason(reason)
                .withMessage(message)
                .withLastTransitionTime(Instant.now().toString())
                .build();
    }

    private void updatePod(String name, UnaryOperator<Pod> change) {
        update(() -> client.pods().inNamespace(namespace).withName(name).get(), change);
    }

    /** GET, change, PUT with the resourceVersion; on 409 (the code under test wrote in between) again. */
    private <T extends HasMetadata> void update(java.util.function.Supplier<T> get, UnaryOperator<T> change) {
        for (int attempt = 0; attempt < 10; attempt++) {
            T current = get.get();
            if (current == null) {
                return; // deleted meanwhile (retired); nothing to simulate
            }
            try {
                T changed = change.apply(current);
                lastWriteNanos = System.nanoTime();
                client.resource(changed).update();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
            }
        }
        throw new IllegalStateException("simulator: still conflicting after 10 attempts");
    }

    /** The pod-template-hash: the same template always gives the same ReplicaSet name. */
    private String templateHash(Deployment deployment) {
        String json =
                client.getKubernetesSerialization().asJson(deployment.getSpec().getTemplate());
        return Integer.toHexString(json.hashCode() & 0x7fffffff);
    }
}
