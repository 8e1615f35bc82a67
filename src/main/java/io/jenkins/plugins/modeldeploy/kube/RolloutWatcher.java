package io.jenkins.plugins.modeldeploy.kube;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.event.EventDetails;
import io.jenkins.plugins.modeldeploy.event.ObjectRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Watches one version's rollout and reports each real change of its state as an event, and how it ended.
 *
 * <p>It watches, never polls: five informers (list once, then watch) on the version's Deployment, ReplicaSets and
 * Pods (label selector {@code app.kubernetes.io/name=m,app.kubernetes.io/version=v}), on the namespace's Events
 * (Events carry no labels, so they are filtered by the involved object's name) and on the namespace's
 * HorizontalPodAutoscalers (to find the one whose scaleTargetRef is the Deployment). fabric8's informers resume a
 * dropped watch from the last resourceVersion (reconnecting after about a second) and relist on {@code 410 Gone}, so a
 * state reached while disconnected is still seen. Every informer change re-evaluates the state from the informers'
 * caches on one thread; the only timers are the explicit limits (overall timeout, readiness, grace periods).
 *
 * <p>It waits as {@code kubectl rollout status} (kubectl {@code polymorphichelpers/rollout_status.go}: completion from
 * the Deployment's status, pod troubles only appended as a warning) and Flagger ({@code pkg/canary/deployment_ready.go}:
 * everything is retryable until the Deployment's {@code ProgressDeadlineExceeded}) do. States that often pass on their
 * own are {@link io.jenkins.plugins.modeldeploy.event.EventDetails.RolloutWarning warnings} while it keeps waiting: the
 * scheduler's {@code PodScheduled=False/Unschedulable} (a cluster autoscaler, Karpenter or Autopilot adds a node),
 * the kubelet's {@code ErrImagePull}/{@code ImagePullBackOff} (a registry's 429 or 5xx) until
 * {@link Options#imagePullAttempts()} failed pulls, and {@code CrashLoopBackOff} until {@link Options#crashLoopRestarts()}
 * restarts. Pod-creation rejections (the ReplicaSet controller's {@code ReplicaFailure} condition, reason
 * {@code FailedCreate}, which the Deployment controller copies to the Deployment: {@code deployment/progress.go}) and
 * the kubelet's {@code CreateContainerConfigError}, {@code CreateContainerError} and {@code RunContainerError} fail
 * after {@link Options#createFailureGrace()} with their message (a Secret created a moment later, a webhook that was
 * briefly down, would have cleared them). Terminal at once: {@code InvalidImageName} and {@code ErrImageNeverPull}
 * (the reference itself is wrong, no retry changes it) and {@code OOMKilled} (the memory limit is part of the
 * template, and a model that exceeds it while loading, with no traffic yet, exceeds it on every restart). At the
 * progress deadline the failure is named after what the pods show (the warning, or a container never ready), not
 * only "deadline exceeded".
 *
 * <p>Complete is kubectl's rule, judged against {@code max(spec.replicas, hpa.minReplicas)}: a new Deployment starts
 * at {@code spec.replicas} (1 by default) and its HPA raises it to {@code minReplicas} only at its first reconcile, one
 * sync period (15 s) later ({@code podautoscaler/horizontal.go}); without this the rollout would be reported available
 * with one pod of two. A Deployment at 0 replicas is never complete.
 */
public final class RolloutWatcher {
    static final String CONTAINER = "model";
    static final int LOG_LINES = 20;
    static final String REVISION = "deployment.kubernetes.io/revision";
    static final String POD_TEMPLATE_HASH = "pod-template-hash";

    /**
     * @param timeout            the overall limit for the rollout to become available
     * @param readinessTimeout   how long a started container may stay unready before the rollout counts as failed (the
     *                           model's declared load time, {@code serving.loadTimeout})
     * @param syncTimeout        the limit for the informers' initial list
     * @param crashLoopRestarts  the restart count at which a container in {@code CrashLoopBackOff} fails the rollout
     *                           (earlier restarts are warnings: a model may crash once while a dependency starts)
     * @param imagePullAttempts  the failed pulls ({@code ErrImagePull} sightings) of one container at which the rollout
     *                           fails (earlier ones are warnings: registries answer 429 and 5xx)
     * @param createFailureGrace how long {@code ReplicaFailure/FailedCreate} or a {@code CreateContainerConfigError},
     *                           {@code CreateContainerError}, {@code RunContainerError} may last before it fails the
     *                           rollout
     */
    public record Options(
            Duration timeout,
            Duration readinessTimeout,
            Duration syncTimeout,
            int crashLoopRestarts,
            int imagePullAttempts,
            Duration createFailureGrace) {
        public static final int DEFAULT_CRASH_LOOP_RESTARTS = 3;
        public static final int DEFAULT_IMAGE_PULL_ATTEMPTS = 5;
        public static final Duration DEFAULT_CREATE_FAILURE_GRACE = Duration.ofSeconds(30);

        public Options {
            for (Duration d : List.of(timeout, readinessTimeout, syncTimeout, createFailureGrace)) {
                if (d.isNegative() || d.isZero()) {
                    throw new IllegalArgumentException("watch limits must be positive, were " + timeout + ", "
                            + readinessTimeout + ", " + syncTimeout + ", " + createFailureGrace);
                }
            }
            if (crashLoopRestarts < 1 || imagePullAttempts < 1) {
                throw new IllegalArgumentException("repeat thresholds must be at least 1, were crashLoopRestarts "
                        + crashLoopRestarts + ", imagePullAttempts " + imagePullAttempts);
            }
        }

        /** The default repeat thresholds and grace. */
        public Options(Duration timeout, Duration readinessTimeout, Duration syncTimeout) {
            this(
                    timeout,
                    readinessTimeout,
                    syncTimeout,
                    DEFAULT_CRASH_LOOP_RESTARTS,
                    DEFAULT_IMAGE_PULL_ATTEMPTS,
                    DEFAULT_CREATE_FAILURE_GRACE);
        }

        public static Options of(Duration timeout) {
            return new Options(timeout, Duration.ofSeconds(180), Duration.ofSeconds(30));
        }

        public Options withThresholds(int crashLoopRestarts, int imagePullAttempts, Duration createFailureGrace) {
            return new Options(
                    timeout, readinessTimeout, syncTimeout, crashLoopRestarts, imagePullAttempts, createFailureGrace);
        }
    }

    private final KubernetesClient client;
    private final String namespace;
    private final Consumer<DeploymentEvent> events;

    public RolloutWatcher(KubernetesClient client, String namespace, Consumer<DeploymentEvent> events) {
        this.client = Objects.requireNonNull(client, "client");
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.events = Objects.requireNonNull(events, "events");
    }

    /**
     * Starts watching and returns once the informers have listed; {@link Session#await()} then waits for the outcome.
     * {@code KubernetesTarget} starts it after its writes, so the lists hold the new template; a session started
     * earlier judges nothing before {@code await()}.
     */
    public Session start(String model, String version, Options options)
            throws KubernetesWatchException, InterruptedException {
        Session session = new Session(model, version, options);
        session.startInformers();
        return session;
    }

    /** One watched rollout. Close it to stop the informers (await does not). */
    public final class Session implements AutoCloseable {
        private final String model;
        private final String version;
        private final String id;
        private final Options options;
        private final long startNanos = System.nanoTime();
        private final ScheduledExecutorService loop;
        private final CompletableFuture<RolloutOutcome> outcome = new CompletableFuture<>();
        private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
        private final Map<SharedIndexInformer<?>, String> resources = new HashMap<>();
        private final Map<SharedIndexInformer<?>, Throwable> listErrors =
                new java.util.concurrent.ConcurrentHashMap<>();
        private SharedIndexInformer<Deployment> deployments;
        private SharedIndexInformer<ReplicaSet> replicaSets;
        private SharedIndexInformer<Pod> pods;
        private SharedIndexInformer<Event> podEvents;
        private SharedIndexInformer<HorizontalPodAutoscaler> autoscalers;
        // Owned by the loop thread.
        private Progress lastProgress;
        private final Map<String, Long> unreadySince = new HashMap<>();
        private final Map<String, Long> failingSince = new HashMap<>();
        private final Map<String, Integer> failedPulls = new HashMap<>();
        private final Map<String, String> lastWaiting = new HashMap<>();
        private final Map<String, String> lastPullError = new HashMap<>();
        private Map<String, Warning> warnings = Map.of();
        private final List<Long> latencies = new ArrayList<>();
        private volatile long lastSignalNanos;
        // Until every informer has listed, a cache may be empty: judging then could call a rollout complete from the
        // Deployment's status before the Pods that fail it are known.
        private volatile boolean listed;
        // Nothing is judged before await(): between start() and await() the caller applies, and until then the caches
        // show the previous template (complete, or failing) of an existing Deployment. await() reads the generation
        // the apply produced; a cached Deployment of an older generation is not judged either.
        private volatile boolean awaiting;
        private volatile long minGeneration;

        private Session(String model, String version, Options options) {
            this.model = model;
            this.version = version;
            this.id = model + "-" + version;
            this.options = options;
            this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "rollout-watch-" + id);
                thread.setDaemon(true);
                return thread;
            });
        }

        private void startInformers() throws KubernetesWatchException, InterruptedException {
            Map<String, String> selector = ModelLabels.selector(model, version);
            deployments = client.apps()
                    .deployments()
                    .inNamespace(namespace)
                    .withLabels(selector)
                    .runnableInformer(0);
            replicaSets = client.apps()
                    .replicaSets()
                    .inNamespace(namespace)
                    .withLabels(selector)
                    .runnableInformer(0);
            pods = client.pods().inNamespace(namespace).withLabels(selector).runnableInformer(0);
            podEvents = client.v1().events().inNamespace(namespace).runnableInformer(0);
            // All of the namespace's (few) HPAs: the one that scales this Deployment is found by its scaleTargetRef,
            // which is what the HPA controller goes by, not by labels.
            autoscalers = client.autoscaling()
                    .v2()
                    .horizontalPodAutoscalers()
                    .inNamespace(namespace)
                    .runnableInformer(0);
            List<CompletableFuture<Void>> synced = new ArrayList<>();
            addHandler(deployments, "deployments.apps");
            addHandler(replicaSets, "replicasets.apps");
            addHandler(pods, "pods");
            addHandler(podEvents, "events");
            addHandler(autoscalers, "horizontalpodautoscalers.autoscaling");
            for (SharedIndexInformer<?> informer : informers) {
                synced.add(informer.start().toCompletableFuture());
            }
            try {
                CompletableFuture.allOf(synced.toArray(CompletableFuture[]::new))
                        .get(options.syncTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                close();
                throw listFailure(e);
            }
            listed = true;
            loop.schedule(this::timedOut, options.timeout().toMillis(), TimeUnit.MILLISECONDS);
        }

        /**
         * Why the informers did not list: an API server's 403 (a Role without list or watch on one of the resources)
         * is named as such, since waiting longer cannot help and "did not list" would hide it.
         */
        private KubernetesWatchException listFailure(Exception e) {
            for (SharedIndexInformer<?> informer : informers) {
                KubernetesClientException k = forbidden(listErrors.get(informer));
                if (k != null) {
                    String verb = k.getMessage() != null && k.getMessage().contains("cannot watch") ? "watch" : "list";
                    return new KubernetesWatchException(
                            "namespace " + namespace + ": forbidden: " + verb + " " + resources.get(informer)
                                    + " (watching the rollout of " + id + " needs list and watch on it): "
                                    + Objects.toString(
                                            k.getStatus() == null
                                                    ? k.getMessage()
                                                    : k.getStatus().getMessage(),
                                            ""),
                            k);
                }
            }
            return new KubernetesWatchException(
                    "namespace " + namespace + ": the watches on Deployment, ReplicaSets, Pods, Events and"
                            + " HorizontalPodAutoscalers of " + id + " did not list within " + options.syncTimeout(),
                    e);
        }

        /** The 403 in an informer's error (fabric8 may wrap it), or null. */
        private static KubernetesClientException forbidden(Throwable error) {
            for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof KubernetesClientException k && k.getCode() == 403) {
                    return k;
                }
            }
            return null;
        }

        private <T extends HasMetadata> void addHandler(SharedIndexInformer<T> informer, String resource) {
            informers.add(informer);
            resources.put(informer, resource);
            // Record why a list or watch failed; a 403 is not retried (it will not go away by itself) so that
            // start() fails now instead of at the sync timeout.
            informer.exceptionHandler((started, error) -> {
                listErrors.put(informer, error);
                return forbidden(error) == null;
            });
            informer.addEventHandler(new ResourceEventHandler<>() {
                @Override
                public void onAdd(T object) {
                    signal();
                }

                @Override
                public void onUpdate(T before, T after) {
                    signal();
                }

                @Override
                public void onDelete(T object, boolean finalStateUnknown) {
                    signal();
                }
            });
        }

        private void signal() {
            lastSignalNanos = System.nanoTime();
            if (listed && !outcome.isDone()) {
                loop.execute(this::evaluate);
            }
        }

        /**
         * Waits for the outcome of what was applied since {@link #start}; the overall timeout is already scheduled, so
         * this always returns.
         */
        public RolloutOutcome await() throws InterruptedException {
            if (!awaiting) {
                // One GET, not a poll: the generation the apply left, which the informer may not have delivered yet.
                Deployment live = client.apps()
                        .deployments()
                        .inNamespace(namespace)
                        .withName(id)
                        .get();
                minGeneration = live == null || live.getMetadata().getGeneration() == null
                        ? 0
                        : live.getMetadata().getGeneration();
                awaiting = true;
                loop.execute(this::evaluate);
            }
            try {
                // The loop completes the outcome at the latest at the timeout; the margin covers a busy loop thread.
                return outcome.get(
                        options.timeout().toMillis() + options.syncTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw new IllegalStateException("evaluating the rollout of " + id + " failed", e.getCause());
            } catch (TimeoutException e) {
                throw new IllegalStateException("the rollout watch of " + id + " did not end by its own timeout", e);
            }
        }

        /** Nanoseconds from each informer callback to the progress event it caused (for the benchmark). */
        public List<Long> emitLatenciesNanos() throws InterruptedException {
            CompletableFuture<List<Long>> copy = new CompletableFuture<>();
            loop.execute(() -> copy.complete(List.copyOf(latencies)));
            try {
                return copy.get(5, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("watch loop of " + id + " did not answer", e);
            }
        }

        @Override
        public void close() {
            informers.forEach(SharedIndexInformer::close);
            loop.shutdownNow();
        }

        private void timedOut() {
            if (outcome.isDone()) {
                return;
            }
            String state = lastProgress == null ? "nothing observed" : lastProgress.describe();
            String warning = warnings.values().stream()
                    .findFirst()
                    .map(w -> "; warning: " + w.reason() + " - " + w.message() + " (" + w.object() + ")")
                    .orElse("");
            fail(
                    "Timeout",
                    deploymentRef(),
                    "not available within " + options.timeout() + " (last state: " + state + warning + ")",
                    List.of());
        }

        private void evaluate() {
            if (outcome.isDone() || !awaiting) {
                return;
            }
            long signal = lastSignalNanos;
            Deployment deployment = deployments.getStore().list().stream()
                    .filter(d -> id.equals(d.getMetadata().getName()))
                    .findFirst()
                    .orElse(null);
            if (deployment != null
                    && deployment.getMetadata().getGeneration() != null
                    && deployment.getMetadata().getGeneration() < minGeneration) {
                return; // the applied change is on its way through the watch
            }
            Optional<ReplicaSet> current = currentReplicaSet(deployment);
            Optional<String> currentHash = current.map(rs -> label(rs, POD_TEMPLATE_HASH));
            List<Pod> versionPods = pods.getStore().list().stream()
                    .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                    // Pods of an older template of this Deployment are going away; their troubles are not this
                    // rollout's (the Deployment controller keeps them only until the new ones are available).
                    .filter(p -> currentHash.isEmpty() || currentHash.get().equals(label(p, POD_TEMPLATE_HASH)))
                    .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
                    .toList();
            Map<String, Warning> seen = new LinkedHashMap<>();
            if (judge(deployment, current, versionPods, seen)) {
                return;
            }
            for (Map.Entry<String, Warning> warning : seen.entrySet()) {
                if (!warnings.containsKey(warning.getKey())) {
                    Warning w = warning.getValue();
                    events.accept(DeploymentEvent.of(
                                    model,
                                    version,
                                    w.object() + ": " + w.reason() + " (waiting on) - " + w.message(),
                                    new EventDetails.RolloutWarning(w.reason(), w.message()))
                            .about(w.object()));
                }
            }
            warnings = seen;
            Integer minReplicas = autoscalerMinimum().orElse(null);
            Progress progress = progress(deployment, versionPods, minReplicas);
            if (progress != null && !progress.equals(lastProgress)) {
                lastProgress = progress;
                events.accept(DeploymentEvent.of(
                                model,
                                version,
                                id + ": " + progress.describe(),
                                new EventDetails.RolloutProgress(
                                        progress.state(), progress.ready(), progress.desired()))
                        .about(deploymentRef()));
                if (signal != 0) {
                    latencies.add(System.nanoTime() - signal);
                }
            }
            if (deployment != null && available(deployment, minReplicas)) {
                int desired = desired(deployment, minReplicas);
                Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
                events.accept(DeploymentEvent.of(
                                model,
                                version,
                                id + ": available, " + desired + "/" + desired + " ready in " + took.toMillis() + " ms",
                                new EventDetails.RolloutSucceeded(desired, took.toMillis() / 1000.0))
                        .about(deploymentRef()));
                outcome.complete(new RolloutOutcome.Available(desired, desired, took));
            }
        }

        /** minReplicas (default 1) of the HPA whose scaleTargetRef is this version's Deployment, if there is one. */
        private Optional<Integer> autoscalerMinimum() {
            return autoscalers.getStore().list().stream()
                    .filter(h -> h.getSpec() != null
                            && h.getSpec().getScaleTargetRef() != null
                            && "Deployment"
                                    .equals(h.getSpec().getScaleTargetRef().getKind())
                            && id.equals(h.getSpec().getScaleTargetRef().getName()))
                    .findFirst()
                    .map(h -> Objects.requireNonNullElse(h.getSpec().getMinReplicas(), 1));
        }

        /**
         * The Deployment's current ReplicaSet: the Deployment controller writes the same {@value #REVISION}
         * annotation on the Deployment and on the ReplicaSet of its current template. Empty when not known yet (then
         * every pod of the version counts).
         */
        private Optional<ReplicaSet> currentReplicaSet(Deployment deployment) {
            if (deployment == null || deployment.getMetadata().getAnnotations() == null) {
                return Optional.empty();
            }
            String revision = deployment.getMetadata().getAnnotations().get(REVISION);
            if (revision == null) {
                return Optional.empty();
            }
            return replicaSets.getStore().list().stream()
                    .filter(rs -> rs.getMetadata().getAnnotations() != null
                            && revision.equals(rs.getMetadata().getAnnotations().get(REVISION)))
                    .filter(rs -> !label(rs, POD_TEMPLATE_HASH).isEmpty())
                    .findFirst();
        }

        /**
         * True when it found (and reported) a cause that ends the rollout; otherwise {@code seen} holds the states the
         * rollout waits through.
         */
        private boolean judge(
                Deployment deployment, Optional<ReplicaSet> current, List<Pod> versionPods, Map<String, Warning> seen) {
            long now = System.nanoTime();
            Set<String> failing = new HashSet<>();
            for (Pod pod : versionPods) {
                ObjectRef ref =
                        new ObjectRef("Pod", namespace, pod.getMetadata().getName());
                if (pod.getStatus() == null) {
                    continue;
                }
                for (PodCondition condition : nonNull(pod.getStatus().getConditions())) {
                    // Set by the scheduler when no node fits the pod; a cluster autoscaler reacts to exactly this
                    // (and Karpenter, GKE Autopilot), so the pod is usually scheduled a minute later.
                    if ("PodScheduled".equals(condition.getType())
                            && "False".equals(condition.getStatus())
                            && "Unschedulable".equals(condition.getReason())) {
                        seen.put(
                                ref.name() + "/Unschedulable",
                                new Warning("Unschedulable", ref, Objects.toString(condition.getMessage(), "")));
                    }
                }
                for (ContainerStatus container : nonNull(pod.getStatus().getContainerStatuses())) {
                    if (judgeContainer(pod, ref, container, now, seen, failing)) {
                        return true;
                    }
                }
            }
            // The ReplicaSet controller sets ReplicaFailure (reason FailedCreate) when the API server rejects its pod
            // creations (quota, Pod Security, an SCC, a webhook); the Deployment controller copies it to the
            // Deployment (deployment/progress.go). No pod exists, so nothing else would say why.
            List<Map.Entry<ObjectRef, DeploymentCondition>> replicaFailures = new ArrayList<>();
            current.ifPresent(rs -> {
                if (rs.getStatus() != null) {
                    for (var c : nonNull(rs.getStatus().getConditions())) {
                        if ("ReplicaFailure".equals(c.getType()) && "True".equals(c.getStatus())) {
                            replicaFailures.add(Map.entry(
                                    new ObjectRef(
                                            "ReplicaSet",
                                            namespace,
                                            rs.getMetadata().getName()),
                                    new io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder()
                                            .withType(c.getType())
                                            .withStatus(c.getStatus())
                                            .withReason(c.getReason())
                                            .withMessage(c.getMessage())
                                            .build()));
                        }
                    }
                }
            });
            if (deployment != null && deployment.getStatus() != null) {
                for (DeploymentCondition c : nonNull(deployment.getStatus().getConditions())) {
                    if ("ReplicaFailure".equals(c.getType()) && "True".equals(c.getStatus())) {
                        replicaFailures.add(Map.entry(deploymentRef(), c));
                    }
                }
            }
            if (!replicaFailures.isEmpty()) {
                var first = replicaFailures.get(0);
                String reason = Objects.toString(first.getValue().getReason(), "ReplicaFailure");
                String message = Objects.toString(first.getValue().getMessage(), "");
                String key = "ReplicaFailure";
                failing.add(key);
                seen.put(key, new Warning(reason, first.getKey(), message));
                if (graceOver(key, now)) {
                    fail(reason, first.getKey(), message + " (for " + options.createFailureGrace() + ")", List.of());
                    return true;
                }
            }
            failingSince.keySet().retainAll(failing);
            if (deployment != null && deployment.getStatus() != null) {
                for (DeploymentCondition condition :
                        nonNull(deployment.getStatus().getConditions())) {
                    // Set by the Deployment controller when no progress was made for progressDeadlineSeconds: the
                    // point where kubectl and Flagger stop waiting. Name it after what the pods show.
                    if ("Progressing".equals(condition.getType())
                            && "False".equals(condition.getStatus())
                            && "ProgressDeadlineExceeded".equals(condition.getReason())) {
                        String deadline = Objects.toString(condition.getMessage(), "");
                        Optional<Warning> warning = seen.values().stream().findFirst();
                        if (warning.isPresent()) {
                            Warning w = warning.get();
                            fail(
                                    w.reason().equals("ImagePullBackOff") ? "ErrImagePull" : w.reason(),
                                    w.object(),
                                    w.message() + " (still at the progress deadline: " + deadline + ")",
                                    List.of());
                            return true;
                        }
                        for (Pod pod : versionPods) {
                            for (ContainerStatus c : nonNull(
                                    pod.getStatus() == null
                                            ? null
                                            : pod.getStatus().getContainerStatuses())) {
                                if (c.getState() != null
                                        && c.getState().getRunning() != null
                                        && !Boolean.TRUE.equals(c.getReady())) {
                                    fail(
                                            "ReadinessNeverTrue",
                                            new ObjectRef(
                                                    "Pod",
                                                    namespace,
                                                    pod.getMetadata().getName()),
                                            "container " + c.getName() + " running but not ready at the progress"
                                                    + " deadline (" + deadline + ")" + lastProbeFailure(pod),
                                            logTail(pod, false));
                                    return true;
                                }
                            }
                        }
                        fail("ProgressDeadlineExceeded", deploymentRef(), deadline, List.of());
                        return true;
                    }
                }
            }
            return false;
        }

        private boolean judgeContainer(
                Pod pod,
                ObjectRef ref,
                ContainerStatus container,
                long now,
                Map<String, Warning> seen,
                Set<String> failing) {
            String key = pod.getMetadata().getName() + "/" + container.getName();
            var lastTerminated = container.getLastState() == null
                    ? null
                    : container.getLastState().getTerminated();
            var terminated =
                    container.getState() == null ? null : container.getState().getTerminated();
            var waiting =
                    container.getState() == null ? null : container.getState().getWaiting();
            String reason = waiting == null ? null : waiting.getReason();
            String message = waiting == null ? "" : Objects.toString(waiting.getMessage(), "");
            String before = reason == null ? lastWaiting.remove(key) : lastWaiting.put(key, reason);
            for (var t : java.util.Arrays.asList(terminated, lastTerminated)) {
                // The kubelet records the kernel's OOM kill as the termination reason.
                if (t != null && "OOMKilled".equals(t.getReason())) {
                    fail(
                            "OOMKilled",
                            ref,
                            "container " + container.getName() + " exceeded its memory limit" + " (exit code "
                                    + t.getExitCode() + ", restarts " + container.getRestartCount() + ")",
                            logTail(pod, true));
                    return true;
                }
            }
            if ("InvalidImageName".equals(reason) || "ErrImageNeverPull".equals(reason)) {
                fail(reason, ref, message, List.of());
                return true;
            }
            if ("ErrImagePull".equals(reason) || "ImagePullBackOff".equals(reason)) {
                if ("ErrImagePull".equals(reason)) {
                    lastPullError.put(key, message);
                    if (!"ErrImagePull".equals(before)) {
                        failedPulls.merge(key, 1, Integer::sum);
                    }
                }
                int pulls = failedPulls.getOrDefault(key, 0);
                String error = lastPullError.getOrDefault(key, message);
                if (pulls >= options.imagePullAttempts()) {
                    fail("ErrImagePull", ref, error + " (" + pulls + " failed pulls)", List.of());
                    return true;
                }
                // One warning while the kubelet alternates between pulling and backing off.
                seen.put(key + "/ImagePull", new Warning(reason, ref, error));
                return false;
            }
            if ("CrashLoopBackOff".equals(reason)) {
                String exit = lastTerminated == null ? "" : "exit code " + lastTerminated.getExitCode() + ", ";
                String details = exit + "restarts " + container.getRestartCount() + ": " + message;
                if (value(container.getRestartCount()) >= options.crashLoopRestarts()) {
                    fail("CrashLoopBackOff", ref, details, logTail(pod, true));
                    return true;
                }
                seen.put(
                        key + "/CrashLoopBackOff/" + container.getRestartCount(),
                        new Warning("CrashLoopBackOff", ref, details));
                return false;
            }
            // The kubelet could not create or start the container: a missing Secret or ConfigMap key, a bad
            // command, a runtime error. kubectl lists these with their message; they clear when the cause does.
            if ("CreateContainerConfigError".equals(reason)
                    || "CreateContainerError".equals(reason)
                    || "RunContainerError".equals(reason)) {
                String graced = key + "/" + reason;
                failing.add(graced);
                seen.put(graced, new Warning(reason, ref, message));
                if (graceOver(graced, now)) {
                    fail(reason, ref, message + " (for " + options.createFailureGrace() + ")", List.of());
                    return true;
                }
                return false;
            }
            boolean running =
                    container.getState() != null && container.getState().getRunning() != null;
            if (running && !Boolean.TRUE.equals(container.getReady())) {
                long since = unreadySince.computeIfAbsent(key, k -> {
                    // Re-evaluate when the readiness limit passes, even if nothing else changes.
                    loop.schedule(this::evaluate, options.readinessTimeout().toMillis() + 1, TimeUnit.MILLISECONDS);
                    return now;
                });
                if (now - since >= options.readinessTimeout().toNanos()) {
                    fail(
                            "ReadinessNeverTrue",
                            ref,
                            "container " + container.getName() + " running but not ready for "
                                    + options.readinessTimeout() + lastProbeFailure(pod),
                            logTail(pod, false));
                    return true;
                }
            } else {
                unreadySince.remove(key);
            }
            return false;
        }

        /** Whether a failure state (kept in failingSince from its first sighting) has lasted the grace period. */
        private boolean graceOver(String key, long now) {
            long since = failingSince.computeIfAbsent(key, k -> {
                loop.schedule(this::evaluate, options.createFailureGrace().toMillis() + 1, TimeUnit.MILLISECONDS);
                return now;
            });
            return now - since >= options.createFailureGrace().toNanos();
        }

        private String lastProbeFailure(Pod pod) {
            return podEvents.getStore().list().stream()
                    .filter(e -> pod.getMetadata()
                            .getName()
                            .equals(e.getInvolvedObject().getName()))
                    .filter(e -> "Unhealthy".equals(e.getReason()))
                    .reduce((a, b) -> b)
                    .map(e -> " (" + e.getMessage() + ")")
                    .orElse("");
        }

        /** The crashing container's last lines; previous: the terminated instance, as {@code kubectl logs -p}. */
        private List<String> logTail(Pod pod, boolean previous) {
            var log = client.pods()
                    .inNamespace(namespace)
                    .withName(pod.getMetadata().getName())
                    .inContainer(CONTAINER);
            try {
                String text = previous
                        ? log.terminated().tailingLines(LOG_LINES).getLog()
                        : log.tailingLines(LOG_LINES).getLog();
                if (text == null || text.isEmpty()) {
                    return List.of();
                }
                List<String> lines = List.of(text.split("\\R"));
                return lines.subList(Math.max(0, lines.size() - LOG_LINES), lines.size());
            } catch (KubernetesClientException e) {
                // The cause is already known; say why the log is missing rather than failing the report.
                return List.of("(no log from " + namespace + "/Pod/"
                        + pod.getMetadata().getName() + " container " + CONTAINER + ": HTTP " + e.getCode() + ")");
            }
        }

        private Progress progress(Deployment deployment, List<Pod> versionPods, Integer minReplicas) {
            if (deployment == null) {
                return null;
            }
            int desired = desired(deployment, minReplicas);
            // Ready pods of the current template: during a surge update the Deployment's readyReplicas also counts
            // the old template's pods, which are not what this rollout waits for.
            // (The status still counts, when no old pod is left, for pods whose change the pod watch has not delivered
            // yet.)
            DeploymentStatus status = deployment.getStatus();
            int statusReady = status == null || value(status.getReplicas()) != value(status.getUpdatedReplicas())
                    ? 0
                    : value(status.getReadyReplicas());
            int ready = Math.max(statusReady, (int)
                    versionPods.stream().filter(RolloutWatcher::ready).count());
            String state = null;
            for (Pod pod : versionPods) {
                state = furthest(state, podState(pod));
            }
            if (ready > 0) {
                state = "ready";
            }
            if (state == null) {
                return null;
            }
            return new Progress(state, ready, desired);
        }

        private String podState(Pod pod) {
            if (pod.getStatus() == null) {
                return null;
            }
            String state = null;
            for (PodCondition condition : nonNull(pod.getStatus().getConditions())) {
                if ("PodScheduled".equals(condition.getType()) && "True".equals(condition.getStatus())) {
                    state = "scheduled";
                }
            }
            // The kubelet's "Pulling" event is the only trace of a pull in progress.
            boolean pulling = podEvents.getStore().list().stream()
                    .anyMatch(e -> pod.getMetadata()
                                    .getName()
                                    .equals(e.getInvolvedObject().getName())
                            && "Pulling".equals(e.getReason()));
            if (pulling) {
                state = furthest(state, "image pulling");
            }
            for (ContainerStatus container : nonNull(pod.getStatus().getContainerStatuses())) {
                if (container.getState() != null && container.getState().getRunning() != null) {
                    state = furthest(state, "started");
                }
            }
            return state;
        }

        private void fail(String cause, ObjectRef object, String details, List<String> logTail) {
            Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
            events.accept(DeploymentEvent.of(
                            model,
                            version,
                            object + ": " + cause + (details.isEmpty() ? "" : " - " + details),
                            new EventDetails.RolloutFailed(cause, logTail))
                    .about(object));
            outcome.complete(new RolloutOutcome.Failed(cause, object, details, logTail, took));
        }

        private ObjectRef deploymentRef() {
            return new ObjectRef("Deployment", namespace, id);
        }
    }

    /** A state the rollout waits through, reported once when it appears. */
    private record Warning(String reason, ObjectRef object, String message) {}

    /** The pod's Ready condition, or (before the kubelet wrote conditions) every container ready. */
    private static boolean ready(Pod pod) {
        if (pod.getStatus() == null) {
            return false;
        }
        for (PodCondition condition : nonNull(pod.getStatus().getConditions())) {
            if ("Ready".equals(condition.getType())) {
                return "True".equals(condition.getStatus());
            }
        }
        List<ContainerStatus> containers = nonNull(pod.getStatus().getContainerStatuses());
        return !containers.isEmpty() && containers.stream().allMatch(c -> Boolean.TRUE.equals(c.getReady()));
    }

    private static final List<String> ORDER = List.of("scheduled", "image pulling", "started", "ready");

    private static String furthest(String a, String b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b;
    }

    /** One reported state: an event is published exactly when this changes. */
    record Progress(String state, int ready, int desired) {
        String describe() {
            return state + " (" + ready + "/" + desired + " ready)";
        }
    }

    private static String label(HasMetadata object, String key) {
        Map<String, String> labels = object.getMetadata().getLabels();
        return labels == null ? "" : labels.getOrDefault(key, "");
    }

    /** spec.replicas, which the API server defaults to 1. */
    static int desired(Deployment deployment) {
        Integer replicas =
                deployment.getSpec() == null ? null : deployment.getSpec().getReplicas();
        return replicas == null ? 1 : replicas;
    }

    /**
     * What the rollout waits for: {@code max(spec.replicas, minReplicas)} when an HPA scales the Deployment (null:
     * none). The HPA raises a new Deployment to its minimum only at its first reconcile, so until then spec.replicas
     * understates what will run.
     */
    static int desired(Deployment deployment, Integer minReplicas) {
        int replicas = desired(deployment);
        return minReplicas == null ? replicas : Math.max(replicas, minReplicas);
    }

    /** {@link #available(Deployment, Integer)} without an HPA. */
    static boolean available(Deployment deployment) {
        return available(deployment, null);
    }

    /**
     * What {@code kubectl rollout status} calls complete (kubectl {@code rollout_status.go}): the controller has seen
     * the current generation, every desired replica runs the current template and is available, and no old replica is
     * left; desired as {@link #desired(Deployment, Integer)}. Unlike kubectl, 0 replicas is not complete: nothing
     * would serve.
     */
    static boolean available(Deployment deployment, Integer minReplicas) {
        DeploymentStatus status = deployment.getStatus();
        if (status == null || desired(deployment) == 0) {
            return false;
        }
        int desired = desired(deployment, minReplicas);
        Long generation = deployment.getMetadata().getGeneration();
        if (generation != null
                && (status.getObservedGeneration() == null || status.getObservedGeneration() < generation)) {
            return false;
        }
        return value(status.getUpdatedReplicas()) >= desired
                && value(status.getAvailableReplicas()) >= desired
                && value(status.getReplicas()) == value(status.getUpdatedReplicas());
    }

    private static int value(Integer value) {
        return value == null ? 0 : value;
    }

    private static <T> List<T> nonNull(List<T> list) {
        return list == null ? List.of() : list;
    }
}
