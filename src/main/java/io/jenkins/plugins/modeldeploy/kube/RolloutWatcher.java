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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
 * <p>It watches, never polls: four informers (list once, then watch) on the version's Deployment, ReplicaSets and
 * Pods (label selector {@code app.kubernetes.io/name=m,app.kubernetes.io/version=v}) and on the namespace's Events
 * (Events carry no labels, so they are filtered by the involved object's name). fabric8's informers resume a dropped
 * watch from the last resourceVersion (reconnecting after about a second) and relist on {@code 410 Gone}, so a state
 * reached while disconnected is still seen. Every informer change re-evaluates the state from the informers' caches
 * on one thread; the only timers are the explicit limits (overall timeout, readiness).
 *
 * <p>Causes it recognises, each from the field the responsible component sets: the kubelet's container waiting
 * reasons {@code ErrImagePull}/{@code ImagePullBackOff} and {@code CrashLoopBackOff} (with the last log lines of the
 * previous, terminated container), a last termination with reason {@code OOMKilled}, the scheduler's
 * {@code PodScheduled=False} with reason {@code Unschedulable}, a container running but never ready within the
 * readiness limit, and the Deployment controller's {@code Progressing=False} with reason
 * {@code ProgressDeadlineExceeded}.
 */
public final class RolloutWatcher {
    static final String CONTAINER = "model";
    static final int LOG_LINES = 20;
    static final String REVISION = "deployment.kubernetes.io/revision";
    static final String POD_TEMPLATE_HASH = "pod-template-hash";

    /**
     * @param timeout          the overall limit for the rollout to become available
     * @param readinessTimeout how long a started container may stay unready before the rollout counts as failed
     *                         (keep it above the startup probe's 120 s on a real cluster)
     * @param syncTimeout      the limit for the informers' initial list
     */
    public record Options(Duration timeout, Duration readinessTimeout, Duration syncTimeout) {
        public Options {
            for (Duration d : List.of(timeout, readinessTimeout, syncTimeout)) {
                if (d.isNegative() || d.isZero()) {
                    throw new IllegalArgumentException("watch limits must be positive, were " + timeout + ", "
                            + readinessTimeout + ", " + syncTimeout);
                }
            }
        }

        public static Options of(Duration timeout) {
            return new Options(timeout, Duration.ofSeconds(180), Duration.ofSeconds(30));
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
     * Starts watching before anything is applied (so that no change is missed) and returns once the informers have
     * listed; {@link Session#await()} then waits for the outcome.
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
        private SharedIndexInformer<Deployment> deployments;
        private SharedIndexInformer<ReplicaSet> replicaSets;
        private SharedIndexInformer<Pod> pods;
        private SharedIndexInformer<Event> podEvents;
        // Owned by the loop thread.
        private Progress lastProgress;
        private final Map<String, Long> unreadySince = new HashMap<>();
        private final List<Long> latencies = new ArrayList<>();
        private volatile long lastSignalNanos;
        // Until every informer has listed, a cache may be empty: judging then could call a rollout complete from the
        // Deployment's status before the Pods that fail it are known.
        private volatile boolean listed;

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
            List<CompletableFuture<Void>> synced = new ArrayList<>();
            addHandler(deployments);
            addHandler(replicaSets);
            addHandler(pods);
            addHandler(podEvents);
            for (SharedIndexInformer<?> informer : informers) {
                synced.add(informer.start().toCompletableFuture());
            }
            try {
                CompletableFuture.allOf(synced.toArray(CompletableFuture[]::new))
                        .get(options.syncTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                close();
                throw new KubernetesWatchException(
                        "namespace " + namespace + ": the watches on Deployment, ReplicaSets," + " Pods and Events of "
                                + id + " did not list within " + options.syncTimeout(),
                        e);
            }
            listed = true;
            loop.schedule(this::timedOut, options.timeout().toMillis(), TimeUnit.MILLISECONDS);
            loop.execute(this::evaluate);
        }

        private <T extends HasMetadata> void addHandler(SharedIndexInformer<T> informer) {
            informers.add(informer);
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

        /** Waits for the outcome; the overall timeout is already scheduled, so this always returns. */
        public RolloutOutcome await() throws InterruptedException {
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
            fail(
                    "Timeout",
                    deploymentRef(),
                    "not available within " + options.timeout() + " (last state: " + state + ")",
                    List.of());
        }

        private void evaluate() {
            if (outcome.isDone()) {
                return;
            }
            long signal = lastSignalNanos;
            Deployment deployment = deployments.getStore().list().stream()
                    .filter(d -> id.equals(d.getMetadata().getName()))
                    .findFirst()
                    .orElse(null);
            Optional<String> currentHash = currentTemplateHash(deployment);
            List<Pod> versionPods = pods.getStore().list().stream()
                    .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                    // Pods of an older template of this Deployment are going away; their troubles are not this
                    // rollout's (the Deployment controller keeps them only until the new ones are available).
                    .filter(p -> currentHash.isEmpty() || currentHash.get().equals(label(p, POD_TEMPLATE_HASH)))
                    .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
                    .toList();
            if (detectFailure(deployment, versionPods)) {
                return;
            }
            Progress progress = progress(deployment, versionPods);
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
            if (deployment != null && available(deployment)) {
                int desired = desired(deployment);
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

        /**
         * The pod-template-hash of the Deployment's current ReplicaSet: the Deployment controller writes the same
         * {@value #REVISION} annotation on the Deployment and on the ReplicaSet of its current template. Empty when
         * not known yet (then every pod of the version counts).
         */
        private Optional<String> currentTemplateHash(Deployment deployment) {
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
                    .map(rs -> label(rs, POD_TEMPLATE_HASH))
                    .filter(h -> !h.isEmpty())
                    .findFirst();
        }

        /** True when it found (and reported) a cause that ends the rollout. */
        private boolean detectFailure(Deployment deployment, List<Pod> versionPods) {
            if (deployment != null && deployment.getStatus() != null) {
                for (DeploymentCondition condition :
                        nonNull(deployment.getStatus().getConditions())) {
                    // Set by the Deployment controller when no progress was made for progressDeadlineSeconds.
                    if ("Progressing".equals(condition.getType())
                            && "False".equals(condition.getStatus())
                            && "ProgressDeadlineExceeded".equals(condition.getReason())) {
                        fail(
                                "ProgressDeadlineExceeded",
                                deploymentRef(),
                                Objects.toString(condition.getMessage(), ""),
                                List.of());
                        return true;
                    }
                }
            }
            long now = System.nanoTime();
            for (Pod pod : versionPods) {
                ObjectRef ref =
                        new ObjectRef("Pod", namespace, pod.getMetadata().getName());
                if (pod.getStatus() == null) {
                    continue;
                }
                for (PodCondition condition : nonNull(pod.getStatus().getConditions())) {
                    // Set by the scheduler when no node fits the pod.
                    if ("PodScheduled".equals(condition.getType())
                            && "False".equals(condition.getStatus())
                            && "Unschedulable".equals(condition.getReason())) {
                        fail("Unschedulable", ref, Objects.toString(condition.getMessage(), ""), List.of());
                        return true;
                    }
                }
                for (ContainerStatus container : nonNull(pod.getStatus().getContainerStatuses())) {
                    var lastTerminated = container.getLastState() == null
                            ? null
                            : container.getLastState().getTerminated();
                    var terminated = container.getState() == null
                            ? null
                            : container.getState().getTerminated();
                    var waiting = container.getState() == null
                            ? null
                            : container.getState().getWaiting();
                    for (var t : java.util.Arrays.asList(terminated, lastTerminated)) {
                        // The kubelet records the kernel's OOM kill as the termination reason.
                        if (t != null && "OOMKilled".equals(t.getReason())) {
                            fail(
                                    "OOMKilled",
                                    ref,
                                    "container " + container.getName() + " exceeded its memory limit"
                                            + " (exit code " + t.getExitCode() + ", restarts "
                                            + container.getRestartCount()
                                            + ")",
                                    logTail(pod, true));
                            return true;
                        }
                    }
                    if (waiting != null
                            && ("ErrImagePull".equals(waiting.getReason())
                                    || "ImagePullBackOff".equals(waiting.getReason())
                                    || "InvalidImageName".equals(waiting.getReason()))) {
                        fail(waiting.getReason(), ref, Objects.toString(waiting.getMessage(), ""), List.of());
                        return true;
                    }
                    if (waiting != null && "CrashLoopBackOff".equals(waiting.getReason())) {
                        String exit = lastTerminated == null ? "" : "exit code " + lastTerminated.getExitCode() + ", ";
                        fail(
                                "CrashLoopBackOff",
                                ref,
                                exit + "restarts " + container.getRestartCount() + ": "
                                        + Objects.toString(waiting.getMessage(), ""),
                                logTail(pod, true));
                        return true;
                    }
                    boolean running =
                            container.getState() != null && container.getState().getRunning() != null;
                    String key = pod.getMetadata().getName() + "/" + container.getName();
                    if (running && !Boolean.TRUE.equals(container.getReady())) {
                        long since = unreadySince.computeIfAbsent(key, k -> {
                            // Re-evaluate when the readiness limit passes, even if nothing else changes.
                            loop.schedule(
                                    this::evaluate, options.readinessTimeout().toMillis() + 1, TimeUnit.MILLISECONDS);
                            return now;
                        });
                        if (now - since >= options.readinessTimeout().toNanos()) {
                            fail(
                                    "ReadinessNeverTrue",
                                    ref,
                                    "container " + container.getName() + " running but not" + " ready for "
                                            + options.readinessTimeout() + lastProbeFailure(pod),
                                    logTail(pod, false));
                            return true;
                        }
                    } else {
                        unreadySince.remove(key);
                    }
                }
            }
            return false;
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

        private Progress progress(Deployment deployment, List<Pod> versionPods) {
            if (deployment == null) {
                return null;
            }
            int desired = desired(deployment);
            DeploymentStatus status = deployment.getStatus();
            int ready = status == null || status.getReadyReplicas() == null ? 0 : status.getReadyReplicas();
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
     * What {@code kubectl rollout status} calls complete: the controller has seen the current generation, every
     * desired replica runs the current template and is available, and no old replica is left.
     */
    static boolean available(Deployment deployment) {
        DeploymentStatus status = deployment.getStatus();
        int desired = desired(deployment);
        if (status == null || desired == 0) {
            return false;
        }
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
