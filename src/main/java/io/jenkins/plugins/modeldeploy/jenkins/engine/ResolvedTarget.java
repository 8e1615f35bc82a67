package io.jenkins.plugins.modeldeploy.jenkins.engine;

import io.jenkins.plugins.modeldeploy.abtest.LabelMatchers;
import io.jenkins.plugins.modeldeploy.jenkins.config.ClusterConfig;
import io.jenkins.plugins.modeldeploy.kube.KubernetesSettings;
import io.jenkins.plugins.modeldeploy.route.ObjectApplier;
import io.jenkins.plugins.modeldeploy.target.RetireMode;
import java.io.Serializable;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * A step's cluster as the controller resolved it (configuration, credential, folder and kubeconfig checks), in a
 * form that travels to the agent: plain values, the kubeconfig among them (the engine there needs it). When it could
 * not be resolved, the reason, thrown on the agent only if the work asks for the cluster (a build step that names
 * no cluster needs none).
 */
public final class ResolvedTarget implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String failure;
    private final String kubeconfig;
    private final String namespace;
    private final String host;
    private final String routeMode;
    private final String prometheusUrl;
    private final String gatewayUrl;
    private final String prometheusMatchers;
    /** The cluster's Traefik route options, as ClusterConfig holds them (set by {@link #withRoutes}). */
    private String entryPoints;

    private String tlsSecretName;
    private String tlsCertResolver;
    private String middlewares;
    private String applyMode;

    ResolvedTarget(
            String kubeconfig,
            String namespace,
            String host,
            KubernetesSettings.RouteMode routeMode,
            String prometheusUrl,
            String gatewayUrl,
            String prometheusMatchers) {
        this.failure = null;
        this.kubeconfig = kubeconfig;
        this.namespace = namespace;
        this.host = host;
        this.routeMode = routeMode.name();
        this.prometheusUrl = prometheusUrl;
        this.gatewayUrl = gatewayUrl;
        this.prometheusMatchers = prometheusMatchers;
    }

    private ResolvedTarget(String failure) {
        this.failure = failure;
        this.kubeconfig = null;
        this.namespace = null;
        this.host = null;
        this.routeMode = null;
        this.prometheusUrl = null;
        this.gatewayUrl = null;
        this.prometheusMatchers = null;
    }

    /** This target with the cluster's route options (plain strings: it travels to the agent). */
    ResolvedTarget withRoutes(
            String entryPoints, String tlsSecretName, String tlsCertResolver, String middlewares, String applyMode) {
        this.entryPoints = entryPoints;
        this.tlsSecretName = tlsSecretName;
        this.tlsCertResolver = tlsCertResolver;
        this.middlewares = middlewares;
        this.applyMode = applyMode;
        return this;
    }

    /** A cluster that could not be resolved: {@link #settings()} throws with {@code reason}. */
    public static ResolvedTarget failed(String reason) {
        return new ResolvedTarget(reason);
    }

    /** The engine's cluster settings (on the agent). */
    public KubernetesSettings settings() {
        if (failure != null) {
            throw new IllegalArgumentException(failure);
        }
        KubernetesSettings defaults = KubernetesSettings.defaults(namespace);
        return new KubernetesSettings(
                        Optional.ofNullable(kubeconfig),
                        Optional.empty(),
                        namespace,
                        Optional.ofNullable(host),
                        KubernetesSettings.RouteMode.valueOf(routeMode),
                        Optional.empty(),
                        Optional.ofNullable(prometheusUrl).map(URI::create),
                        RetireMode.REMOVE,
                        defaults.minReplicas(),
                        defaults.maxReplicas(),
                        List.of())
                .withGatewayUrl(Optional.ofNullable(gatewayUrl).map(URI::create))
                .withPrometheusMatchers(LabelMatchers.parse("prometheusMatchers", prometheusMatchers))
                .withRoutes(
                        ClusterConfig.routeOptions(entryPoints, tlsSecretName, tlsCertResolver, middlewares),
                        applyMode == null ? ObjectApplier.Mode.OWNED_FIELDS : ObjectApplier.Mode.valueOf(applyMode));
    }
}
