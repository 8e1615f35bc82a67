package io.jenkins.plugins.modeldeploy.cli;

import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.event.EventBus;
import io.jenkins.plugins.modeldeploy.kube.KubernetesTarget;
import io.jenkins.plugins.modeldeploy.local.LocalClient;
import io.jenkins.plugins.modeldeploy.target.RetireMode;
import io.jenkins.plugins.modeldeploy.target.Target;
import java.nio.file.Path;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Where a lifecycle command acts: the persistent local target ({@code local start}) or a Kubernetes namespace. The
 * default is Kubernetes when {@code --namespace}, {@code --kubeconfig} or {@code --context} is given, else local.
 */
final class TargetOptions {
    enum Kind {
        local,
        kubernetes
    }

    @Option(
            names = "--target",
            paramLabel = "local|kubernetes",
            description = "Where the model's versions run. Default: kubernetes with --namespace, --kubeconfig or"
                    + " --context, else local.")
    Kind kind;

    @Option(
            names = "--state",
            paramLabel = "DIR",
            description = "The local target's state directory (--target local). Default: $MODEL_DEPLOY_STATE, else"
                    + " ~/.model-deploy/local.")
    Path state;

    @Mixin
    ClusterOptions cluster;

    Kind kind() {
        if (kind != null) {
            return kind;
        }
        return cluster.namespace != null || cluster.kubeconfig != null || cluster.context != null
                ? Kind.kubernetes
                : Kind.local;
    }

    /** Checks the combination before anything runs; the message names the options. */
    void validate(CommandLine commandLine) {
        if (kind() == Kind.local
                && (cluster.namespace != null
                        || cluster.kubeconfig != null
                        || cluster.context != null
                        || cluster.gatewayUrl != null
                        || cluster.prometheus != null
                        || cluster.prometheusMatchers != null)) {
            throw new CheckedUsageError(
                    commandLine,
                    "--namespace, --kubeconfig, --context, --gateway-url, --prometheus"
                            + " and --prometheus-matchers are for --target kubernetes");
        }
        if (kind() == Kind.kubernetes) {
            try {
                cluster.matchers();
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(commandLine, e.getMessage());
            }
        }
        if (kind() == Kind.kubernetes && state != null) {
            throw new CheckedUsageError(commandLine, "--state is for --target local");
        }
    }

    Path stateDirectory() {
        return state != null ? state : LocalClient.defaultState();
    }

    Target connect(Consumer<DeploymentEvent> events) throws Exception {
        return switch (kind()) {
            case local -> LocalClient.connect(stateDirectory(), events);
            case kubernetes -> KubernetesTarget.connect(cluster.settings(), events);
        };
    }

    /** What a command does with the connected target and the events bus. */
    @FunctionalInterface
    interface Work<T> {
        T run(Target target, Consumer<DeploymentEvent> events) throws Exception;
    }

    /**
     * Checks the options, opens the command's event bus (progress on stderr), connects to the target, runs
     * {@code work} and closes both: the frame of every release command.
     */
    <T> T run(CommandLine commandLine, EventOptions events, Work<T> work) throws Exception {
        validate(commandLine);
        try (EventBus bus = events.open(commandLine.getErr());
                Target connected = connect(bus::publish)) {
            return work.run(connected, bus::publish);
        }
    }

    /** What a failed rollout or smoke test leaves behind. */
    RetireMode onFailure() {
        return cluster.onFailure;
    }
}
