package io.jenkins.plugins.modeldeploy.testing;

import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetConditionBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
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
 * Plays the controllers a real cluster runs, on fabric8's CRUD mock (which has none), in steps of {@code step}:
 *
 * <ul>
 *   <li>the Deployment controller ({@code pkg/controller/deployment/rolling.go}, {@code sync.go}, {@code progress.go}):
 *       one ReplicaSet per pod template with the revision annotation; a surge rolling update that honours
 *       {@code maxSurge} and {@code maxUnavailable} (the old ReplicaSet's pods keep serving until new ones are
 *       available; unhealthy old pods go first); status from the pods; {@code Available} by
 *       {@code desired - maxUnavailable}; {@code Progressing=False/ProgressDeadlineExceeded} after
 *       {@code progressDeadline} without progress; a new ReplicaSet's {@code ReplicaFailure} copied to the Deployment;
 *   <li>the ReplicaSet controller ({@code pkg/controller/replicaset/replica_set.go}, {@code replica_set_utils.go}):
 *       pods with owner references; when admission rejects them ({@link Scenario#FAILED_CREATE}), no pod, a
 *       {@code ReplicaFailure=True/FailedCreate} condition with the API server's message and a FailedCreate event;
 *   <li>the HPA controller ({@code pkg/controller/podautoscaler/horizontal.go}): one sync period ({@link #hpaResync})
 *       after an HPA or its target changes, it raises {@code spec.replicas} to {@code minReplicas} (or lowers it to
 *       {@code maxReplicas}); at 0 replicas it does nothing (scaling disabled). It has no metrics, so it never scales
 *       inside the bounds, and it writes no HPA status;
 *   <li>the scheduler (PodScheduled), including a cluster autoscaler that adds a node after some steps;
 *   <li>the kubelet: container states, readiness, restarts, core/v1 Events;
 *   <li>the EndpointSlice controller ({@code pkg/controller/endpointslice}, {@code staging/src/k8s.io/endpointslice/
 *       utils.go}): one {@code discovery.k8s.io/v1} EndpointSlice per Service with a selector, an endpoint per pod
 *       with an IP, conditions {@code ready} (Ready and not terminating), {@code serving} (Ready) and
 *       {@code terminating}.
 * </ul>
 *
 * <p>The API server's defaulting and quantity canonicalisation are {@link MockApiServer}'s ({@link ApiDefaults}).
 *
 * <p>Each pod follows the scenario scripted for its Deployment's name when the pod is created (default
 * {@link Scenario#READY}).
 *
 * <p>A gap of the mock that shapes this class: its watch ignores the requested resourceVersion and starts with the
 * current objects as ADDED, so a deletion between an informer's list and its watch is never delivered (a real API
 * server replays it). Pods are therefore deleted gracefully, as on a cluster: first marked Terminating (held by a
 * finalizer standing in for the kubelet), which any later watch shows, and removed a step later.
 *
 * <p>Only what controllers write is written: status, ReplicaSets, Pods, EndpointSlices, Events, and the HPA's
 * {@code spec.replicas}. Writes are GET-then-PUT with the resourceVersion, retried on 409, because the code under test
 * writes the same Deployments concurrently; nothing is written when nothing changed.
 */
public final class ClusterSimulator implements AutoCloseable {
    /** Scripted behaviours; each names the Kubernetes behaviour it imitates. */
    public enum Scenario {
        /** Scheduled, image pulled, started, ready one replica per step, Available=True. */
        READY,
        /** READY at a fifth of the pace (a big image, a slow model load). */
        SLOW,
        /**
         * The container exits 1 after starting; the kubelet backs off restarting it: waiting CrashLoopBackOff, the
         * restart count growing by one every step.
         */
        CRASH_LOOP,
        /** The registry has no such image: ErrImagePull, then ImagePullBackOff, alternating as the kubelet retries. */
        IMAGE_PULL_FAILURE,
        /** No node fits the requests: the scheduler sets PodScheduled=False, reason Unschedulable, for good. */
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
        GONE_410,
        /**
         * Unschedulable (Insufficient memory) until a cluster autoscaler has added a node, {@link #nodeProvisioning}
         * steps later (a TriggeredScaleUp event), then READY on the new node.
         */
        UNSCHEDULABLE_THEN_SCHEDULED,
        /**
         * Admission rejects every pod (a ResourceQuota on limits.cpu): no pod is ever created; the ReplicaSet and the
         * Deployment get ReplicaFailure=True, reason FailedCreate, with the API server's message.
         */
        FAILED_CREATE,
        /** The registry answers 429 once (ErrImagePull, then ImagePullBackOff), the retry pulls, then READY. */
        IMAGE_PULL_TRANSIENT,
        /** The container crashes once (CrashLoopBackOff, restarts 1), runs again and becomes ready. */
        CRASH_THEN_READY,
        /** The container references a Secret that does not exist: waiting CreateContainerConfigError, for good. */
        CREATE_CONTAINER_CONFIG_ERROR
    }

    static final String REVISION = "deployment.kubernetes.io/revision";
    /** Stands in for the kubelet's hold on a pod object until its containers have stopped. */
    static final String KUBELET_FINALIZER = "simulator.model-deploy.test/kubelet";

    /** The ResourceQuota admission's rejection of a pod without a CPU limit (FAILED_CREATE). */
    public static final String QUOTA_MESSAGE = "failed quota: compute: must specify limits.cpu for: model";

    private static final int SCRIPT_STEPS = 60;

    private final MockApiServer server;
    private final KubernetesClient client;
    private final String namespace;
    private final Duration step;
    private final Duration progressDeadline;
    private volatile Duration hpaResync;
    private volatile int nodeProvisioning = 6;
    private final ScheduledExecutorService clock;
    private final Map<String, Scenario> scripts = new ConcurrentHashMap<>();
    // Owned by the clock thread.
    private final Map<String, Controlled> controlled = new HashMap<>();
    private final Map<String, ScheduledFuture<?>> hpaPending = new HashMap<>();
    private final Map<String, String> slicesWritten = new HashMap<>();
    private final AtomicInteger eventSequence = new AtomicInteger();
    private final SharedIndexInformer<Deployment> informer;
    private final SharedIndexInformer<HorizontalPodAutoscaler> autoscalers;
    private final SharedIndexInformer<Service> services;
    private final List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile long lastWriteNanos;

    /** The Deployment controller's memory of one Deployment. */
    private static final class Controlled {
        int revision;
        String currentHash;
        final Map<String, Set> sets = new LinkedHashMap<>();
        ScheduledFuture<?> deadline;
        boolean deadlineExceeded;
        boolean newSetCreated;
        boolean watchesDropped;
        String statusWritten;
    }

    /** One ReplicaSet and its pods. */
    private static final class Set {
        final String name;
        final String hash;
        final String uid;
        boolean rejecting;
        int revision;
        int replicas;
        int created;
        boolean failedCreateReported;
        final List<SimPod> pods = new ArrayList<>();
        String written;

        Set(String name, String hash, String uid, int revision) {
            this.name = name;
            this.hash = hash;
            this.uid = uid;
            this.revision = revision;
        }

        long ready() {
            return pods.stream().filter(p -> p.ready).count();
        }
    }

    /** One pod as the kubelet knows it. */
    private static final class SimPod {
        final String name;
        final Map<String, String> labels;
        final List<ScheduledFuture<?>> steps = new ArrayList<>();
        String ip;
        String node;
        boolean ready;
        boolean terminating;

        SimPod(String name, Map<String, String> labels) {
            this.name = name;
            this.labels = labels;
        }
    }

    public ClusterSimulator(MockApiServer server, String namespace, Duration step, Duration progressDeadline) {
        this.server = server;
        this.client = server.client();
        this.namespace = namespace;
        this.step = step;
        this.progressDeadline = progressDeadline;
        this.hpaResync = step.multipliedBy(3);
        this.clock = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "cluster-simulator");
            thread.setDaemon(true);
            return thread;
        });
        informer = client.apps().deployments().inNamespace(namespace).runnableInformer(0);
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Deployment deployment) {
                changed(deployment.getMetadata().getName());
            }

            @Override
            public void onUpdate(Deployment before, Deployment after) {
                changed(after.getMetadata().getName());
            }

            @Override
            public void onDelete(Deployment deployment, boolean unknown) {
                clock.execute(() -> forget(deployment.getMetadata().getName()));
            }
        });
        autoscalers = client.autoscaling()
                .v2()
                .horizontalPodAutoscalers()
                .inNamespace(namespace)
                .runnableInformer(0);
        autoscalers.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(HorizontalPodAutoscaler hpa) {
                clock.execute(() -> enqueueHpa(hpa.getMetadata().getName()));
            }

            @Override
            public void onUpdate(HorizontalPodAutoscaler before, HorizontalPodAutoscaler after) {
                clock.execute(() -> enqueueHpa(after.getMetadata().getName()));
            }

            @Override
            public void onDelete(HorizontalPodAutoscaler hpa, boolean unknown) {
                clock.execute(() -> {
                    ScheduledFuture<?> pending =
                            hpaPending.remove(hpa.getMetadata().getName());
                    if (pending != null) {
                        pending.cancel(false);
                    }
                });
            }
        });
        services = client.services().inNamespace(namespace).runnableInformer(0);
        services.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Service service) {
                clock.execute(() -> endpoints());
            }

            @Override
            public void onUpdate(Service before, Service after) {
                clock.execute(() -> endpoints());
            }

            @Override
            public void onDelete(Service service, boolean unknown) {
                clock.execute(() -> endpoints());
            }
        });
        try {
            for (SharedIndexInformer<?> i : List.of(informer, autoscalers, services)) {
                i.start().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("the simulator's informers did not start", e);
        }
    }

    public ClusterSimulator script(String deployment, Scenario scenario) {
        scripts.put(deployment, scenario);
        return this;
    }

    /** The HPA controller's sync period (upstream 15 s; here 3 steps unless set). */
    public ClusterSimulator hpaResync(Duration period) {
        this.hpaResync = period;
        return this;
    }

    /** Steps from Unschedulable to the new node (UNSCHEDULABLE_THEN_SCHEDULED; default 6). */
    public ClusterSimulator nodeProvisioning(int steps) {
        this.nodeProvisioning = steps;
        return this;
    }

    /** Stops; throws if a scripted step failed (which would otherwise only show as a watcher timing out). */
    @Override
    public void close() {
        informer.close();
        autoscalers.close();
        services.close();
        clock.shutdownNow();
        client.close();
        if (!errors.isEmpty()) {
            IllegalStateException failure = new IllegalStateException("a simulator step failed: " + errors.get(0));
            errors.forEach(failure::addSuppressed);
            throw failure;
        }
    }

    private void changed(String name) {
        clock.execute(() -> {
            guarded(() -> sync(name));
            // horizontal.go: the HPA re-reads its target at its next sync, not at once.
            for (HorizontalPodAutoscaler hpa : autoscalers.getStore().list()) {
                if (targets(hpa, name)) {
                    enqueueHpa(hpa.getMetadata().getName());
                }
            }
        });
    }

    // --- the Deployment controller ---

    private Deployment cached(String name) {
        return informer.getStore().getByKey(namespace + "/" + name);
    }

    private static int replicas(Deployment deployment) {
        Integer replicas = deployment.getSpec().getReplicas();
        return replicas == null ? 1 : replicas;
    }

    /**
     * One sync of the Deployment controller (sync.go, rolling.go): make sure the current template has its
     * ReplicaSet, scale it up within maxSurge, scale the old ones down within maxUnavailable (unhealthy pods first),
     * give every ReplicaSet its pods, and write the status the pods give.
     */
    private void sync(String name) {
        Deployment deployment = cached(name);
        if (deployment == null || deployment.getMetadata().getDeletionTimestamp() != null) {
            return;
        }
        Controlled c = controlled.computeIfAbsent(name, k -> new Controlled());
        String hash = templateHash(deployment);
        int desired = replicas(deployment);
        boolean progressed = false;
        Set current = c.sets.get(hash);
        if (current == null) {
            c.revision++;
            current =
                    new Set(name + "-" + hash, hash, java.util.UUID.randomUUID().toString(), c.revision);
            c.sets.put(hash, current);
            c.newSetCreated = true;
            c.deadlineExceeded = false;
            progressed = true;
        } else if (!hash.equals(c.currentHash)) {
            // Back to an older template (a rollback): its ReplicaSet gets the next revision.
            c.revision++;
            current.revision = c.revision;
            c.deadlineExceeded = false;
            progressed = true;
        }
        c.currentHash = hash;
        int[] fence = fenceposts(deployment, desired);
        int surge = fence[0];
        int unavailable = fence[1];
        int total = c.sets.values().stream().mapToInt(s -> s.replicas).sum();
        if (current.replicas > desired) {
            current.replicas = desired;
            progressed = true;
        } else if (current.replicas < desired) {
            int up = Math.min(Math.max(0, desired + surge - total), desired - current.replicas);
            if (up > 0) {
                current.replicas += up;
                progressed = true;
            }
        }
        // rolling.go reconcileOldReplicaSets: never below desired - maxUnavailable available pods.
        int minAvailable = desired - unavailable;
        total = c.sets.values().stream().mapToInt(s -> s.replicas).sum();
        int newUnavailable = (int) (current.replicas - current.ready());
        int maxScaledDown = total - minAvailable - newUnavailable;
        for (Set old : c.sets.values()) {
            if (old == current || old.replicas == 0 || maxScaledDown <= 0) {
                continue;
            }
            int unhealthy = (int) Math.max(0, Math.min(old.pods.size(), old.replicas) - old.ready());
            int cleanup = Math.min(maxScaledDown, unhealthy);
            old.replicas -= cleanup;
            maxScaledDown -= cleanup;
            progressed |= cleanup > 0;
        }
        int available = c.sets.values().stream().mapToInt(s -> (int) s.ready()).sum();
        int canScaleDown = Math.min(maxScaledDown, available - minAvailable);
        for (Set old : c.sets.values()) {
            if (old == current || old.replicas == 0 || canScaleDown <= 0) {
                continue;
            }
            int down = Math.min(canScaleDown, old.replicas);
            old.replicas -= down;
            canScaleDown -= down;
            progressed = true;
        }
        for (Set set : c.sets.values()) {
            replicaSet(deployment, c, set);
        }
        if (progressed) {
            progress(name, c);
        }
        deploymentStatus(name, deployment, c, desired, unavailable);
    }

    /** rolling.go ResolveFenceposts: maxSurge rounds up, maxUnavailable down; both 0 would deadlock, so 1. */
    private static int[] fenceposts(Deployment deployment, int desired) {
        var strategy = deployment.getSpec().getStrategy();
        var rolling = strategy == null ? null : strategy.getRollingUpdate();
        if (strategy != null && "Recreate".equals(strategy.getType())) {
            return new int[] {0, desired};
        }
        int surge = scaled(rolling == null ? null : rolling.getMaxSurge(), desired, true);
        int unavailable = scaled(rolling == null ? null : rolling.getMaxUnavailable(), desired, false);
        if (surge == 0 && unavailable == 0) {
            unavailable = 1;
        }
        return new int[] {surge, Math.min(unavailable, desired)};
    }

    private static int scaled(IntOrString value, int total, boolean roundUp) {
        if (value == null) {
            value = new IntOrString("25%");
        }
        if (value.getIntVal() != null) {
            return value.getIntVal();
        }
        String s = value.getStrVal();
        double percent = Double.parseDouble(s.substring(0, s.length() - 1)) * total / 100.0;
        return (int) (roundUp ? Math.ceil(percent) : Math.floor(percent));
    }

    /**
     * progress.go: progress resets the deadline; no progress for progressDeadline while incomplete sets
     * Progressing=False, reason ProgressDeadlineExceeded.
     */
    private void progress(String name, Controlled c) {
        if (c.deadline != null) {
            c.deadline.cancel(false);
        }
        c.deadline = clock.schedule(
                () -> guarded(() -> {
                    c.deadlineExceeded = true;
                    sync(name);
                }),
                progressDeadline.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** The ReplicaSet object and its pods (the ReplicaSet controller), written only when something changed. */
    private void replicaSet(Deployment deployment, Controlled c, Set set) {
        Map<String, String> podLabels = new LinkedHashMap<>(
                deployment.getSpec().getTemplate().getMetadata().getLabels());
        podLabels.put("pod-template-hash", set.hash);
        // The script as it is now: a test may change it between a failed rollout and a restore of the same template.
        Scenario scenario = scripts.getOrDefault(deployment.getMetadata().getName(), Scenario.READY);
        boolean admissionRejects = scenario == Scenario.FAILED_CREATE;
        set.rejecting = admissionRejects;
        if (!admissionRejects) {
            List<SimPod> batch = new ArrayList<>();
            while (set.pods.size() < set.replicas) {
                SimPod pod = createPod(deployment, set, podLabels);
                set.pods.add(pod);
                batch.add(pod);
            }
            for (int i = 0; i < batch.size(); i++) {
                script(deployment.getMetadata().getName(), c, scenario, batch.get(i), i);
            }
            while (set.pods.size() > set.replicas) {
                // replica_set.go getPodsToDelete: not-ready pods go before ready ones.
                SimPod victim = set.pods.stream()
                        .filter(p -> !p.ready)
                        .reduce((a, b) -> b)
                        .orElse(set.pods.get(set.pods.size() - 1));
                set.pods.remove(victim);
                terminate(victim);
            }
        }
        String failure = admissionRejects && set.replicas > 0
                ? "pods \"" + set.name + "-" + podSuffix(set.name, set.created) + "\" is forbidden: " + QUOTA_MESSAGE
                : null;
        ReplicaSet rs = new ReplicaSetBuilder()
                .withNewMetadata()
                .withName(set.name)
                .withNamespace(namespace)
                .withLabels(podLabels)
                .withAnnotations(Map.of(REVISION, String.valueOf(set.revision)))
                .withOwnerReferences(new OwnerReferenceBuilder()
                        .withApiVersion("apps/v1")
                        .withKind("Deployment")
                        .withName(deployment.getMetadata().getName())
                        .withUid(deployment.getMetadata().getUid())
                        .withController(true)
                        .build())
                .endMetadata()
                .withNewSpec()
                .withReplicas(set.replicas)
                .withNewSelector()
                .withMatchLabels(podLabels)
                .endSelector()
                .withTemplate(deployment.getSpec().getTemplate())
                .endSpec()
                .withNewStatus()
                .withReplicas(set.pods.size())
                .withReadyReplicas((int) set.ready())
                .withAvailableReplicas((int) set.ready())
                .withConditions(
                        failure == null
                                ? List.of()
                                : List.of(new ReplicaSetConditionBuilder()
                                        .withType("ReplicaFailure")
                                        .withStatus("True")
                                        .withReason("FailedCreate")
                                        .withMessage(failure)
                                        .withLastTransitionTime(Instant.now().toString())
                                        .build()))
                .endStatus()
                .build();
        String json = set.replicas + "/" + set.pods.size() + "/" + set.ready() + "/" + set.revision + "/" + failure;
        if (!json.equals(set.written)) {
            set.written = json;
            lastWriteNanos = System.nanoTime();
            // Created first, then given its status: like the API server, the mock ignores status on create.
            ReplicaSet live = client.apps()
                    .replicaSets()
                    .inNamespace(namespace)
                    .withName(set.name)
                    .get();
            if (live == null) {
                client.apps().replicaSets().inNamespace(namespace).resource(rs).create();
            }
            update(
                    () -> client.apps()
                            .replicaSets()
                            .inNamespace(namespace)
                            .withName(set.name)
                            .get(),
                    r -> {
                        r.getMetadata().setAnnotations(rs.getMetadata().getAnnotations());
                        r.setSpec(rs.getSpec());
                        r.setStatus(rs.getStatus());
                        return r;
                    });
        }
        if (failure != null && !set.failedCreateReported) {
            set.failedCreateReported = true;
            event(
                    "ReplicaSet",
                    set.name,
                    "Warning",
                    "FailedCreate",
                    "replicaset-controller",
                    "Error creating: " + failure);
        }
    }

    private String podSuffix(String rsName, int n) {
        String alphabet = "bcdfghjklmnpqrstvwxz2456789";
        int h = Objects.hash(rsName, n) & 0x7fffffff;
        StringBuilder suffix = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            suffix.append(alphabet.charAt(h % alphabet.length()));
            h /= alphabet.length();
        }
        return suffix.toString();
    }

    private SimPod createPod(Deployment deployment, Set set, Map<String, String> podLabels) {
        String podName = set.name + "-" + podSuffix(set.name, set.created++);
        Pod pod = new PodBuilder()
                .withNewMetadata()
                .withName(podName)
                .withNamespace(namespace)
                .withLabels(podLabels)
                .withFinalizers(KUBELET_FINALIZER)
                .withOwnerReferences(new OwnerReferenceBuilder()
                        .withApiVersion("apps/v1")
                        .withKind("ReplicaSet")
                        .withName(set.name)
                        .withUid(set.uid)
                        .withController(true)
                        .build())
                .endMetadata()
                .withSpec(deployment.getSpec().getTemplate().getSpec())
                .build();
        lastWriteNanos = System.nanoTime();
        client.pods().inNamespace(namespace).resource(pod).createOr(existing -> existing.update());
        updatePod(podName, p -> {
            p.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder()
                    .withPhase("Pending")
                    .build());
            return p;
        });
        return new SimPod(podName, podLabels);
    }

    /** The scheduler's and the kubelet's script for one new pod, in steps from now. */
    private void script(String deployment, Controlled c, Scenario scenario, SimPod pod, int index) {
        long u = scenario == Scenario.SLOW ? step.toMillis() * 5 : step.toMillis();
        String p = pod.name;
        if (scenario == Scenario.UNSCHEDULABLE || scenario == Scenario.UNSCHEDULABLE_THEN_SCHEDULED) {
            at(pod, u, () -> unschedulable(p));
            if (scenario == Scenario.UNSCHEDULABLE) {
                return;
            }
        }
        long o = scenario == Scenario.UNSCHEDULABLE_THEN_SCHEDULED ? nodeProvisioning * u : 0;
        if (o > 0) {
            at(
                    pod,
                    2 * u,
                    () -> event(
                            "Pod",
                            p,
                            "Normal",
                            "TriggeredScaleUp",
                            "cluster-autoscaler",
                            "pod triggered scale-up: [{pool-b 1->2 (max: 5)}]"));
        }
        at(pod, o + u, () -> schedule(pod, o > 0 ? "node-2" : "node-1"));
        at(pod, o + 2 * u, () -> pulling(p));
        switch (scenario) {
            case IMAGE_PULL_FAILURE -> {
                for (int k = 3; k < SCRIPT_STEPS; k++) {
                    String reason = k % 2 == 1 ? "ErrImagePull" : "ImagePullBackOff";
                    at(pod, o + k * u, () -> imagePullFails(p, reason, false));
                }
            }
            case IMAGE_PULL_TRANSIENT -> {
                at(pod, o + 3 * u, () -> imagePullFails(p, "ErrImagePull", true));
                at(pod, o + 4 * u, () -> imagePullFails(p, "ImagePullBackOff", true));
                at(pod, o + 5 * u, () -> pulling(p));
                at(pod, o + 6 * u, () -> started(pod, 0));
                at(pod, o + 7 * u, () -> ready(deployment, pod));
            }
            case DEADLINE_EXCEEDED -> {
                // stuck in ContainerCreating: the Deployment controller's deadline ends it
            }
            case CRASH_LOOP -> {
                at(pod, o + 3 * u, () -> started(pod, 0));
                for (int k = 4; k < SCRIPT_STEPS; k++) {
                    int restarts = k - 3;
                    at(pod, o + k * u, () -> crashed(p, false, restarts));
                }
            }
            case CRASH_THEN_READY -> {
                at(pod, o + 3 * u, () -> started(pod, 0));
                at(pod, o + 4 * u, () -> crashed(p, false, 1));
                at(pod, o + 5 * u, () -> started(pod, 1));
                at(pod, o + 6 * u, () -> ready(deployment, pod));
            }
            case OOM_KILLED -> {
                at(pod, o + 3 * u, () -> started(pod, 0));
                at(pod, o + 4 * u, () -> crashed(p, true, 1));
            }
            case READINESS_NEVER_TRUE -> {
                at(pod, o + 3 * u, () -> started(pod, 0));
                for (int k = 4; k < SCRIPT_STEPS; k++) {
                    at(
                            pod,
                            o + k * u,
                            () -> event(
                                    "Pod",
                                    p,
                                    "Warning",
                                    "Unhealthy",
                                    "kubelet",
                                    "Readiness probe failed: HTTP probe failed with statuscode: 503"));
                }
            }
            case CREATE_CONTAINER_CONFIG_ERROR -> at(pod, o + 3 * u, () -> createContainerConfigError(p));
            default -> {
                at(pod, o + 3 * u, () -> started(pod, 0));
                boolean drop =
                        (scenario == Scenario.WATCH_DROPPED || scenario == Scenario.GONE_410) && !c.watchesDropped;
                if (drop) {
                    c.watchesDropped = true;
                }
                at(pod, o + (4 + index) * u, () -> {
                    if (drop) {
                        if (scenario == Scenario.GONE_410) {
                            server.goneForNextWatches(server.openWatches());
                        }
                        server.dropWatches();
                        // Everything else happens while the watchers reconnect (fabric8 waits about 1 s).
                    }
                    ready(deployment, pod);
                });
            }
        }
    }

    private void at(SimPod pod, long millis, Runnable action) {
        pod.steps.add(clock.schedule(() -> guarded(action), millis, TimeUnit.MILLISECONDS));
    }

    private void guarded(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            // A scheduled task's exception would otherwise vanish; close() reports it. A step interrupted by close()
            // itself is not a failure.
            if (!clock.isShutdown()) {
                errors.add(e);
            }
            throw e;
        }
    }

    /** The Deployment's status as sync.go calculateStatus derives it from the ReplicaSets' pods. */
    private void deploymentStatus(String name, Deployment deployment, Controlled c, int desired, int maxUnavailable) {
        Set current = c.sets.get(c.currentHash);
        int replicas = c.sets.values().stream().mapToInt(s -> s.pods.size()).sum();
        int updated = current.pods.size();
        int ready = c.sets.values().stream().mapToInt(s -> (int) s.ready()).sum();
        boolean complete = updated == desired && replicas == desired && ready == desired && desired > 0;
        if (complete) {
            c.deadlineExceeded = false;
            if (c.deadline != null) {
                c.deadline.cancel(false);
            }
        }
        List<DeploymentCondition> conditions = new ArrayList<>();
        conditions.add(
                complete
                        ? condition(
                                "Progressing",
                                "True",
                                "NewReplicaSetAvailable",
                                "ReplicaSet \"" + current.name + "\" has successfully progressed.")
                        : c.deadlineExceeded
                                ? condition(
                                        "Progressing",
                                        "False",
                                        "ProgressDeadlineExceeded",
                                        "ReplicaSet \"" + current.name + "\" has timed out progressing.")
                                : condition(
                                        "Progressing",
                                        "True",
                                        "ReplicaSetUpdated",
                                        "ReplicaSet \"" + current.name + "\" is progressing."));
        conditions.add(
                ready >= desired - maxUnavailable && desired > 0
                        ? condition(
                                "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.")
                        : condition(
                                "Available",
                                "False",
                                "MinimumReplicasUnavailable",
                                "Deployment does not have minimum availability."));
        if (current.rejecting && current.replicas > 0) {
            // progress.go: the new ReplicaSet's failure conditions are copied to the Deployment.
            conditions.add(condition(
                    "ReplicaFailure",
                    "True",
                    "FailedCreate",
                    "pods \"" + current.name + "-" + podSuffix(current.name, current.created) + "\" is forbidden: "
                            + QUOTA_MESSAGE));
        }
        String summary = deployment.getMetadata().getGeneration() + "/" + current.revision + "/" + replicas + "/"
                + updated + "/" + ready + "/" + desired + "/"
                + conditions.stream()
                        .map(x -> x.getType() + x.getStatus() + x.getReason())
                        .toList();
        if (summary.equals(c.statusWritten)) {
            return;
        }
        c.statusWritten = summary;
        String revision = String.valueOf(current.revision);
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
                            .withUpdatedReplicas(updated)
                            .withReadyReplicas(ready)
                            .withAvailableReplicas(ready)
                            .withUnavailableReplicas(Math.max(0, desired - ready))
                            .withConditions(conditions)
                            .build());
                    return d;
                });
    }

    /** System.nanoTime() just before the simulator's latest write (the benchmark's start of a state change). */
    public long lastWriteNanos() {
        return lastWriteNanos;
    }

    /** A Deployment deleted: its pods (gracefully) and ReplicaSets go (garbage collection by owner). */
    private void forget(String name) {
        Controlled c = controlled.remove(name);
        if (c != null) {
            if (c.deadline != null) {
                c.deadline.cancel(false);
            }
            c.sets.values().forEach(set -> set.pods.forEach(this::terminate));
        }
        for (Pod pod : client.pods().inNamespace(namespace).list().getItems()) {
            if (ownedBy(pod, name) && pod.getMetadata().getDeletionTimestamp() == null) {
                terminate(new SimPod(
                        pod.getMetadata().getName(), pod.getMetadata().getLabels()));
            }
        }
        for (ReplicaSet rs :
                client.apps().replicaSets().inNamespace(namespace).list().getItems()) {
            if (ownedBy(rs, name)) {
                client.apps().replicaSets().inNamespace(namespace).resource(rs).delete();
            }
        }
    }

    /**
     * Graceful deletion: the API server first sets deletionTimestamp (the pod is Terminating, its endpoint no longer
     * ready but still serving) and the kubelet removes the object once the containers have stopped, here one step
     * later. The kubelet's finalizer keeps the Terminating pod visible until then (the mock, like the API server,
     * removes an object with a deletionTimestamp and no finalizers at once).
     */
    private void terminate(SimPod pod) {
        pod.steps.forEach(f -> f.cancel(false));
        if (pod.terminating) {
            return;
        }
        pod.terminating = true;
        updatePod(pod.name, p -> {
            p.getMetadata().setDeletionTimestamp(Instant.now().toString());
            return p;
        });
        terminatingPods.put(pod.name, pod);
        endpoints();
        clock.schedule(
                () -> guarded(() -> {
                    updatePod(pod.name, p -> {
                        p.getMetadata().setFinalizers(List.of());
                        return p;
                    });
                    client.pods().inNamespace(namespace).withName(pod.name).delete();
                    terminatingPods.remove(pod.name);
                    endpoints();
                }),
                step.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private final Map<String, SimPod> terminatingPods = new LinkedHashMap<>();

    private static boolean ownedBy(HasMetadata object, String deployment) {
        return object.getMetadata().getName().startsWith(deployment + "-")
                && object.getMetadata().getOwnerReferences() != null
                && !object.getMetadata().getOwnerReferences().isEmpty();
    }

    // --- the HPA controller ---

    private static boolean targets(HorizontalPodAutoscaler hpa, String deployment) {
        return hpa.getSpec() != null
                && hpa.getSpec().getScaleTargetRef() != null
                && "Deployment".equals(hpa.getSpec().getScaleTargetRef().getKind())
                && deployment.equals(hpa.getSpec().getScaleTargetRef().getName());
    }

    /** horizontal.go enqueueHPA: AddRateLimited, i.e. the HPA acts at its next sync, one resync period later. */
    private void enqueueHpa(String name) {
        if (hpaPending.containsKey(name)) {
            return;
        }
        hpaPending.put(
                name,
                clock.schedule(
                        () -> guarded(() -> {
                            hpaPending.remove(name);
                            reconcileHpa(name);
                        }),
                        hpaResync.toMillis(),
                        TimeUnit.MILLISECONDS));
    }

    /**
     * horizontal.go reconcileAutoscaler, without metrics: 0 replicas means scaling is disabled; below minReplicas
     * (TooFewReplicas) or above maxReplicas (TooManyReplicas) it writes the bound to the target's replicas.
     */
    private void reconcileHpa(String name) {
        HorizontalPodAutoscaler hpa = autoscalers.getStore().getByKey(namespace + "/" + name);
        if (hpa == null || hpa.getSpec() == null || hpa.getSpec().getScaleTargetRef() == null) {
            return;
        }
        String target = hpa.getSpec().getScaleTargetRef().getName();
        Deployment deployment = cached(target);
        if (deployment == null) {
            return;
        }
        int current = replicas(deployment);
        if (current == 0) {
            return; // ScalingDisabled: "scaling is disabled since the replica count of the target is zero"
        }
        int min = hpa.getSpec().getMinReplicas() == null ? 1 : hpa.getSpec().getMinReplicas();
        int max =
                hpa.getSpec().getMaxReplicas() == null ? current : hpa.getSpec().getMaxReplicas();
        int desired = Math.max(min, Math.min(max, current));
        if (desired == current) {
            return;
        }
        update(
                () -> client.apps()
                        .deployments()
                        .inNamespace(namespace)
                        .withName(target)
                        .get(),
                d -> {
                    if (d.getSpec().getReplicas() != null && d.getSpec().getReplicas() == 0) {
                        return null; // scaled to zero meanwhile: disabled
                    }
                    d.getSpec().setReplicas(desired);
                    return d;
                });
        event(
                "HorizontalPodAutoscaler",
                name,
                "Normal",
                "SuccessfulRescale",
                "horizontal-pod-autoscaler",
                "New size: " + desired + "; reason: Current number of replicas below Spec.MinReplicas");
    }

    // --- the EndpointSlice controller ---

    /** One EndpointSlice per Service with a selector, rewritten only when its endpoints or ports change. */
    private void endpoints() {
        Map<String, SimPod> pods = new LinkedHashMap<>();
        for (Controlled c : controlled.values()) {
            for (Set set : c.sets.values()) {
                set.pods.forEach(p -> pods.put(p.name, p));
            }
        }
        pods.putAll(terminatingPods);
        java.util.Set<String> live = new java.util.HashSet<>();
        for (Service service : services.getStore().list()) {
            Map<String, String> selector =
                    service.getSpec() == null ? null : service.getSpec().getSelector();
            if (selector == null || selector.isEmpty()) {
                continue;
            }
            String sliceName = service.getMetadata().getName() + "-sim";
            live.add(sliceName);
            List<Endpoint> endpoints = new ArrayList<>();
            for (SimPod pod : pods.values()) {
                if (pod.ip == null || !pod.labels.entrySet().containsAll(selector.entrySet())) {
                    continue;
                }
                endpoints.add(new EndpointBuilder()
                        .withAddresses(pod.ip)
                        .withNewConditions()
                        .withReady(pod.ready && !pod.terminating)
                        .withServing(pod.ready)
                        .withTerminating(pod.terminating)
                        .endConditions()
                        .withNodeName(pod.node)
                        .withNewTargetRef()
                        .withKind("Pod")
                        .withNamespace(namespace)
                        .withName(pod.name)
                        .endTargetRef()
                        .build());
            }
            List<EndpointPort> ports = new ArrayList<>();
            for (ServicePort port : service.getSpec().getPorts()) {
                IntOrString target = port.getTargetPort();
                // The template's named container port "http" is 8080 (ManifestRenderer); a number is itself.
                int number = target == null
                        ? port.getPort()
                        : target.getIntVal() != null ? target.getIntVal() : containerPort(target.getStrVal());
                ports.add(new EndpointPortBuilder()
                        .withName(port.getName())
                        .withPort(number)
                        .withProtocol("TCP")
                        .build());
            }
            EndpointSlice slice = new EndpointSliceBuilder()
                    .withNewMetadata()
                    .withName(sliceName)
                    .withNamespace(namespace)
                    .withLabels(Map.of(
                            "kubernetes.io/service-name",
                            service.getMetadata().getName(),
                            "endpointslice.kubernetes.io/managed-by",
                            "endpointslice-controller.k8s.io"))
                    .withOwnerReferences(new OwnerReferenceBuilder()
                            .withApiVersion("v1")
                            .withKind("Service")
                            .withName(service.getMetadata().getName())
                            .withUid(service.getMetadata().getUid())
                            .withController(true)
                            .build())
                    .endMetadata()
                    .withAddressType("IPv4")
                    .withEndpoints(endpoints)
                    .withPorts(ports)
                    .build();
            String json = client.getKubernetesSerialization().asJson(slice);
            if (json.equals(slicesWritten.get(sliceName))) {
                continue;
            }
            slicesWritten.put(sliceName, json);
            lastWriteNanos = System.nanoTime();
            client.resource(slice).inNamespace(namespace).createOr(existing -> existing.update());
        }
        for (String gone : new ArrayList<>(slicesWritten.keySet())) {
            if (!live.contains(gone)) {
                slicesWritten.remove(gone);
                client.discovery()
                        .v1()
                        .endpointSlices()
                        .inNamespace(namespace)
                        .withName(gone)
                        .delete();
            }
        }
    }

    private int containerPort(String name) {
        for (Deployment d : informer.getStore().list()) {
            for (var container : d.getSpec().getTemplate().getSpec().getContainers()) {
                for (var port : container.getPorts() == null
                        ? List.<io.fabric8.kubernetes.api.model.ContainerPort>of()
                        : container.getPorts()) {
                    if (name.equals(port.getName())) {
                        return port.getContainerPort();
                    }
                }
            }
        }
        return 0;
    }

    /** The EndpointSlice the simulator keeps for {@code service} (null before its first write). */
    public EndpointSlice endpointSlice(String service) {
        return client.discovery()
                .v1()
                .endpointSlices()
                .inNamespace(namespace)
                .withName(service + "-sim")
                .get();
    }

    // --- the scheduler (and a cluster autoscaler) ---

    private void unschedulable(String pod) {
        String message = "0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No"
                + " preemption victims found for incoming pod.";
        updatePod(pod, p -> {
            p.getStatus().setConditions(List.of(podCondition("PodScheduled", "False", "Unschedulable", message)));
            return p;
        });
        event("Pod", pod, "Warning", "FailedScheduling", "default-scheduler", message);
    }

    private void schedule(SimPod pod, String node) {
        pod.node = node;
        updatePod(pod.name, p -> {
            p.getSpec().setNodeName(node);
            p.getStatus().setConditions(List.of(podCondition("PodScheduled", "True", null, null)));
            return p;
        });
        event(
                "Pod",
                pod.name,
                "Normal",
                "Scheduled",
                "default-scheduler",
                "Successfully assigned " + namespace + "/" + pod.name + " to " + node);
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
        event("Pod", pod, "Normal", "Pulling", "kubelet", "Pulling image \"" + image(pod) + "\"");
    }

    private void imagePullFails(String pod, String reason, boolean transientError) {
        String pull = transientError
                ? "rpc error: code = Unknown desc = failed to pull and unpack image \"" + image(pod)
                        + "\": unexpected status from HEAD request: 429 Too Many Requests"
                : "rpc error: code = NotFound desc = failed to pull and unpack image \"" + image(pod) + "\": not found";
        String message = "ErrImagePull".equals(reason) ? pull : "Back-off pulling image \"" + image(pod) + "\"";
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
        event("Pod", pod, "Warning", "ErrImagePull".equals(reason) ? "Failed" : "BackOff", "kubelet", message);
    }

    private void createContainerConfigError(String pod) {
        String message = "secret \"iris-credentials\" not found";
        updatePod(pod, p -> {
            p.getStatus()
                    .setContainerStatuses(List.of(container(
                            p,
                            false,
                            new ContainerStateBuilder()
                                    .withNewWaiting()
                                    .withReason("CreateContainerConfigError")
                                    .withMessage(message)
                                    .endWaiting()
                                    .build(),
                            null,
                            0)));
            return p;
        });
        event("Pod", pod, "Warning", "Failed", "kubelet", "Error: " + message);
    }

    private void started(SimPod pod, int restarts) {
        String name = pod.name;
        if (restarts == 0) {
            event("Pod", name, "Normal", "Pulled", "kubelet", "Successfully pulled image \"" + image(name) + "\"");
        }
        event("Pod", name, "Normal", "Created", "kubelet", "Created container model");
        // The sandbox has its address once the containers run (the kubelet reports status.podIP).
        int h = name.hashCode() & 0xffff;
        pod.ip = "10.244." + (h >> 8) + "." + Math.max(1, h & 0xff);
        updatePod(name, p -> {
            p.getStatus().setPhase("Running");
            p.getStatus().setPodIP(pod.ip);
            p.getStatus().setPodIPs(List.of(new io.fabric8.kubernetes.api.model.PodIP(pod.ip)));
            var last = restarts == 0
                            || p.getStatus().getContainerStatuses() == null
                            || p.getStatus().getContainerStatuses().isEmpty()
                    ? null
                    : p.getStatus().getContainerStatuses().get(0).getLastState();
            p.getStatus()
                    .setContainerStatuses(List.of(container(
                            p,
                            false,
                            new ContainerStateBuilder()
                                    .withNewRunning()
                                    .withStartedAt(Instant.now().toString())
                                    .endRunning()
                                    .build(),
                            last,
                            restarts)));
            p.getStatus()
                    .setConditions(List.of(
                            podCondition("PodScheduled", "True", null, null),
                            podCondition("Initialized", "True", null, null),
                            podCondition(
                                    "ContainersReady",
                                    "False",
                                    "ContainersNotReady",
                                    "containers with unready status: [model]"),
                            podCondition(
                                    "Ready",
                                    "False",
                                    "ContainersNotReady",
                                    "containers with unready status: [model]")));
            return p;
        });
        event("Pod", name, "Normal", "Started", "kubelet", "Started container model");
        endpoints();
    }

    private void crashed(String pod, boolean oomKilled, int restarts) {
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= 25; i++) {
            lines.add("log line " + i);
        }
        lines.add(
                oomKilled
                        ? "loading model: allocating 3.2 GiB"
                        : "Traceback: ModuleNotFoundError: No module named 'sklearn'");
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
                    .withMessage("back-off " + (10 << Math.min(5, restarts - 1))
                            + "s restarting failed container=model pod=" + pod)
                    .endWaiting()
                    .build();
            p.getStatus().setContainerStatuses(List.of(container(p, false, now, last, restarts)));
            return p;
        });
        event("Pod", pod, "Warning", "BackOff", "kubelet", "Back-off restarting failed container model in pod " + pod);
    }

    private void ready(String deployment, SimPod pod) {
        updatePod(pod.name, p -> {
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
        pod.ready = true;
        // The endpoint is ready before the Deployment's status says so (the EndpointSlice controller and the
        // Deployment controller both react to the pod; here in this order, so a test that saw the rollout complete
        // sees the endpoint).
        endpoints();
        Controlled c = controlled.get(deployment);
        if (c != null) {
            progress(deployment, c);
        }
        sync(deployment);
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

    /** core/v1 Event, as the controllers, the scheduler and the kubelet record them. */
    private void event(String kind, String name, String type, String reason, String component, String message) {
        String now = Instant.now().toString();
        lastWriteNanos = System.nanoTime();
        client.v1()
                .events()
                .inNamespace(namespace)
                .resource(new EventBuilder()
                        .withNewMetadata()
                        .withName(name + "." + Integer.toHexString(eventSequence.incrementAndGet()))
                        .withNamespace(namespace)
                        .endMetadata()
                        .withNewInvolvedObject()
                        .withKind(kind)
                        .withNamespace(namespace)
                        .withName(name)
                        .withApiVersion(
                                "Pod".equals(kind)
                                        ? "v1"
                                        : kind.equals("HorizontalPodAutoscaler") ? "autoscaling/v2" : "apps/v1")
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
                if (changed == null) {
                    return; // nothing to write after all
                }
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
