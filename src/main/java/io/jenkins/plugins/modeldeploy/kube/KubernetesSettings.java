package io.jenkins.plugins.modeldeploy.kube;

import io.jenkins.plugins.modeldeploy.abtest.LabelMatchers;
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
        LabelMatchers prometheusMatchers) {

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

    /** Settings without extra Prometheus label matchers. */
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
                LabelMatchers.NONE);
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
                matchers);
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
                prometheusMatchers);
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
