package io.jenkins.plugins.modeldeploy.kube;

import io.jenkins.plugins.modeldeploy.abtest.LabelMatchers;
import io.jenkins.plugins.modeldeploy.model.RouteSettings;
import io.jenkins.plugins.modeldeploy.route.ObjectApplier;
import io.jenkins.plugins.modeldeploy.route.RouteOptions;
import io.jenkins.plugins.modeldeploy.target.RetireMode;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach a cluster and what to put there.
 *
 * @param kubeconfig  kubeconfig YAML (from a credential); empty: the in-cluster service account, else ~/.kube/config
 * @param context     the kubeconfig context; empty: its current context
 * @param host        the host Traefik routes match; empty: any host
 * @param routeMode   Traefik CRDs (weighted A/B split) or a plain Ingress (per-version and stable paths only)
 * @param prometheus  where Traefik's service metrics are scraped to, for A/B tests on the cluster
 * @param onFailure   what happens to a version whose rollout failed
 * @param gatewayUrl  where this machine reaches Traefik's entry point (e.g. {@code https://models.example.com}): smoke
 *                    tests and synthetic A/B traffic go through the routes clients use, {@code <gateway>/models/m/v}
 *                    and {@code <gateway>/models/m}; empty: {@code http://<host>} when a host is routed, else the
 *                    in-cluster addresses (which only an engine running in the cluster reaches)
 * @param prometheusMatchers extra label matchers for every Prometheus query of an A/B test (e.g.
 *                    {@code cluster="prod"} behind Thanos or a federation); none by default
 * @param routeOptions the cluster's Traefik entry points, TLS and middlewares (a model's {@code route:} overrides
 *                    them field by field, {@link #routeOptionsFor})
 * @param applyMode   how the Traefik objects are written: owned-field GET+PUT (default, works on every API server) or
 *                    server-side apply with field manager {@code model-deploy}
 */
public record KubernetesSettings(
        Optional<String> kubeconfig,
        Optional<String> context,
        String namespace,
        Optional<String> host,
        RouteMode routeMode,
        Optional<String> ingressClassName,
        Optional<URI> prometheus,
        RetireMode onFailure,
        int minReplicas,
        int maxReplicas,
        List<String> imagePullSecrets,
        Optional<URI> gatewayUrl,
        LabelMatchers prometheusMatchers,
        RouteOptions routeOptions,
        ObjectApplier.Mode applyMode) {

    public enum RouteMode {
        TRAEFIK,
        INGRESS
    }

    /** Settings without a gateway URL. */
    public KubernetesSettings(
            Optional<String> kubeconfig,
            Optional<String> context,
            String namespace,
            Optional<String> host,
            RouteMode routeMode,
            Optional<String> ingressClassName,
            Optional<URI> prometheus,
            RetireMode onFailure,
            int minReplicas,
            int maxReplicas,
            List<String> imagePullSecrets) {
        this(
                kubeconfig,
                context,
                namespace,
                host,
                routeMode,
                ingressClassName,
                prometheus,
                onFailure,
                minReplicas,
                maxReplicas,
                imagePullSecrets,
                Optional.empty());
    }

    /** Settings without extra Prometheus label matchers, with the default route options (entry point {@code web}, no TLS or middlewares, owned-field apply). */
    public KubernetesSettings(
            Optional<String> kubeconfig,
            Optional<String> context,
            String namespace,
            Optional<String> host,
            RouteMode routeMode,
            Optional<String> ingressClassName,
            Optional<URI> prometheus,
            RetireMode onFailure,
            int minReplicas,
            int maxReplicas,
            List<String> imagePullSecrets,
            Optional<URI> gatewayUrl) {
        this(
                kubeconfig,
                context,
                namespace,
                host,
                routeMode,
                ingressClassName,
                prometheus,
                onFailure,
                minReplicas,
                maxReplicas,
                imagePullSecrets,
                gatewayUrl,
                LabelMatchers.NONE,
                RouteOptions.DEFAULTS,
                ObjectApplier.Mode.OWNED_FIELDS);
    }

    public KubernetesSettings withPrometheusMatchers(LabelMatchers matchers) {
        return new KubernetesSettings(
                kubeconfig,
                context,
                namespace,
                host,
                routeMode,
                ingressClassName,
                prometheus,
                onFailure,
                minReplicas,
                maxReplicas,
                imagePullSecrets,
                gatewayUrl,
                matchers,
                routeOptions,
                applyMode);
    }

    public KubernetesSettings withGatewayUrl(Optional<URI> url) {
        return new KubernetesSettings(
                kubeconfig,
                context,
                namespace,
                host,
                routeMode,
                ingressClassName,
                prometheus,
                onFailure,
                minReplicas,
                maxReplicas,
                imagePullSecrets,
                url,
                prometheusMatchers,
                routeOptions,
                applyMode);
    }

    /** These settings with the cluster's route options and apply mode. */
    public KubernetesSettings withRoutes(RouteOptions options, ObjectApplier.Mode mode) {
        return new KubernetesSettings(
                kubeconfig,
                context,
                namespace,
                host,
                routeMode,
                ingressClassName,
                prometheus,
                onFailure,
                minReplicas,
                maxReplicas,
                imagePullSecrets,
                gatewayUrl,
                prometheusMatchers,
                options,
                mode);
    }

    /**
     * A model's route options: its model.yaml {@code route:} fields over the cluster's; throws naming the field when
     * the result is not valid.
     */
    public RouteOptions routeOptionsFor(RouteSettings model) {
        return routeOptionsFor(routeOptions, model);
    }

    /** {@code model}'s fields over {@code cluster}'s, validated (errors name the field, e.g. {@code route.tls}). */
    public static RouteOptions routeOptionsFor(RouteOptions cluster, RouteSettings model) {
        return cluster.overriddenBy(
                        model.entryPoints(),
                        model.tls().map(t -> new RouteOptions.Tls(t.secretName(), t.certResolver())),
                        model.middlewares()
                                .map(list -> list.stream()
                                        .map(m -> new RouteOptions.MiddlewareRef(m.name(), m.namespace()))
                                        .toList()))
                .validated("route");
    }

    public KubernetesSettings {
        Objects.requireNonNull(kubeconfig, "kubeconfig");
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(routeMode, "routeMode");
        Objects.requireNonNull(ingressClassName, "ingressClassName");
        Objects.requireNonNull(prometheus, "prometheus");
        Objects.requireNonNull(onFailure, "onFailure");
        imagePullSecrets = List.copyOf(imagePullSecrets);
        Objects.requireNonNull(gatewayUrl, "gatewayUrl");
        Objects.requireNonNull(prometheusMatchers, "prometheusMatchers");
        Objects.requireNonNull(routeOptions, "routeOptions").validated("cluster route options");
        Objects.requireNonNull(applyMode, "applyMode");
        gatewayUrl.ifPresent(url -> {
            if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
                throw new IllegalArgumentException("gateway URL must be an http(s) URL with a host, was " + url);
            }
        });
        if (minReplicas < 1 || maxReplicas < minReplicas) {
            throw new IllegalArgumentException(
                    "replicas must satisfy 1 <= min <= max, were " + minReplicas + " and " + maxReplicas);
        }
    }

    /** Traefik mode, remove on failure, 2..10 replicas: the defaults of the CLI and the global configuration. */
    public static KubernetesSettings defaults(String namespace) {
        return new KubernetesSettings(
                Optional.empty(),
                Optional.empty(),
                namespace,
                Optional.empty(),
                RouteMode.TRAEFIK,
                Optional.empty(),
                Optional.empty(),
                RetireMode.REMOVE,
                2,
                10,
                List.of());
    }
}
