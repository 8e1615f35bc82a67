package io.jenkins.plugins.modeldeploy.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.modeldeploy.kube.KubernetesSettings;
import io.jenkins.plugins.modeldeploy.kube.KubernetesTarget;
import io.jenkins.plugins.modeldeploy.kube.ModelCatalog;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "status", description = "Show the models model-deploy runs in a namespace: versions, stage, ready"
        + " replicas, route weights and image digest, read from the cluster's labels and annotations.")
final class StatusCommand implements Callable<Integer> {
    @Mixin
    HelpOption help;

    @Mixin
    OutputOption output;

    @Option(names = "--namespace", description = "The namespace (default: the kubeconfig context's).")
    String namespace;

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "The kubeconfig (default: the in-cluster service account, else ~/.kube/config).")
    Path kubeconfig;

    @Option(names = "--context", description = "The kubeconfig context (default: its current context).")
    String context;

    @Option(names = "--route-mode", paramLabel = "TRAEFIK|INGRESS", defaultValue = "TRAEFIK",
            description = "TRAEFIK: weights from the TraefikServices (needs Traefik's CRDs); INGRESS: weights as the"
                    + " release state recorded them. Default: ${DEFAULT-VALUE}.")
    KubernetesSettings.RouteMode routeMode;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
            description = "How long the initial listing may take. Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = commandSpec.commandLine().getOut();
        Optional<String> config = kubeconfig == null ? Optional.empty() : Optional.of(Files.readString(kubeconfig));
        try (KubernetesClient client = KubernetesTarget.client(config, Optional.ofNullable(context))) {
            String ns = namespace != null ? namespace : client.getNamespace() != null ? client.getNamespace()
                    : "default";
            try (ModelCatalog catalog = ModelCatalog.start(client, ns, routeMode
                    == KubernetesSettings.RouteMode.TRAEFIK, timeout)) {
                if (output.json()) {
                    out.println(json(catalog));
                } else {
                    text(catalog, out);
                }
            }
        }
        out.flush();
        return 0;
    }

    private static void text(ModelCatalog catalog, PrintWriter out) throws Exception {
        out.println("namespace " + catalog.namespace());
        if (catalog.models().isEmpty()) {
            out.println("no models deployed by model-deploy");
            return;
        }
        out.printf("%-16s %-10s %-12s %-7s %-7s %s%n", "MODEL", "VERSION", "STAGE", "READY", "WEIGHT", "DIGEST");
        for (String model : catalog.models()) {
            for (ModelCatalog.VersionInfo version : catalog.versions(model)) {
                out.printf("%-16s %-10s %-12s %-7s %-7s %s%n", model, version.version(),
                        version.stage().map(s -> s.value()).orElse("-"),
                        version.readyReplicas() + "/" + version.desiredReplicas(), version.weight(),
                        version.digest().orElse("-"));
            }
            Optional<ReleaseState> release = catalog.release(model);
            if (release.isPresent()) {
                out.println("  release " + release.get().phase() + ", production "
                        + release.get().production().orElse("-") + ", challenger "
                        + release.get().challenger().orElse("-"));
            }
        }
    }

    private static ObjectNode json(ModelCatalog catalog) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("namespace", catalog.namespace());
        ArrayNode models = root.putArray("models");
        for (String model : catalog.models()) {
            ObjectNode node = models.addObject();
            node.put("model", model);
            ObjectNode weights = node.putObject("weights");
            for (Map.Entry<String, Integer> entry : catalog.weights(model).entrySet()) {
                weights.put(entry.getKey(), entry.getValue());
            }
            Optional<ReleaseState> release = catalog.release(model);
            if (release.isPresent()) {
                node.putObject("release").put("phase", release.get().phase().name())
                        .put("production", release.get().production().orElse(null))
                        .put("challenger", release.get().challenger().orElse(null));
            } else {
                node.putNull("release");
            }
            ArrayNode versions = node.putArray("versions");
            for (ModelCatalog.VersionInfo version : catalog.versions(model)) {
                versions.addObject().put("version", version.version())
                        .put("stage", version.stage().map(s -> s.value()).orElse(null))
                        .put("readyReplicas", version.readyReplicas())
                        .put("desiredReplicas", version.desiredReplicas())
                        .put("weight", version.weight())
                        .put("image", version.image().orElse(null))
                        .put("digest", version.digest().orElse(null));
            }
        }
        return root;
    }
}
