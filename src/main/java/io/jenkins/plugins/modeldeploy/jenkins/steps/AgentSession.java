package io.jenkins.plugins.modeldeploy.jenkins.steps;

import io.jenkins.plugins.modeldeploy.cleanup.ExitCleanup;
import io.jenkins.plugins.modeldeploy.cleanup.Scratch;
import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.event.EventJson;
import io.jenkins.plugins.modeldeploy.image.ImagePlan;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.jenkins.engine.EngineFactory;
import io.jenkins.plugins.modeldeploy.jenkins.reports.SmokeReportFiles;
import io.jenkins.plugins.modeldeploy.kube.KubernetesSettings;
import io.jenkins.plugins.modeldeploy.model.ModelLinks;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.model.SpecOverride;
import io.jenkins.plugins.modeldeploy.pipeline.DeploymentEngine;
import io.jenkins.plugins.modeldeploy.progress.ProgressDisplay;
import io.jenkins.plugins.modeldeploy.progress.ProgressSink;
import io.jenkins.plugins.modeldeploy.smoke.SmokeResult;
import io.jenkins.plugins.modeldeploy.target.Target;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * A step's work where it runs (the agent that holds the workspace; the controller only for steps without one): the
 * engine, the cluster (connected on first use), the model directory read in place, scratch space for image layers
 * (removed at the end), and the way back to the build for events and log lines. Built by {@link AgentCall} from what
 * the controller resolved; it never sees the controller's configuration or credentials store.
 */
final class AgentSession implements AutoCloseable {
    private final AgentCall<?> call;
    private final Path workspace;
    private final AgentEvents back;
    private final EngineFactory factory;
    private Path work;
    private DeploymentEngine engine;
    private ProgressDisplay progress;
    private Target target;

    AgentSession(AgentCall<?> call, Path workspace, AgentEvents back) {
        this.call = call;
        this.workspace = workspace;
        this.back = back;
        this.factory = call.engines.get();
    }

    /** The engine, its scratch space created on first use. */
    synchronized DeploymentEngine engine() throws IOException {
        if (engine == null) {
            // registered for the agent JVM's exit sweep too: an agent stopped by a signal mid-step leaves nothing
            work = Files.createTempDirectory("model-deploy-" + call.buildNumber + "-");
            ExitCleanup.register(work);
            engine = factory.engine(work, this::publish, progress(), this::log);
        }
        return engine;
    }

    /**
     * Where the engine's long work shows its progress: a build log cannot rewrite a line, so the image build's, smoke
     * test's and A/B test's readings come as a plain line every few seconds, written by the display's own thread so
     * the work never waits on the channel back to the controller.
     */
    synchronized ProgressSink progress() {
        if (progress == null) {
            progress = ProgressDisplay.log(this::log, ProgressDisplay.LOG_INTERVAL);
        }
        return progress;
    }

    /** Connects to the cluster on first use. */
    synchronized Target target() throws Exception {
        if (target == null) {
            target = factory.target(kubernetes(), this::publish);
        }
        return target;
    }

    KubernetesSettings kubernetes() {
        return call.target.settings();
    }

    /** The image plan of {@code version} (a {@code tar:} base image read from the workspace only). */
    ImagePlan image(ModelVersion version) {
        if (call.image == null) {
            throw new IllegalStateException("this step resolved no image destination");
        }
        return call.image.plan(version, workspace, this::log);
    }

    List<SpecOverride> sloDefaults(Path modelDir) {
        return call.slo.overrides(modelDir);
    }

    /**
     * The model directory {@code relative} to the workspace, read in place: it must stay inside the workspace, hold
     * a {@code model.yaml} that is not a link, and contain no link leaving it.
     */
    Path modelDirectory(String relative) throws IOException {
        if (workspace == null) {
            throw new IOException("modelDir: this step needs a workspace (run it inside node { … })");
        }
        Path rel = Path.of(relative);
        if (rel.isAbsolute() || rel.normalize().startsWith("..")) {
            throw new IOException("modelDir: \"" + relative + "\" must be a relative path inside the workspace");
        }
        Path dir = workspace.resolve(rel).normalize();
        if (!Files.isDirectory(dir)) {
            throw new IOException(Messages.Step_workspaceMissing(relative, workspace));
        }
        if (!Files.exists(dir.resolve(ModelSpecLoader.FILE_NAME), LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(Messages.Step_noModelYaml(relative));
        }
        if (!dir.toRealPath().startsWith(workspace.toRealPath())) {
            throw new IOException("modelDir: \"" + relative + "\" is a symbolic link that leaves the workspace");
        }
        ModelLinks.refuseLeaving(dir);
        return dir;
    }

    String buildNumber() {
        return call.buildNumber;
    }

    String runUrl() {
        return call.runUrl;
    }

    /** A line in the build log (masked there). */
    void log(String line) {
        back.log(line);
    }

    /**
     * Renders a smoke test's reports here, writes the JUnit XML into the workspace (where a {@code junit} step, and
     * the controller's recorder, find it) and sends the reports to the controller. Reports are evidence, not the
     * deployment: a failure is logged and the work goes on.
     */
    void smokeTested(String model, String version, SmokeResult result) {
        try {
            SmokeReportFiles.Rendered reports = SmokeReportFiles.Rendered.of(result, model, version);
            if (workspace != null) {
                Path junit = workspace.resolve(SmokeReportFiles.workspaceJUnit(model, version));
                Path folder =
                        workspace.resolve(SmokeReportFiles.WORKSPACE_FOLDER).resolve(model + "-" + version);
                Files.createDirectories(folder); // the JUnit file's folder
                Files.writeString(junit, reports.junitXml(), java.nio.charset.StandardCharsets.UTF_8);
            }
            back.smokeReport(model, version, reports);
        } catch (IOException | RuntimeException e) {
            log("smoke report of " + model + " " + version + " not written: " + e.getMessage());
        }
    }

    /** Sends {@code event} to the build's bus (log, RabbitMQ). */
    void publish(DeploymentEvent event) {
        back.event(EventJson.toLine(event));
    }

    @Override
    public void close() throws IOException {
        try {
            ProgressDisplay shown;
            synchronized (this) {
                shown = progress;
            }
            if (shown != null) {
                shown.close(); // a stage cut short (a failure) keeps its last line in the log
            }
            if (target != null) {
                target.close();
            }
        } catch (Exception e) {
            log("model-deploy: closing the cluster connection: " + e.getMessage());
        } finally {
            if (work != null) {
                // carries on past what it cannot delete (the old walk stopped at the first failure, leaving the
                // rest) and removes links without following them out of the scratch directory
                try {
                    List<Path> left = Scratch.deleteTree(work);
                    if (left.isEmpty()) {
                        ExitCleanup.forget(work);
                    } else {
                        log("model-deploy: could not remove from the scratch directory " + work + ": " + left);
                    }
                } catch (RuntimeException e) {
                    log("model-deploy: could not remove the scratch directory " + work + ": " + e.getMessage());
                }
            }
        }
    }
}
