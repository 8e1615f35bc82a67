package io.jenkins.plugins.modeldeploy.jenkins;

import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.image.ImageBuilder;
import io.jenkins.plugins.modeldeploy.image.ImagePlan;
import io.jenkins.plugins.modeldeploy.image.ImageTarget;
import io.jenkins.plugins.modeldeploy.image.JibImageBuilder;
import io.jenkins.plugins.modeldeploy.jenkins.engine.DefaultEngineFactory;
import io.jenkins.plugins.modeldeploy.jenkins.engine.EngineFactory;
import io.jenkins.plugins.modeldeploy.kube.KubernetesSettings;
import io.jenkins.plugins.modeldeploy.pipeline.DeploymentEngine;
import io.jenkins.plugins.modeldeploy.target.Target;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The engine the plugin installs ({@link DefaultEngineFactory}: Jib, the real {@link DeploymentEngine}, fabric8 to
 * the cluster the configuration names), except that each image is written by Jib to a tar file in the build's
 * scratch space instead of pushed: the JenkinsRule tests need no registry, so they never skip for want of one.
 * Selected with {@link EngineFactory#PROPERTY}.
 */
public final class TarImageEngineFactory implements EngineFactory {
    @Override
    public DeploymentEngine engine(Path workDir, Consumer<DeploymentEvent> events) {
        return new DeploymentEngine(events, tarImages(workDir), Duration.ofSeconds(1));
    }

    @Override
    public Target target(KubernetesSettings settings, Consumer<DeploymentEvent> events) throws Exception {
        return new DefaultEngineFactory().target(settings, events);
    }

    /** Jib in {@code workDir}, every plan's destination replaced by {@code <workDir>/<model>-<version>.tar}. */
    static ImageBuilder tarImages(Path workDir) {
        JibImageBuilder jib = new JibImageBuilder(workDir, line -> {});
        return plan -> jib.build(new ImagePlan(
                plan.version(),
                plan.base(),
                plan.repository(),
                new ImageTarget.Tar(
                        workDir.resolve(
                                plan.version().name() + "-" + plan.version().version() + ".tar"),
                        false),
                plan.revision(),
                plan.source(),
                plan.createdAt()));
    }
}
