package io.jenkins.plugins.modeldeploy.jenkins.steps;

import hudson.AbortException;
import hudson.FilePath;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.modeldeploy.jenkins.config.ModelDeployConfiguration;
import io.jenkins.plugins.modeldeploy.jenkins.credentials.RunSecrets;
import io.jenkins.plugins.modeldeploy.jenkins.credentials.SecretMask;
import io.jenkins.plugins.modeldeploy.jenkins.credentials.SecretSource;
import io.jenkins.plugins.modeldeploy.jenkins.engine.EngineFactory;
import io.jenkins.plugins.modeldeploy.jenkins.log.BuildLogSink;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.DeploymentRecord;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.ModelDeploymentsAction;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionAction;
import io.jenkins.plugins.modeldeploy.jenkins.reports.SmokeReportFiles;
import io.jenkins.plugins.modeldeploy.jenkins.reports.SmokeReportPublisher;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import jenkins.model.Jenkins;

/**
 * {@link StepServices} over a run, its listener and workspace. The work runs where the workspace is (see {@link
 * #onAgent}); this object stays on the controller.
 */
public final class JenkinsStepServices implements StepServices {
    private final Run<?, ?> run;
    private final WorkspaceSource workspaceSource;
    private FilePath workspace;
    private boolean workspaceKnown;
    private final BuildLogSink log;
    private final SecretSource secrets;
    private final SecretMask mask;
    private final TaskListener listener;
    /** How many earlier builds' directories are searched for spooled events. */
    static final int EARLIER_SPOOLS = 10;

    public JenkinsStepServices(Run<?, ?> run, FilePath workspace, TaskListener listener) {
        this(run, () -> workspace, listener);
    }

    /**
     * With the workspace looked up only when work needs it: a step waiting for approval resumes without its agent
     * (the wait needs none; the agent may still be offline after a restart).
     */
    public JenkinsStepServices(Run<?, ?> run, WorkspaceSource workspace, TaskListener listener) {
        this.run = run;
        this.workspaceSource = workspace;
        this.listener = listener;
        this.mask = new SecretMask();
        PrintStream out = listener.getLogger();
        this.log = new BuildLogSink(out, mask);
        this.secrets = new RunSecrets(run, mask);
    }

    @Override
    public BuildLogSink log() {
        return log;
    }

    @Override
    public SecretSource secrets() {
        return secrets;
    }

    @Override
    public ModelDeployConfiguration configuration() {
        return ModelDeployConfiguration.get();
    }

    @Override
    public EngineFactory.Locator engines() {
        return EngineFactory.locator();
    }

    @Override
    public <T> T onAgent(AgentCall<T> call) throws IOException, InterruptedException {
        FilePath workspace = workspace();
        if (workspace == null) {
            return call
                    .here(); // promoteModel, rollbackModel, undeployModel outside node, the freestyle page's follow-up
        }
        return AgentCall.on(workspace, call);
    }

    private synchronized FilePath workspace() throws IOException, InterruptedException {
        if (!workspaceKnown) {
            workspace = workspaceSource.get();
            workspaceKnown = true;
        }
        return workspace;
    }

    /** The step's workspace, or null when it has none (outside {@code node}). */
    @FunctionalInterface
    public interface WorkspaceSource {
        FilePath get() throws IOException, InterruptedException;
    }

    @Override
    public List<Path> eventSpoolDirectories() {
        List<Path> dirs = new ArrayList<>();
        dirs.add(run.getRootDir().toPath());
        Run<?, ?> earlier = run.getPreviousBuild();
        for (int i = 0; earlier != null && i < EARLIER_SPOOLS; i++, earlier = earlier.getPreviousBuild()) {
            if (!earlier.isBuilding()) {
                dirs.add(earlier.getRootDir().toPath());
            }
        }
        return dirs;
    }

    @Override
    public String jobFullName() {
        String id = run.getExternalizableId(); // the job's full name, '#', the number (Run.getExternalizableId)
        return id.substring(0, id.lastIndexOf('#'));
    }

    @Override
    public Throwable masked(Throwable failure) {
        return maskedFailure(failure, mask);
    }

    /**
     * {@code failure}, or an {@link AbortException} with its (and its causes') messages masked when any contains a
     * secret of {@code mask}: Pipeline prints a failure's message and stack trace as they are.
     */
    static Throwable maskedFailure(Throwable failure, SecretMask mask) {
        boolean secret = false;
        StringBuilder text = new StringBuilder();
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            String message = t.getMessage() == null ? t.getClass().getName() : t.getMessage();
            secret |= !mask.apply(message).equals(message);
            for (Throwable s : t.getSuppressed()) {
                String m = String.valueOf(s.getMessage());
                secret |= !mask.apply(m).equals(m);
            }
            text.append(t == failure ? "" : "; caused by " + t.getClass().getSimpleName() + ": ")
                    .append(message);
            if (text.length() > 4000) {
                break;
            }
        }
        return secret ? new AbortException(mask.apply(text.toString())) : failure;
    }

    @Override
    public String buildNumber() {
        return Integer.toString(run.getNumber());
    }

    @Override
    public String runId() {
        return run.getExternalizableId();
    }

    @Override
    public String runUrl() {
        Jenkins jenkins = Jenkins.getInstanceOrNull();
        String root = jenkins == null ? null : jenkins.getRootUrl();
        return (root == null ? "" : root) + run.getUrl();
    }

    @Override
    public void attach(PromotionAction action) throws IOException {
        ModelDeploymentsAction.of(run).add(action);
        run.save();
    }

    @Override
    public Optional<PromotionAction> promotion(String key) {
        ModelDeploymentsAction all = run.getAction(ModelDeploymentsAction.class);
        return all == null ? Optional.empty() : all.byKey(key);
    }

    @Override
    public void recordDeployment(DeploymentRecord record) {
        ModelDeploymentsAction.of(run).record(record);
    }

    @Override
    public Reopener reopener() {
        return new ForRun();
    }

    /** Reopens a run's services in Jenkins; no state, so it is stored with the promotion page as it is. */
    static final class ForRun implements Reopener {
        private static final long serialVersionUID = 1L;

        @Override
        public StepServices reopen(Run<?, ?> run, TaskListener log) {
            return new JenkinsStepServices(run, (FilePath) null, log); // no workspace: work runs here
        }
    }

    @Override
    public void smokeReported(String model, String version, SmokeReportFiles.Rendered reports) {
        try {
            SmokeReportPublisher.publish(run, workspace(), listener, model, version, reports);
        } catch (IOException e) {
            log.println("smoke report of " + model + " " + version + " not recorded: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the step sees the interrupt at its next wait
        }
    }
}
