package io.jenkins.plugins.modeldeploy.jenkins.steps;

import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.modeldeploy.event.EventSink;
import io.jenkins.plugins.modeldeploy.jenkins.config.ModelDeployConfiguration;
import io.jenkins.plugins.modeldeploy.jenkins.credentials.SecretSource;
import io.jenkins.plugins.modeldeploy.jenkins.engine.EngineFactory;
import io.jenkins.plugins.modeldeploy.jenkins.log.BuildLogSink;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionAction;
import io.jenkins.plugins.modeldeploy.pipeline.DeployOutcome;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an execution needs from Jenkins (the run, its log, workspace, credentials and configuration), behind one
 * seam: {@link JenkinsStepServices} in Jenkins, doubles in tests. Never stored in a non-transient field.
 */
public interface StepServices {
    /** The build log, masking every secret {@link #secrets()} handed out. */
    BuildLogSink log();

    /** Where this run's events go besides RabbitMQ (when configured): the build log. */
    default List<EventSink> eventSinks() {
        return List.of(log());
    }

    SecretSource secrets();

    ModelDeployConfiguration configuration();

    EngineFactory engines();

    /** The model directory on this (controller) machine; copied from a remote agent's workspace when needed. */
    Path modelDirectory(String relative) throws IOException, InterruptedException;

    /** Scratch space of this build (image layers, event spool). */
    Path workDirectory() throws IOException;

    /** Removes the scratch space; called when a phase closes its session. */
    default void cleanUp() {}

    /** The default version: the build number. */
    String buildNumber();

    /** The run's externalizable ID ({@code job/name#42}). */
    String runId();

    /**
     * The run's absolute URL ({@code Jenkins.get().getRootUrl()} + the run's URL), for links in the log, events and
     * annotations; relative to Jenkins when its URL is not configured.
     */
    String runUrl();

    /** Adds a promotion to the run's deployments action (under an ID of its own; nothing is replaced). */
    void attach(PromotionAction action) throws IOException;

    /** The run's promotion with {@code key}, if attached. */
    Optional<PromotionAction> promotion(String key);

    /**
     * Adds a deployment that ended to the run's summary (with or without approval); {@code summary} is the step's
     * value (it keeps what the first half found: image, endpoint, smoke figures). Nothing by default.
     */
    default void recordDeployment(DeployOutcome outcome, Map<String, Object> summary) {}

    /** How the promotion page of this run reopens its services after the build ended (stored with the page). */
    Reopener reopener();

    /** The services of a finished run, logging to {@code log} (the promotion page's lines) instead of the build log. */
    @FunctionalInterface
    interface Reopener extends Serializable {
        StepServices reopen(Run<?, ?> run, TaskListener log);
    }
}
