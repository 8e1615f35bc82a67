package io.jenkins.plugins.modeldeploy.cli;

import io.jenkins.plugins.modeldeploy.kube.KubernetesSettings;
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
    @Option(names = "--namespace", required = true, description = "The namespace the model's versions run in.")
    String namespace;

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "The kubeconfig (default: the in-cluster service account, else ~/.kube/config).")
    Path kubeconfig;

    @Option(names = "--context", description = "The kubeconfig context (default: its current context).")
    String context;

    @Option(names = "--host", description = "The host Traefik routes match (default: any host).")
    String host;

    @Option(names = "--route-mode", paramLabel = "TRAEFIK|INGRESS", defaultValue = "TRAEFIK",
            description = "TRAEFIK (IngressRoute and a weighted TraefikService) or INGRESS (plain Ingress; no"
                    + " weighted A/B split). Default: ${DEFAULT-VALUE}.")
    KubernetesSettings.RouteMode routeMode;

    @Option(names = "--prometheus", paramLabel = "URL",
            description = "Prometheus scraping Traefik's metrics, for A/B tests on the cluster.")
    URI prometheus;

    @Option(names = "--on-failure", paramLabel = "REMOVE|SCALE_TO_ZERO", defaultValue = "REMOVE",
            description = "What happens to a version whose rollout failed. Default: ${DEFAULT-VALUE}.")
    RetireMode onFailure;

    @Option(names = "--image-pull-secret", paramLabel = "NAME", description = "A Secret to pull images with.")
    List<String> imagePullSecrets = List.of();

    KubernetesSettings settings() throws IOException {
        Optional<String> config = kubeconfig == null ? Optional.empty() : Optional.of(read(kubeconfig));
        return new KubernetesSettings(config, Optional.ofNullable(context), namespace, Optional.ofNullable(host),
                routeMode, Optional.empty(), Optional.ofNullable(prometheus), onFailure, 2, 10, imagePullSecrets);
    }

    private static String read(Path file) throws IOException {
        if (!Files.isReadable(file)) {
            throw new IOException("--kubeconfig " + file + " does not exist or is not readable");
        }
        return Files.readString(file);
    }
}
