package io.jenkins.plugins.modeldeploy.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.modeldeploy.target.ModelStatus;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "status",
        description = "Show the models model-deploy runs on a target: versions, stage, ready"
                + " replicas, route weights and image digest — on Kubernetes read from the cluster's labels and annotations,"
                + " locally from the local target and its state.")
final class StatusCommand implements Callable<Integer> {
    @Mixin
    HelpOption help;

    @Mixin
    OutputOption output;

    @Mixin
    TargetOptions target;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            defaultValue = "30s",
            converter = DurationConverter.class,
            description = "How long the initial listing may take. Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Mixin
    EventOptions events;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    /** The target as described, and its models. */
    private record Seen(String where, List<ModelStatus> models) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter out = commandSpec.commandLine().getOut();
        Seen seen = target.run(
                commandSpec.commandLine(),
                events,
                (connected, publish) -> new Seen(connected.describe(), connected.status(timeout)));
        if (output.json()) {
            out.println(json(
                    seen.where(),
                    target.kind() == TargetOptions.Kind.kubernetes
                            ? Optional.of(target.cluster.settings().namespace())
                            : Optional.empty(),
                    seen.models()));
        } else {
            text(seen.where(), seen.models(), out);
        }
        out.flush();
        return 0;
    }

    private static void text(String where, List<ModelStatus> models, PrintWriter out) {
        out.println(where);
        if (models.isEmpty()) {
            out.println("no models deployed by model-deploy");
            return;
        }
        out.printf("%-16s %-10s %-12s %-7s %-7s %s%n", "MODEL", "VERSION", "STAGE", "READY", "WEIGHT", "DIGEST");
        for (ModelStatus model : models) {
            for (ModelStatus.VersionStatus version : model.versions()) {
                out.printf(
                        "%-16s %-10s %-12s %-7s %-7s %s%n",
                        model.model(),
                        version.version(),
                        version.stage().map(s -> s.value()).orElse("-"),
                        version.readyReplicas() + "/" + version.desiredReplicas(),
                        version.weight(),
                        version.digest().orElse("-"));
            }
            Optional<ReleaseState> release = model.release();
            if (release.isPresent()) {
                out.println("  release " + release.get().phase() + ", production "
                        + release.get().production().orElse("-") + ", challenger "
                        + release.get().challenger().orElse("-"));
            }
        }
    }

    static ObjectNode json(String where, Optional<String> namespace, List<ModelStatus> models) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("target", where);
        namespace.ifPresent(ns -> root.put("namespace", ns));
        ArrayNode list = root.putArray("models");
        for (ModelStatus model : models) {
            ObjectNode node = list.addObject();
            node.put("model", model.model());
            ObjectNode weights = node.putObject("weights");
            for (Map.Entry<String, Integer> entry : model.weights().entrySet()) {
                weights.put(entry.getKey(), entry.getValue());
            }
            Optional<ReleaseState> release = model.release();
            if (release.isPresent()) {
                node.putObject("release")
                        .put("phase", release.get().phase().name())
                        .put("production", release.get().production().orElse(null))
                        .put("challenger", release.get().challenger().orElse(null));
            } else {
                node.putNull("release");
            }
            ArrayNode versions = node.putArray("versions");
            for (ModelStatus.VersionStatus version : model.versions()) {
                ObjectNode row = versions.addObject()
                        .put("version", version.version())
                        .put("stage", version.stage().map(s -> s.value()).orElse(null))
                        .put("readyReplicas", version.readyReplicas())
                        .put("desiredReplicas", version.desiredReplicas())
                        .put("weight", version.weight())
                        .put("image", version.image().orElse(null))
                        .put("digest", version.digest().orElse(null));
                version.annotations().forEach(row.putObject("annotations")::put);
            }
        }
        return root;
    }
}
