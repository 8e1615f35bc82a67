package io.jenkins.plugins.modeldeploy.jenkins.engine;

import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.kube.KubernetesSettings;
import io.jenkins.plugins.modeldeploy.pipeline.DeploymentEngine;
import io.jenkins.plugins.modeldeploy.progress.ProgressSink;
import io.jenkins.plugins.modeldeploy.target.Target;
import java.nio.file.Path;
import java.util.ServiceLoader;
import java.util.function.Consumer;

/**
 * Where the adapters get the engine and the Kubernetes target from. The adapters only know the interfaces; the
 * implementation (the engine of the {@code pipeline} package over {@code KubernetesTarget.connect(settings,
 * events)}) is registered as a {@link ServiceLoader} service, so tests inject doubles and the real wiring is one
 * small class added when those packages land. Without one, every step fails with {@link #installed()}'s message.
 */
public interface EngineFactory {
    /** The engine; {@code workDir} is the build's scratch space (image layers), {@code events} the build's bus. */
    DeploymentEngine engine(Path workDir, Consumer<DeploymentEvent> events);

    /**
     * The engine showing how far its image builds, smoke tests and A/B tests got on {@code progress} (the build log:
     * a line every few seconds). Factories that show nothing (test doubles) need not implement it.
     */
    default DeploymentEngine engine(Path workDir, Consumer<DeploymentEvent> events, ProgressSink progress) {
        return engine(workDir, events);
    }

    /**
     * The same, writing what the engine's tools say — dependency resolution, image verification, the registry's
     * warnings — to {@code log} (the build log). Factories that show nothing (test doubles) need not implement it.
     */
    default DeploymentEngine engine(
            Path workDir, Consumer<DeploymentEvent> events, ProgressSink progress, Consumer<String> log) {
        return engine(workDir, events, progress);
    }

    /** Connects to a cluster; the caller closes the target. */
    Target target(KubernetesSettings settings, Consumer<DeploymentEvent> events) throws Exception;

    /** Names the factory class to use when several are installed (the JenkinsRule tests install a scripted one). */
    String PROPERTY = "io.jenkins.plugins.modeldeploy.engineFactory";

    /** The installed factory, or an {@link IllegalStateException} that says what is missing. */
    static EngineFactory installed() {
        return installed(System.getProperty(PROPERTY));
    }

    /** The installed factory of class {@code wanted} (any, when null), in this JVM. */
    static EngineFactory installed(String wanted) {
        return ServiceLoader.load(EngineFactory.class, EngineFactory.class.getClassLoader()).stream()
                .filter(p -> wanted == null || p.type().getName().equals(wanted))
                .findFirst()
                .map(ServiceLoader.Provider::get)
                .orElseThrow(() -> new IllegalStateException(Messages.Engine_notInstalled()));
    }

    /**
     * How the agent finds the factory: chosen on the controller, looked up where the work runs (the factory and the
     * engine are never sent over the channel, only this).
     */
    @FunctionalInterface
    interface Locator extends java.io.Serializable {
        EngineFactory get();
    }

    /** The installed factory, of the class the controller's {@link #PROPERTY} names (the agent JVM has no property). */
    static Locator locator() {
        String wanted = System.getProperty(PROPERTY);
        return () -> installed(wanted);
    }
}
