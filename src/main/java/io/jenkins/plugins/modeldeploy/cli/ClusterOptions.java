package io.jenkins.plugins.modeldeploy.cli;

import io.jenkins.plugins.modeldeploy.abtest.LabelMatchers;
import io.jenkins.plugins.modeldeploy.kube.KubernetesSettings;
import io.jenkins.plugins.modeldeploy.kube.KubernetesTarget;
import io.jenkins.plugins.modeldeploy.model.KubernetesNames;
import io.jenkins.plugins.modeldeploy.target.RetireMode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Where a command finds the cluster and how it places versions there: the CLI's {@link KubernetesSettings}. */
final class ClusterOptions {
    @Option(
            names = "--namespace",
            description = "The namespace the model's versions run in (--target kubernetes;"
                    + " default: the kubeconfig context's).")
    String namespace;

    @Option(
            names = "--kubeconfig",
            paramLabel = "FILE",
            description = "The kubeconfig (default: the in-cluster service account, else ~/.kube/config).")
    Path kubeconfig;

    @Option(names = "--context", description = "The kubeconfig context (default: its current context).")
    String context;

    @Option(names = "--host", description = "The host Traefik routes match (default: any host).")
    String host;

    @Option(
            names = "--route-mode",
            paramLabel = "TRAEFIK|INGRESS",
            defaultValue = "TRAEFIK",
            description = "TRAEFIK (IngressRoute and a weighted TraefikService) or INGRESS (plain Ingress; no"
                    + " weighted A/B split). Default: ${DEFAULT-VALUE}.")
    KubernetesSettings.RouteMode routeMode;

    @Option(
            names = "--prometheus",
            paramLabel = "URL",
            description = "Prometheus scraping Traefik's metrics, for A/B tests on the cluster.")
    URI prometheus;

    @Option(
            names = "--prometheus-matchers",
            paramLabel = "MATCHERS",
            description =
                    "Extra PromQL label matchers for the A/B test's queries, e.g. 'cluster=\"prod\",job=\"traefik\"'"
                            + " (when Prometheus holds the same Traefik services of several clusters, e.g. behind Thanos).")
    String prometheusMatchers;

    @Option(
            names = "--gateway-url",
            paramLabel = "URL",
            description = "Where this machine reaches Traefik's entry point, e.g. https://models.example.com: smoke"
                    + " tests and synthetic A/B traffic go through the routes clients use. Default: http://<host>"
                    + " with --host, else the in-cluster addresses (reachable only from inside the cluster).")
    URI gatewayUrl;

    @Option(
            names = "--on-failure",
            paramLabel = "REMOVE|SCALE_TO_ZERO",
            defaultValue = "REMOVE",
            description = "What happens to a version whose rollout or smoke test failed. Default: ${DEFAULT-VALUE}.")
    RetireMode onFailure;

    @Option(names = "--image-pull-secret", paramLabel = "NAME", description = "A Secret to pull images with.")
    List<String> imagePullSecrets = List.of();

    @picocli.CommandLine.Mixin
    RouteFlags route;

    @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
    picocli.CommandLine.Model.CommandSpec mixee;

    KubernetesSettings settings() throws IOException {
        Optional<String> config = kubeconfig == null ? Optional.empty() : Optional.of(read(kubeconfig));
        String ns;
        try { // a bad name fails here, naming its source, not as an API error after other objects were applied
            ns = namespace != null
                    ? KubernetesNames.requireNamespace("--namespace", namespace)
                    : KubernetesNames.requireNamespace(
                            "the kubeconfig context's namespace",
                            KubernetesTarget.contextNamespace(config, Optional.ofNullable(context)));
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(mixee.commandLine(), e.getMessage());
        }
        return new KubernetesSettings(
                config,
                Optional.ofNullable(context),
                ns,
                Optional.ofNullable(host),
                routeMode,
                Optional.empty(),
                Optional.ofNullable(prometheus),
                onFailure,
                2,
                10,
                imagePullSecrets,
                Optional.ofNullable(gatewayUrl),
                matchers(),
                route.options(mixee.commandLine()),
                route.applyMode);
    }

    /** The {@code --prometheus-matchers}, checked (the error names the option). */
    LabelMatchers matchers() {
        return LabelMatchers.parse("--prometheus-matchers", prometheusMatchers);
    }

    private static String read(Path file) throws IOException {
        if (!Files.isReadable(file)) {
            throw new IOException("--kubeconfig " + file + " does not exist or is not readable");
        }
        return Files.readString(file);
    }
}
