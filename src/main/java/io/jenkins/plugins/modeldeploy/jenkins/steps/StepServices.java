package io.jenkins.plugins.modeldeploy.jenkins.steps;

import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.modeldeploy.event.EventSink;
import io.jenkins.plugins.modeldeploy.jenkins.config.ModelDeployConfiguration;
import io.jenkins.plugins.modeldeploy.jenkins.credentials.SecretSource;
import io.jenkins.plugins.modeldeploy.jenkins.engine.EngineFactory;
import io.jenkins.plugins.modeldeploy.jenkins.log.BuildLogSink;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.DeploymentRecord;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionAction;
import io.jenkins.plugins.modeldeploy.jenkins.reports.SmokeReportFiles;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What an execution needs from Jenkins (the run, its log, workspace, credentials and configuration), behind one
 * seam: {@link JenkinsStepServices} in Jenkins, doubles in tests. Never stored in a non-transient field, never sent to
 * an agent (what the agent needs travels in an {@link AgentCall}).
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

    /** How the engine is found where the work runs (see {@link EngineFactory.Locator}). */
    EngineFactory.Locator engines();

    /**
     * Runs {@code call} where the step's workspace is: on its agent through the agent's channel ({@code FilePath.act},
     * the controller's events object exported to it), so the model directory is read there and never copied; on the
     * controller only for steps that have no workspace.
     */
    <T> T onAgent(AgentCall<T> call) throws IOException, InterruptedException;

    /**
     * Where RabbitMQ spools live (see {@link EventSpools}): first this build's own directory, then those of the job's
     * earlier builds that have finished, whose unconfirmed events this build republishes. Never a temporary folder.
     */
    List<Path> eventSpoolDirectories() throws IOException;

    /** The full name of the job ({@code folder/job}), for clusters restricted to folders. */
    String jobFullName();

    /**
     * What the build log may show of {@code failure}: the failure itself, or, when its messages (or its causes')
     * contain a secret this run handed out, an {@link hudson.AbortException} with the masked message.
     */
    default Throwable masked(Throwable failure) {
        return failure;
    }

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
     * Adds a deployment that ended to the run's summary (with or without approval); the record is made where the
     * deployment ran and keeps what the first half found (image, endpoint, smoke figures). Nothing by default.
     */
    default void recordDeployment(DeploymentRecord record) {}

    /** How the promotion page of this run reopens its services after the build ended (stored with the page). */
    Reopener reopener();

    /**
     * Keeps a smoke test's reports, rendered where the test ran, with the build (the run's directory and, with the
     * JUnit plugin, the run's test result: {@code reports.SmokeReportPublisher}). Nothing by default.
     */
    default void smokeReported(String model, String version, SmokeReportFiles.Rendered reports) {}

    /** The services of a finished run, logging to {@code log} (the promotion page's lines) instead of the build log. */
    @FunctionalInterface
    interface Reopener extends Serializable {
        StepServices reopen(Run<?, ?> run, TaskListener log);
    }
}
