package io.jenkins.plugins.modeldeploy.cli;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.jenkins.plugins.modeldeploy.kube.KubernetesSettings;
import io.jenkins.plugins.modeldeploy.kube.ManifestRenderer;
import io.jenkins.plugins.modeldeploy.kube.RenderOptions;
import io.jenkins.plugins.modeldeploy.model.KubernetesNames;
import io.jenkins.plugins.modeldeploy.model.ModelSpec;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.route.RouteOptions;
import io.jenkins.plugins.modeldeploy.route.TraefikRoutes;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "render",
        description = "Print the Kubernetes and Traefik objects of a model version as multi-document"
                + " YAML (what kubectl apply -f - takes); the stable route sends all traffic to this version.")
final class RenderCommand implements Callable<Integer> {
    /**
     * Without a host the rules are path-only: on a Traefik shared with other sites, {@code /models/m} of every host it
     * serves comes here (docs/traefik.md).
     */
    static final String NO_HOST_WARNING = "%s: no --host: the routes match /models/%s on every host this Traefik"
            + " serves (a shared Traefik sends any site's /models/... here); pass --host to match one host only";

    @Mixin
    HelpOption help;

    @Mixin
    ModelOptions model;

    @Option(names = "--version", required = true, description = "The model version.")
    String version;

    @Option(names = "--namespace", required = true, description = "The namespace.")
    String namespace;

    @Option(names = "--host", description = "Host name the routes answer for (default: any).")
    String host;

    @Mixin
    RouteFlags route;

    @Option(
            names = "--image",
            paramLabel = "REPOSITORY@sha256:…",
            description = "The image by digest, as `build` prints it.")
    String image;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = commandSpec.commandLine().getOut();
        try {
            KubernetesNames.requireNamespace("--namespace", namespace);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(commandSpec.commandLine(), e.getMessage());
        }
        ModelSpec spec = model.load();
        ModelVersion modelVersion = ModelVersion.of(spec, version, "--version");
        if (image == null) {
            image = "model-deploy.invalid/" + spec.name() + ":" + version;
            commandSpec
                    .commandLine()
                    .getErr()
                    .println("render: no --image given; using the placeholder " + image
                            + " (pass the digest reference that `build` prints)");
        } else if (!image.contains("@sha256:")) {
            throw new CommandLine.ParameterException(
                    commandSpec.commandLine(),
                    "--image must be pinned by digest" + " (REPOSITORY@sha256:…), was " + image);
        }
        List<Object> objects = new ArrayList<>();
        List<HasMetadata> versionObjects =
                ManifestRenderer.render(modelVersion, new RenderOptions(namespace, image, 2, 10, List.of(), Map.of()));
        objects.addAll(versionObjects);
        RouteOptions routeOptions;
        try {
            routeOptions = KubernetesSettings.routeOptionsFor(route.options(commandSpec.commandLine()), spec.route());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(commandSpec.commandLine(), e.getMessage());
        }
        if (host == null) {
            commandSpec.commandLine().getErr().println(NO_HOST_WARNING.formatted("render", spec.name()));
        }
        objects.addAll(TraefikRoutes.render(
                spec.name(),
                namespace,
                Optional.ofNullable(host),
                List.of(version),
                Map.of(version, 100),
                routeOptions));
        for (Object object : objects) {
            out.print(Serialization.asYaml(object));
        }
        out.flush();
        return 0;
    }
}
