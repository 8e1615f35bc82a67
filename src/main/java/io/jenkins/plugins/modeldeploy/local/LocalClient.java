package io.jenkins.plugins.modeldeploy.local;

import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.target.Target;
import io.jenkins.plugins.modeldeploy.target.TargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/** The CLI's way to the persistent local target that {@code model-deploy local start} runs in the background. */
public final class LocalClient {
    private LocalClient() {}

    /** The state directory when none is named: {@code $MODEL_DEPLOY_STATE}, else {@code ~/.model-deploy/local}. */
    public static Path defaultState() {
        String configured = System.getenv("MODEL_DEPLOY_STATE");
        return configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".model-deploy", "local");
    }

    /** Connects to the local target running on {@code state}, or says how to start one. */
    public static Target connect(Path state, Consumer<DeploymentEvent> events) throws TargetException {
        throw new TargetException("no local target is running on " + state.toAbsolutePath()
                + (Files.isDirectory(state) ? "" : " (no such directory)") + ": start one with `model-deploy local"
                + " start --state " + state + "`");
    }
}
