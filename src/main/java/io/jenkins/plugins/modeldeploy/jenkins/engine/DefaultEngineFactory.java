package io.jenkins.plugins.modeldeploy.jenkins.engine;

import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.kube.KubernetesSettings;
import io.jenkins.plugins.modeldeploy.kube.KubernetesTarget;
import io.jenkins.plugins.modeldeploy.pipeline.DeploymentEngine;
import io.jenkins.plugins.modeldeploy.progress.ProgressSink;
import io.jenkins.plugins.modeldeploy.target.Target;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The engine the plugin ships: {@link DeploymentEngine} over a {@link KubernetesTarget}. Registered in
 * {@code META-INF/services}; A/B tests read Prometheus when the cluster's configuration names one.
 */
public final class DefaultEngineFactory implements EngineFactory {
    @Override
    public DeploymentEngine engine(Path workDir, Consumer<DeploymentEvent> events) {
        return engine(workDir, events, ProgressSink.NONE);
    }

    @Override
    public DeploymentEngine engine(Path workDir, Consumer<DeploymentEvent> events, ProgressSink progress) {
        return engine(workDir, events, progress, line -> {});
    }

    @Override
    public DeploymentEngine engine(
            Path workDir, Consumer<DeploymentEvent> events, ProgressSink progress, Consumer<String> log) {
        // the build log gets what the CLI prints on stderr: pip's and R's resolution, the verifier's container log
        // when an image cannot serve, the registry's warnings; the events already say what was built
        return new DeploymentEngine(events, workDir, log, progress);
    }

    @Override
    public Target target(KubernetesSettings settings, Consumer<DeploymentEvent> events) {
        return KubernetesTarget.connect(settings, events);
    }
}
