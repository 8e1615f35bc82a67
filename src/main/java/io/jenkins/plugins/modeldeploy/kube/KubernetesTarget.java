package io.jenkins.plugins.modeldeploy.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jenkins.plugins.modeldeploy.abtest.MetricsSource;
import io.jenkins.plugins.modeldeploy.abtest.PrometheusMetricsSource;
import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.route.ApiErrors;
import io.jenkins.plugins.modeldeploy.route.Endpoints;
import io.jenkins.plugins.modeldeploy.route.IngressRouter;
import io.jenkins.plugins.modeldeploy.route.ObjectApplier;
import io.jenkins.plugins.modeldeploy.route.TraefikRouter;
import io.jenkins.plugins.modeldeploy.route.TrafficRouter;
import io.jenkins.plugins.modeldeploy.target.DeployedVersion;
import io.jenkins.plugins.modeldeploy.target.ModelStatus;
import io.jenkins.plugins.modeldeploy.target.ReleaseStore;
import io.jenkins.plugins.modeldeploy.target.RetireMode;
import io.jenkins.plugins.modeldeploy.target.RolloutException;
import io.jenkins.plugins.modeldeploy.target.RolloutException.Aftermath;
import io.jenkins.plugins.modeldeploy.target.RolloutRequest;
import io.jenkins.plugins.modeldeploy.target.Stage;
import io.jenkins.plugins.modeldeploy.target.Target;
import io.jenkins.plugins.modeldeploy.target.TargetException;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Model versions on a Kubernetes namespace: rollout = render, apply idempotently, watch until available or failed;
 * routes are never touched by a rollout. A failed rollout undoes only what it did: a version that is all this run's
 * is retired as {@link io.jenkins.plugins.modeldeploy.kube.KubernetesSettings#onFailure()} says, objects that were
 * there before are put back from the snapshot taken before the apply (see docs/kubernetes.md, "Ownership and failure
 * rules").
 *
 * <p>Retiring with {@link RetireMode#SCALE_TO_ZERO} deletes the version's HPA (after keeping its spec in the
 * Deployment annotation {@value #RETIRED_HPA}) and sets {@code spec.replicas} to 0: an HPA left in place could scale
 * the version up again (any HPA whose target is not at zero replicas acts on it), and deleting it is the one state
 * that is obviously inert. {@link #restore} recreates the HPA from that annotation and scales to its minimum.
 */
public final class KubernetesTarget implements Target {
    public static final String RETIRED_HPA = ModelLabels.ANNOTATION_PREFIX + "retired-hpa";
    /** The replica count of a version with a fixed count (no HPA), kept when it is scaled to zero for its restore. */
    public static final String RETIRED_REPLICAS = ModelLabels.ANNOTATION_PREFIX + "retired-replicas";
    /**
     * Added to a model's load time for the readiness limit: the startup probe's last period, the readiness probe's
     * two failures and the kubelet's and the watch's reporting delays.
     */
    static final Duration READINESS_SLACK = Duration.ofSeconds(30);
    /** Where Traefik is reached in the cluster when no host is routed (its Helm chart's Service in "traefik"). */
    public static final URI IN_CLUSTER_TRAEFIK = URI.create("http://traefik.traefik.svc.cluster.local");

    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** terminationGracePeriodSeconds (20 s) plus room for the controller and kubelet. */
    static final Duration SCALE_DOWN_TIMEOUT = Duration.ofSeconds(60);

    private final KubernetesClient client;
    private final boolean ownsClient;
    private final KubernetesSettings settings;
    private final Consumer<DeploymentEvent> events;
    /** A fixed readiness limit (tests), else each rollout's follows its model's {@code serving.loadTimeout}. */
    private final Optional<Duration> readinessTimeout;

    private final ResourceApplier applier;
    private final RolloutWatcher watcher;
    private final AnnotationReleaseStore releases;
    private static final System.Logger LOG = System.getLogger(KubernetesTarget.class.getName());
    /**
     * Each model's route options (its model.yaml {@code route:} over the cluster's), known once this target rolled a
     * version of it out; the router keeps what the IngressRoute was last given for a model it does not know.
     */
    private final Map<String, io.jenkins.plugins.modeldeploy.route.RouteOptions> modelRoutes =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** On an existing client (tests, or a caller that manages the client); {@link #close()} leaves it open. */
    public KubernetesTarget(
            KubernetesClient client,
            KubernetesSettings settings,
            Consumer<DeploymentEvent> events,
            Duration readinessTimeout) {
        this(client, false, settings, events, Optional.of(readinessTimeout));
    }

    private KubernetesTarget(
            KubernetesClient client,
            boolean ownsClient,
            KubernetesSettings settings,
            Consumer<DeploymentEvent> events,
            Optional<Duration> readinessTimeout) {
        this.client = Objects.requireNonNull(client, "client");
        this.ownsClient = ownsClient;
        this.settings = Objects.requireNonNull(settings, "settings");
        this.events = Objects.requireNonNull(events, "events");
        this.readinessTimeout = Objects.requireNonNull(readinessTimeout, "readinessTimeout");
        this.applier = new ResourceApplier(client);
        this.watcher = new RolloutWatcher(client, settings.namespace(), events);
        this.releases = new AnnotationReleaseStore(client, settings.namespace());
    }

    /**
     * Connects with the kubeconfig content of the settings (a credential), or else the in-cluster service account,
     * or else {@code ~/.kube/config}; the context is the settings' or the kubeconfig's current one.
     */
    public static KubernetesTarget connect(KubernetesSettings settings, Consumer<DeploymentEvent> events) {
        return new KubernetesTarget(
                client(settings.kubeconfig(), settings.context()), true, settings, events, Optional.empty());
    }

    /** The namespace of the kubeconfig's context (the current one when empty), else {@code default}. */
    public static String contextNamespace(Optional<String> kubeconfig, Optional<String> context) {
        Config config = kubeconfig.isPresent()
                ? Config.fromKubeconfig(context.orElse(null), kubeconfig.get(), null)
                : Config.autoConfigure(context.orElse(null));
        return config.getNamespace() == null ? "default" : config.getNamespace();
    }

    /** A client for a kubeconfig (content) and context, with explicit timeouts; the caller closes it. */
    public static KubernetesClient client(Optional<String> kubeconfig, Optional<String> context) {
        Config base = kubeconfig.isPresent()
                ? Config.fromKubeconfig(context.orElse(null), kubeconfig.get(), null)
                : Config.autoConfigure(context.orElse(null));
        Config config = new ConfigBuilder(base)
                .withRequestTimeout((int) REQUEST_TIMEOUT.toMillis())
                .withConnectionTimeout((int) CONNECT_TIMEOUT.toMillis())
                .build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    @Override
    public String describe() {
        return "kubernetes namespace " + settings.namespace();
    }

    /**
     * Where this engine reaches the version: its route on the gateway ({@link KubernetesSettings#gatewayUrl()}, else
     * {@code http://<host>}) when one is known, else its in-cluster Service on port 80 (reachable only from inside the
     * cluster).
     */
    public URI endpoint(VersionRef version) {
        return gateway()
                .map(g -> Endpoints.version(g, version.model(), version.version()))
                .orElse(URI.create("http://" + version.id() + "." + settings.namespace() + ".svc.cluster.local"));
    }

    /**
     * Without a gateway URL or a routed host, the versions are reached at in-cluster DNS names
     * ({@code http://m-v.ns.svc.cluster.local}, Traefik's Service), which resolve only inside the cluster: from a laptop
     * or a CI runner every smoke request would fail and the version would be taken out as FAILED. Said before
     * anything is rolled out instead.
     */
    @Override
    public Optional<String> unreachable() {
        if (gateway().isPresent() || runsInCluster()) {
            return Optional.empty();
        }
        return Optional.of("the versions of namespace " + settings.namespace() + " are reached at in-cluster addresses"
                + " (e.g. http://m-v." + settings.namespace() + ".svc.cluster.local) and this process does not run in"
                + " the cluster: run in-cluster or pass --gateway-url/--host (the gateway URL or the routed host of"
                + " the cluster settings), or skip the smoke test (--no-smoke)");
    }

    /**
     * In a pod: the kubelet injects the {@code kubernetes} Service's {@code KUBERNETES_SERVICE_HOST} and
     * {@code _PORT} into every container, even with {@code enableServiceLinks: false} (Kubernetes
     * {@code pkg/kubelet/kubelet_pods.go}, the master service is always added); client-go's
     * {@code rest.InClusterConfig} and fabric8's {@code Config} start from the same variables. Only cluster DNS
     * matters here, so the service-account token is not required.
     */
    static boolean runsInCluster() {
        return System.getenv("KUBERNETES_SERVICE_HOST") != null && System.getenv("KUBERNETES_SERVICE_PORT") != null;
    }

    /** The gateway URL clients use: the configured one, else the routed host's. */
    private Optional<URI> gateway() {
        return settings.gatewayUrl().or(() -> settings.host().map(h -> URI.create("http://" + h)));
    }

    @Override
    public DeployedVersion rollout(RolloutRequest request) throws RolloutException, InterruptedException {
        VersionRef ref = request.ref();
        modelRoutes.put(
                request.version().spec().name(),
                settings.routeOptionsFor(request.version().spec().route()));
        String deployment = settings.namespace() + "/Deployment/" + ref.id();
        String image = request.image()
                .orElseThrow(() -> new RolloutException(
                        deployment,
                        "NoImage",
                        "a Kubernetes rollout needs the image by digest (repository@sha256:…)",
                        List.of()));
        List<HasMetadata> objects = ManifestRenderer.render(
                request.version(),
                new RenderOptions(
                        settings.namespace(),
                        image,
                        settings.minReplicas(),
                        settings.maxReplicas(),
                        settings.imagePullSecrets(),
                        request.annotations()));
        Optional<String> run = Optional.ofNullable(request.annotations().get(ModelLabels.ROLLOUT_KEY));
        // What has the version's names now: a failed rollout puts back what was there and removes only what it made.
        Map<String, GenericKubernetesResource> before;
        try {
            before = applier.snapshot(objects);
        } catch (KubernetesApplyException e) {
            throw new RolloutException(deployment, "ApiError", e.getMessage(), List.of(), Aftermath.UNTOUCHED);
        }
        refuseOverProduction(ref, deployment, image, before.get("Deployment"));
        preflight(ref, deployment);
        List<ResourceApplier.Change> changes = new ArrayList<>();
        RolloutOutcome outcome;
        RolloutWatcher.Session session = null;
        try {
            try {
                changes.addAll(applier.apply(
                        objects.stream().filter(Deployment.class::isInstance).toList()));
                if (atZero(before.get("Deployment"))) {
                    // A version retired with SCALE_TO_ZERO: an HPA re-created on a Deployment at 0 replicas is inert
                    // ("ScalingDisabled", podautoscaler/horizontal.go), so replicas come first, as restore() does.
                    scaleUp(ref, replicasFor(objects));
                    changes.add(new ResourceApplier.Change("Deployment", ref.id(), ObjectApplier.Action.UPDATED));
                }
                changes.addAll(applier.apply(
                        objects.stream().filter(o -> !(o instanceof Deployment)).toList()));
            } catch (KubernetesApplyException e) {
                changes.addAll(e.applied());
                throw e;
            }
            // Watched from after the writes: the informers' lists then hold the current state (a changed Deployment's
            // new generation not yet observed), so nothing is missed, whereas caches listed before the write would
            // hold the previous template's finished status and pass the old pods for the new ones. That the watches
            // can list at all was checked before any write (preflight).
            session = watcher.start(
                    ref.model(),
                    ref.version(),
                    options(
                            atLeast(
                                    request.timeout(),
                                    request.version().spec().serving().progressDeadline()),
                            request.version().spec().serving().loadTimeout()));
            outcome = session.await();
        } catch (InterruptedException e) {
            close(session);
            throw stopped(ref, run, before, changes, deployment, e);
        } catch (KubernetesWatchException | KubernetesApplyException e) {
            close(session); // before undoing: the watches need not see it (and the mock API server blocks on them)
            if (Thread.interrupted()) { // fabric8 turns an interrupted request into an exception, flag set
                throw stopped(ref, run, before, changes, deployment, new InterruptedException(e.getMessage()));
            }
            boolean apply = e instanceof KubernetesApplyException;
            Optional<KubernetesClientException> api = apiError(e);
            String reason = api.filter(a -> a.getCode() == HttpURLConnection.HTTP_FORBIDDEN)
                    .map(a -> "Forbidden")
                    .orElse(apply ? "ApplyFailed" : "WatchFailed");
            // An API error (RBAC 403, validation 422) says more than "did not list within 30s": name it.
            String details = api.filter(a -> !apply)
                    .map(a -> "watching the rollout failed: HTTP " + a.getCode() + " " + statusMessage(a))
                    .orElse(e.getMessage());
            throw failed(ref, run, before, changes, new RolloutException(deployment, reason, details, List.of()));
        } catch (TargetException e) {
            close(session);
            if (Thread.interrupted()) {
                throw stopped(ref, run, before, changes, deployment, new InterruptedException(e.getMessage()));
            }
            throw failed(
                    ref,
                    run,
                    before,
                    changes,
                    new RolloutException(deployment, "ApplyFailed", e.getMessage(), List.of()));
        } finally {
            close(session);
        }
        if (outcome instanceof RolloutOutcome.Available available) {
            return new DeployedVersion(
                    ref, endpoint(ref), Optional.of(image), available.readyReplicas(), available.took());
        }
        RolloutOutcome.Failed failed = (RolloutOutcome.Failed) outcome;
        throw failed(
                ref,
                run,
                before,
                changes,
                new RolloutException(
                        failed.object().namespace() + "/" + failed.object().kind() + "/"
                                + failed.object().name(),
                        failed.cause(),
                        failed.details(),
                        failed.logTail()));
    }

    /**
     * The run was stopped (the build aborted) during its rollout: objects that were there before are put back now (the
     * caller retires only objects that carry its own run's id, so nobody else would), then the interruption passes
     * on; a version that is all this run's is left to the caller. Undoing failures are attached to it.
     */
    private InterruptedException stopped(
            VersionRef ref,
            Optional<String> run,
            Map<String, GenericKubernetesResource> before,
            List<ResourceApplier.Change> changes,
            String deployment,
            InterruptedException e) {
        RolloutException undone = failed(
                ref, run, before, changes, new RolloutException(deployment, "Interrupted", "", List.of()), false);
        if (undone.aftermath() != Aftermath.RETIRED) {
            e.addSuppressed(undone);
        }
        return e;
    }

    private static void close(RolloutWatcher.Session session) {
        if (session != null) {
            session.close();
        }
    }

    /**
     * Production's objects are never rolled over with another image: a failed template would take production down
     * with it (the lifecycle refuses this first; this guards every other caller of the target).
     */
    private void refuseOverProduction(VersionRef ref, String deployment, String image, GenericKubernetesResource live)
            throws RolloutException {
        if (live == null) {
            return;
        }
        Map<String, String> annotations =
                AnnotationReleaseStore.nonNull(live.getMetadata().getAnnotations());
        String serving = annotations.get(ModelLabels.IMAGE);
        if (Stage.PRODUCTION.value().equals(annotations.get(AnnotationReleaseStore.STAGE))
                && serving != null
                && !serving.equals(image)) {
            throw new RolloutException(
                    deployment,
                    "ServesProduction",
                    "version " + ref.version() + " of model " + ref.model() + " serves production with image " + serving
                            + "; refusing to replace it with " + image + ": deploy it under a new version",
                    List.of(),
                    Aftermath.UNTOUCHED);
        }
    }

    /**
     * What the rollout watcher lists (the version's Deployments, ReplicaSets and Pods, the namespace's Events), listed
     * once (one item each) before anything is written: a Role without those verbs fails here with the API server's
     * words ({@code events is forbidden: User "…" cannot list resource "events" …}) and nothing touched, instead of
     * an informer that "did not list within 30s" after the objects were changed.
     */
    private void preflight(VersionRef ref, String deployment) throws RolloutException {
        String ns = settings.namespace();
        Map<String, String> selector = ModelLabels.selector(ref.model(), ref.version());
        io.fabric8.kubernetes.api.model.ListOptions one = new io.fabric8.kubernetes.api.model.ListOptionsBuilder()
                .withLimit(1L)
                .build();
        Map<String, Runnable> lists = new LinkedHashMap<>();
        lists.put(
                "Deployments",
                () -> client.apps()
                        .deployments()
                        .inNamespace(ns)
                        .withLabels(selector)
                        .list(one));
        lists.put(
                "ReplicaSets",
                () -> client.apps()
                        .replicaSets()
                        .inNamespace(ns)
                        .withLabels(selector)
                        .list(one));
        lists.put(
                "Pods", () -> client.pods().inNamespace(ns).withLabels(selector).list(one));
        lists.put("Events", () -> client.v1().events().inNamespace(ns).list(one));
        // The watcher also follows the namespace's HPAs (it waits for their minimum), so a Role without list on them
        // must fail here, before any write, not after.
        lists.put(
                "HorizontalPodAutoscalers",
                () -> client.autoscaling()
                        .v2()
                        .horizontalPodAutoscalers()
                        .inNamespace(ns)
                        .list(one));
        for (Map.Entry<String, Runnable> list : lists.entrySet()) {
            try {
                list.getValue().run();
            } catch (KubernetesClientException e) {
                throw new RolloutException(
                        deployment,
                        e.getCode() == HttpURLConnection.HTTP_FORBIDDEN ? "Forbidden" : "WatchFailed",
                        "the rollout cannot be watched: listing " + list.getKey() + " in namespace " + ns
                                + " failed: HTTP " + e.getCode() + " " + statusMessage(e),
                        List.of(),
                        Aftermath.UNTOUCHED);
            }
        }
    }

    private static boolean atZero(GenericKubernetesResource deployment) {
        if (deployment == null || !(deployment.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec)) {
            return false;
        }
        return spec.get("replicas") instanceof Number n && n.intValue() == 0;
    }

    /** The HPA's minimum when one is rendered, else the rendered Deployment's replicas, else the settings' minimum. */
    private int replicasFor(List<HasMetadata> objects) {
        for (HasMetadata object : objects) {
            if (object instanceof HorizontalPodAutoscaler hpa
                    && hpa.getSpec() != null
                    && hpa.getSpec().getMinReplicas() != null) {
                return hpa.getSpec().getMinReplicas();
            }
        }
        for (HasMetadata object : objects) {
            if (object instanceof Deployment d
                    && d.getSpec() != null
                    && d.getSpec().getReplicas() != null) {
                return Math.max(1, d.getSpec().getReplicas());
            }
        }
        return Math.max(1, settings.minReplicas());
    }

    /** Brings a Deployment at 0 replicas up to {@code replicas}; the set-aside HPA spec is dropped (re-rendered). */
    private void scaleUp(VersionRef ref, int replicas) throws TargetException {
        updateDeployment(ref.id(), d -> {
            d.getSpec().setReplicas(replicas);
            Map<String, String> annotations = new LinkedHashMap<>(
                    AnnotationReleaseStore.nonNull(d.getMetadata().getAnnotations()));
            annotations.remove(RETIRED_HPA);
            annotations.remove(RETIRED_REPLICAS);
            d.getMetadata().setAnnotations(annotations);
            return d;
        });
    }

    /** The fixed replica count kept by a scale to zero ({@value #RETIRED_REPLICAS}), if any and well-formed. */
    private static Optional<Integer> retiredReplicas(Map<String, String> annotations) {
        String kept = annotations.get(RETIRED_REPLICAS);
        if (kept == null) {
            return Optional.empty();
        }
        try {
            int replicas = Integer.parseInt(kept.trim());
            return replicas > 0 ? Optional.of(replicas) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<KubernetesClientException> apiError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof KubernetesClientException k && k.getCode() > 0) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    /** The API server's own words (e.g. {@code events is forbidden: User "…" cannot list resource "events" …}). */
    private static String statusMessage(KubernetesClientException e) {
        return e.getStatus() != null && e.getStatus().getMessage() != null
                ? e.getStatus().getMessage()
                : e.getMessage();
    }

    /**
     * The watch limits of one rollout: a started container may stay unready for the model's declared load time
     * ({@code serving.loadTimeout}, which also sizes the startup probe) plus {@link #READINESS_SLACK}.
     */
    private RolloutWatcher.Options options(Duration timeout, Duration loadTimeout) {
        return new RolloutWatcher.Options(
                timeout, readinessLimit(readinessTimeout, loadTimeout), Duration.ofSeconds(30));
    }

    /**
     * {@code timeout}, lengthened to the live Deployment's {@code progressDeadlineSeconds} plus a minute when that is
     * longer: the caller (a restore after an A/B test, which no longer has the model's spec) must not give up before
     * the cluster has judged a model that was rendered with a long {@code serving.loadTimeout}.
     */
    static Duration atLeastTheProgressDeadline(Duration timeout, Deployment live) {
        Integer deadline = live.getSpec() == null ? null : live.getSpec().getProgressDeadlineSeconds();
        return deadline == null ? timeout : atLeast(timeout, Duration.ofSeconds(deadline));
    }

    /**
     * A rollout's watch limit: {@code timeout}, or the progress deadline plus a minute when that is longer, so the
     * Deployment controller's verdict (with its reason) arrives before a bare timeout, and a model the cluster still
     * lets load (a long {@code serving.loadTimeout}) is not given up on. Only here: a local harness has no such
     * deadline and keeps the timeout it was given.
     */
    static Duration atLeast(Duration timeout, Duration progressDeadline) {
        Duration needed = progressDeadline.plusMinutes(1);
        return needed.compareTo(timeout) > 0 ? needed : timeout;
    }

    /** The fixed limit when one is given, else the model's load time plus {@link #READINESS_SLACK}. */
    static Duration readinessLimit(Optional<Duration> fixed, Duration loadTimeout) {
        return fixed.orElse(loadTimeout.plus(READINESS_SLACK));
    }

    /**
     * The load time a live Deployment was rendered with: its startup probe's budget (initial delay plus failure
     * threshold times period, which is when the kubelet gives up), else the default {@code serving.loadTimeout}.
     */
    static Duration loadTimeout(Deployment live) {
        return Optional.ofNullable(live.getSpec())
                .map(spec -> spec.getTemplate())
                .map(template -> template.getSpec())
                .flatMap(pod -> pod.getContainers().stream().findFirst())
                .map(container -> container.getStartupProbe())
                .filter(probe -> probe.getFailureThreshold() != null && probe.getPeriodSeconds() != null)
                .map(probe -> Duration.ofSeconds((long) probe.getFailureThreshold() * probe.getPeriodSeconds()
                        + Optional.ofNullable(probe.getInitialDelaySeconds()).orElse(0)))
                .orElse(io.jenkins.plugins.modeldeploy.model.Serving.DEFAULT_LOAD_TIMEOUT);
    }

    /**
     * Undoes a failed rollout without touching what this run did not make. When every object with the version's
     * names is this run's (none existed before, or an earlier attempt of the same run wrote them), the version is
     * retired as {@link KubernetesSettings#onFailure()} says. Otherwise objects were there before (another run's
     * version, or objects model-deploy did not create): what this rollout changed is put back from the snapshot and
     * what it created is deleted; nothing that was there is deleted. A failure while undoing is attached, never hides
     * the rollout's cause.
     */
    private RolloutException failed(
            VersionRef ref,
            Optional<String> run,
            Map<String, GenericKubernetesResource> before,
            List<ResourceApplier.Change> changes,
            RolloutException cause) {
        return failed(ref, run, before, changes, cause, true);
    }

    /** {@code retireOwn} false: a version that is all this run's is left to the caller (an interrupted run). */
    private RolloutException failed(
            VersionRef ref,
            Optional<String> run,
            Map<String, GenericKubernetesResource> before,
            List<ResourceApplier.Change> changes,
            RolloutException cause,
            boolean retireOwn) {
        boolean wrote = changes.stream().anyMatch(c -> c.action() != ObjectApplier.Action.UNCHANGED);
        List<GenericKubernetesResource> foreign = before.values().stream()
                .filter(o -> run.isEmpty()
                        || !run.get()
                                .equals(AnnotationReleaseStore.nonNull(
                                                o.getMetadata().getAnnotations())
                                        .get(ModelLabels.ROLLOUT)))
                .toList();
        if (foreign.isEmpty()) {
            if (before.isEmpty() && !wrote) {
                return cause.withAftermath(Aftermath.UNTOUCHED, "nothing was created");
            }
            if (!retireOwn) {
                return cause;
            }
            try {
                retire(ref, settings.onFailure());
            } catch (TargetException e) {
                cause.addSuppressed(e);
            }
            return cause;
        }
        java.util.Set<String> undone = new java.util.HashSet<>();
        for (ResourceApplier.Change change : changes) {
            if (change.action() == ObjectApplier.Action.UNCHANGED || !undone.add(change.kind())) {
                continue;
            }
            GenericKubernetesResource previous = before.get(change.kind());
            try {
                if (previous == null) {
                    applier.delete(apiVersion(change.kind()), change.kind(), settings.namespace(), change.name());
                } else {
                    applier.restore(previous);
                }
            } catch (KubernetesApplyException e) {
                cause.addSuppressed(e);
            }
        }
        return wrote
                ? cause.withAftermath(
                        Aftermath.RESTORED,
                        "the objects that existed before this rollout were put back (" + String.join(", ", undone)
                                + "); nothing it did not create was deleted")
                : cause.withAftermath(
                        Aftermath.UNTOUCHED, "nothing was changed: the objects that existed before are untouched");
    }

    private static String apiVersion(String kind) {
        return switch (kind) {
            case "Deployment" -> "apps/v1";
            case "Service" -> "v1";
            case "HorizontalPodAutoscaler" -> "autoscaling/v2";
            case "PodDisruptionBudget" -> "policy/v1";
            default -> throw new IllegalArgumentException("no API version known for kind " + kind);
        };
    }

    @Override
    public void retire(VersionRef version, RetireMode mode) throws TargetException {
        String ns = settings.namespace();
        String name = version.id();
        if (mode == RetireMode.REMOVE) {
            delete(
                    "Deployment/" + name,
                    () -> client.apps()
                            .deployments()
                            .inNamespace(ns)
                            .withName(name)
                            .delete());
            delete(
                    "Service/" + name,
                    () -> client.services().inNamespace(ns).withName(name).delete());
            delete(
                    "HorizontalPodAutoscaler/" + name,
                    () -> client.autoscaling()
                            .v2()
                            .horizontalPodAutoscalers()
                            .inNamespace(ns)
                            .withName(name)
                            .delete());
            delete(
                    "PodDisruptionBudget/" + name,
                    () -> client.policy()
                            .v1()
                            .podDisruptionBudget()
                            .inNamespace(ns)
                            .withName(name)
                            .delete());
            return;
        }
        HorizontalPodAutoscaler hpa = call(
                "HorizontalPodAutoscaler/" + name,
                () -> client.autoscaling()
                        .v2()
                        .horizontalPodAutoscalers()
                        .inNamespace(ns)
                        .withName(name)
                        .get());
        String kept = hpa == null ? null : client.getKubernetesSerialization().asJson(hpa.getSpec());
        updateDeployment(name, d -> {
            Map<String, String> annotations = new LinkedHashMap<>(
                    AnnotationReleaseStore.nonNull(d.getMetadata().getAnnotations()));
            if (kept != null) {
                annotations.put(RETIRED_HPA, kept);
            } else if (d.getSpec().getReplicas() != null && d.getSpec().getReplicas() > 0) {
                annotations.put(RETIRED_REPLICAS, Integer.toString(d.getSpec().getReplicas()));
            }
            d.getMetadata().setAnnotations(annotations);
            d.getSpec().setReplicas(0);
            return d;
        });
        if (hpa != null) {
            delete(
                    "HorizontalPodAutoscaler/" + name,
                    () -> client.autoscaling()
                            .v2()
                            .horizontalPodAutoscalers()
                            .inNamespace(ns)
                            .withName(name)
                            .delete());
        }
        awaitNoPods(version);
    }

    /**
     * Waits (watching, up to {@link #SCALE_DOWN_TIMEOUT}) until the version has no pod left that is not already
     * terminating: retired means not serving, and a restore right after must not mistake an old pod for a new one.
     */
    private void awaitNoPods(VersionRef version) throws TargetException {
        var pods = client.pods()
                .inNamespace(settings.namespace())
                .withLabels(ModelLabels.selector(version.model(), version.version()))
                .runnableInformer(0);
        java.util.concurrent.CompletableFuture<Void> gone = new java.util.concurrent.CompletableFuture<>();
        Runnable test = () -> {
            if (pods.getStore().list().stream().allMatch(p -> p.getMetadata().getDeletionTimestamp() != null)) {
                gone.complete(null);
            }
        };
        pods.addEventHandler(new io.fabric8.kubernetes.client.informers.ResourceEventHandler<>() {
            @Override
            public void onAdd(io.fabric8.kubernetes.api.model.Pod pod) {
                test.run();
            }

            @Override
            public void onUpdate(
                    io.fabric8.kubernetes.api.model.Pod before, io.fabric8.kubernetes.api.model.Pod after) {
                test.run();
            }

            @Override
            public void onDelete(io.fabric8.kubernetes.api.model.Pod pod, boolean unknown) {
                test.run();
            }
        });
        try {
            // Tested once after the initial list too: the pods may be gone before the watch starts (no event then).
            pods.start()
                    .toCompletableFuture()
                    .thenRun(test)
                    .get(SCALE_DOWN_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            gone.get(SCALE_DOWN_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new TargetException(
                    settings.namespace() + "/Deployment/" + version.id() + ": pods still running " + SCALE_DOWN_TIMEOUT
                            + " after scaling to zero",
                    e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new TargetException(
                    settings.namespace() + "/Pod (version " + version.id() + "): watching the scale" + " down failed: "
                            + e.getCause().getMessage(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TargetException(
                    settings.namespace() + "/Deployment/" + version.id() + ": interrupted while"
                            + " waiting for its pods to stop",
                    e);
        } finally {
            pods.close();
        }
    }

    @Override
    public DeployedVersion restore(VersionRef version, Duration timeout) throws RolloutException, InterruptedException {
        String ns = settings.namespace();
        String what = ns + "/Deployment/" + version.id();
        try {
            Deployment live = client.apps()
                    .deployments()
                    .inNamespace(ns)
                    .withName(version.id())
                    .get();
            if (live == null) {
                throw new RolloutException(
                        what, "NotFound", "nothing to restore (was it retired with REMOVE?)", List.of());
            }
            Map<String, String> liveAnnotations =
                    AnnotationReleaseStore.nonNull(live.getMetadata().getAnnotations());
            String kept = liveAnnotations.get(RETIRED_HPA);
            HorizontalPodAutoscaler hpa = null;
            // A fixed count (no HPA) comes back as it was; an autoscaled version at its HPA's minimum.
            int replicas = retiredReplicas(liveAnnotations).orElse(settings.minReplicas());
            if (kept != null) {
                hpa = new HorizontalPodAutoscaler();
                hpa.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                        .withName(version.id())
                        .withNamespace(ns)
                        .withLabels(live.getMetadata().getLabels())
                        .build());
                hpa.setSpec(client.getKubernetesSerialization()
                        .unmarshal(
                                kept,
                                io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerSpec.class));
                replicas = hpa.getSpec().getMinReplicas() == null
                        ? 1
                        : hpa.getSpec().getMinReplicas();
            }
            int target = replicas;
            RolloutOutcome outcome;
            try (RolloutWatcher.Session session = watcher.start(
                    version.model(),
                    version.version(),
                    options(atLeastTheProgressDeadline(timeout, live), loadTimeout(live)))) {
                updateDeployment(version.id(), d -> {
                    d.getSpec().setReplicas(target);
                    Map<String, String> annotations = new LinkedHashMap<>(
                            AnnotationReleaseStore.nonNull(d.getMetadata().getAnnotations()));
                    annotations.remove(RETIRED_HPA);
                    annotations.remove(RETIRED_REPLICAS);
                    d.getMetadata().setAnnotations(annotations);
                    return d;
                });
                if (hpa != null) {
                    client.autoscaling()
                            .v2()
                            .horizontalPodAutoscalers()
                            .inNamespace(ns)
                            .resource(hpa)
                            .createOr(existing -> existing.update());
                }
                outcome = session.await();
            }
            if (outcome instanceof RolloutOutcome.Available available) {
                String image = AnnotationReleaseStore.nonNull(live.getMetadata().getAnnotations())
                        .get(ModelLabels.ANNOTATION_PREFIX + "image");
                return new DeployedVersion(
                        version,
                        endpoint(version),
                        Optional.ofNullable(image),
                        available.readyReplicas(),
                        available.took());
            }
            RolloutOutcome.Failed failed = (RolloutOutcome.Failed) outcome;
            throw new RolloutException(
                    failed.object().namespace() + "/" + failed.object().kind() + "/"
                            + failed.object().name(),
                    failed.cause(),
                    failed.details(),
                    failed.logTail());
        } catch (KubernetesClientException e) {
            throw new RolloutException(what, "ApiError", ApiErrors.describe(e, client), List.of());
        } catch (RolloutException e) {
            throw e;
        } catch (TargetException e) {
            throw new RolloutException(what, "RestoreFailed", e.getMessage(), List.of());
        }
    }

    @Override
    public TrafficRouter router() {
        URI base = gateway().orElse(IN_CLUSTER_TRAEFIK);
        return switch (settings.routeMode()) {
            case TRAEFIK ->
                new TraefikRouter(
                        client,
                        settings.namespace(),
                        settings.host(),
                        base,
                        settings.routeOptions(),
                        model -> Optional.ofNullable(modelRoutes.get(model)),
                        settings.applyMode(),
                        message -> LOG.log(System.Logger.Level.WARNING, message));
            case INGRESS ->
                new IngressRouter(client, settings.namespace(), settings.host(), settings.ingressClassName(), base);
        };
    }

    /** Read through the informer-fed catalog (one list per kind, then its cache), not one call per object. */
    @Override
    public List<ModelStatus> status(Duration timeout) throws TargetException {
        try (ModelCatalog catalog = ModelCatalog.start(
                client, settings.namespace(), settings.routeMode() == KubernetesSettings.RouteMode.TRAEFIK, timeout)) {
            return catalog.status();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TargetException("interrupted while reading the models of namespace " + settings.namespace(), e);
        }
    }

    @Override
    public Optional<MetricsSource> metrics(double sloP99Ms) {
        return settings.prometheus()
                .map(url -> new PrometheusMetricsSource(
                        url, settings.namespace(), sloP99Ms, settings.prometheusMatchers()));
    }

    @Override
    public ReleaseStore releases() {
        return releases;
    }

    @Override
    public void close() {
        if (ownsClient) {
            client.close();
        }
    }

    private void updateDeployment(String name, UnaryOperator<Deployment> change) throws TargetException {
        String what = settings.namespace() + "/Deployment/" + name;
        for (int attempt = 0; attempt <= ResourceApplier.CONFLICT_RETRIES; attempt++) {
            try {
                Deployment live = client.apps()
                        .deployments()
                        .inNamespace(settings.namespace())
                        .withName(name)
                        .get();
                if (live == null) {
                    throw new TargetException(what + " does not exist");
                }
                client.apps()
                        .deployments()
                        .inNamespace(settings.namespace())
                        .resource(change.apply(live))
                        .update();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                    throw new TargetException(what + ": " + ApiErrors.describe(e, client), e);
                }
            }
        }
        throw new TargetException(
                what + ": still conflicting after " + (ResourceApplier.CONFLICT_RETRIES + 1) + " attempts");
    }

    private interface ApiCall<T> {
        T call();
    }

    private <T> T call(String object, ApiCall<T> call) throws TargetException {
        try {
            return call.call();
        } catch (KubernetesClientException e) {
            throw new TargetException(settings.namespace() + "/" + object + ": " + ApiErrors.describe(e, client), e);
        }
    }

    private void delete(String kind, ApiCall<?> call) throws TargetException {
        call(kind, call); // a missing object is not an error: retiring is idempotent (fabric8 returns an empty list)
    }
}
