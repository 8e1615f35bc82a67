package io.jenkins.plugins.modeldeploy.kube;

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
import io.jenkins.plugins.modeldeploy.route.Endpoints;
import io.jenkins.plugins.modeldeploy.route.IngressRouter;
import io.jenkins.plugins.modeldeploy.route.TraefikRouter;
import io.jenkins.plugins.modeldeploy.route.TrafficRouter;
import io.jenkins.plugins.modeldeploy.target.DeployedVersion;
import io.jenkins.plugins.modeldeploy.target.ModelStatus;
import io.jenkins.plugins.modeldeploy.target.ReleaseStore;
import io.jenkins.plugins.modeldeploy.target.RetireMode;
import io.jenkins.plugins.modeldeploy.target.RolloutException;
import io.jenkins.plugins.modeldeploy.target.RolloutRequest;
import io.jenkins.plugins.modeldeploy.target.Target;
import io.jenkins.plugins.modeldeploy.target.TargetException;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Model versions on a Kubernetes namespace: rollout = render, apply idempotently, watch until available or failed;
 * a failed version is retired as {@link io.jenkins.plugins.modeldeploy.kube.KubernetesSettings#onFailure()} says and
 * routes are never touched by a rollout.
 *
 * <p>Retiring with {@link RetireMode#SCALE_TO_ZERO} deletes the version's HPA (after keeping its spec in the
 * Deployment annotation {@value #RETIRED_HPA}) and sets {@code spec.replicas} to 0: an HPA left in place could scale
 * the version up again (any HPA whose target is not at zero replicas acts on it), and deleting it is the one state
 * that is obviously inert. {@link #restore} recreates the HPA from that annotation and scales to its minimum.
 */
public final class KubernetesTarget implements Target {
    public static final String RETIRED_HPA = ModelLabels.ANNOTATION_PREFIX + "retired-hpa";
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
    private final Duration readinessTimeout;
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
        this(client, false, settings, events, readinessTimeout);
    }

    private KubernetesTarget(
            KubernetesClient client,
            boolean ownsClient,
            KubernetesSettings settings,
            Consumer<DeploymentEvent> events,
            Duration readinessTimeout) {
        this.client = Objects.requireNonNull(client, "client");
        this.ownsClient = ownsClient;
        this.settings = Objects.requireNonNull(settings, "settings");
        this.events = Objects.requireNonNull(events, "events");
        this.readinessTimeout = readinessTimeout;
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
                client(settings.kubeconfig(), settings.context()),
                true,
                settings,
                events,
                RolloutWatcher.Options.of(Duration.ofMinutes(5)).readinessTimeout());
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
        RolloutOutcome outcome;
        try (RolloutWatcher.Session session = watcher.start(ref.model(), ref.version(), options(request.timeout()))) {
            applier.apply(objects);
            outcome = session.await();
        } catch (KubernetesWatchException | KubernetesApplyException e) {
            throw failed(
                    ref,
                    new RolloutException(
                            deployment,
                            e instanceof KubernetesApplyException ? "ApplyFailed" : "WatchFailed",
                            e.getMessage(),
                            List.of()));
        }
        if (outcome instanceof RolloutOutcome.Available available) {
            return new DeployedVersion(
                    ref, endpoint(ref), Optional.of(image), available.readyReplicas(), available.took());
        }
        RolloutOutcome.Failed failed = (RolloutOutcome.Failed) outcome;
        throw failed(
                ref,
                new RolloutException(
                        failed.object().namespace() + "/" + failed.object().kind() + "/"
                                + failed.object().name(),
                        failed.cause(),
                        failed.details(),
                        failed.logTail()));
    }

    private RolloutWatcher.Options options(Duration timeout) {
        return new RolloutWatcher.Options(timeout, readinessTimeout, Duration.ofSeconds(30));
    }

    /** Retires the failed version as configured; a retire failure is attached, never hides the rollout's cause. */
    private RolloutException failed(VersionRef ref, RolloutException cause) {
        try {
            retire(ref, settings.onFailure());
        } catch (TargetException e) {
            cause.addSuppressed(e);
        }
        return cause;
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
            String kept = AnnotationReleaseStore.nonNull(live.getMetadata().getAnnotations())
                    .get(RETIRED_HPA);
            HorizontalPodAutoscaler hpa = null;
            int replicas = settings.minReplicas();
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
            try (RolloutWatcher.Session session = watcher.start(version.model(), version.version(), options(timeout))) {
                updateDeployment(version.id(), d -> {
                    d.getSpec().setReplicas(target);
                    Map<String, String> annotations = new LinkedHashMap<>(
                            AnnotationReleaseStore.nonNull(d.getMetadata().getAnnotations()));
                    annotations.remove(RETIRED_HPA);
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
            throw new RolloutException(what, "ApiError", "HTTP " + e.getCode() + " " + e.getMessage(), List.of());
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
                    throw new TargetException(what + ": HTTP " + e.getCode() + " " + e.getMessage(), e);
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
            throw new TargetException(
                    settings.namespace() + "/" + object + ": HTTP " + e.getCode() + " " + e.getMessage(), e);
        }
    }

    private void delete(String kind, ApiCall<?> call) throws TargetException {
        call(kind, call); // a missing object is not an error: retiring is idempotent (fabric8 returns an empty list)
    }
}
