package io.jenkins.plugins.modeldeploy.jenkins.steps;

import hudson.FilePath;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.jenkins.config.ModelDeployConfiguration;
import io.jenkins.plugins.modeldeploy.jenkins.credentials.RunSecrets;
import io.jenkins.plugins.modeldeploy.jenkins.credentials.SecretMask;
import io.jenkins.plugins.modeldeploy.jenkins.credentials.SecretSource;
import io.jenkins.plugins.modeldeploy.jenkins.engine.EngineFactory;
import io.jenkins.plugins.modeldeploy.jenkins.log.BuildLogSink;
import io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionAction;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** {@link StepServices} over a run, its listener and workspace. */
public final class JenkinsStepServices implements StepServices {
    private final Run<?, ?> run;
    private final FilePath workspace;
    private final BuildLogSink log;
    private final SecretSource secrets;
    private Path work;

    public JenkinsStepServices(Run<?, ?> run, FilePath workspace, TaskListener listener) {
        this.run = run;
        this.workspace = workspace;
        SecretMask mask = new SecretMask();
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
    public EngineFactory engines() {
        return EngineFactory.installed();
    }

    @Override
    public Path modelDirectory(String relative) throws IOException, InterruptedException {
        if (workspace == null) {
            throw new IOException("modelDir: this step needs a workspace (run it inside node { … })");
        }
        FilePath dir = workspace.child(relative);
        if (!dir.isDirectory()) {
            throw new IOException(Messages.Step_workspaceMissing(relative, workspace.getRemote()));
        }
        if (!dir.child("model.yaml").exists()) {
            throw new IOException(Messages.Step_noModelYaml(relative));
        }
        if (!dir.isRemote()) {
            return Path.of(dir.getRemote());
        }
        // The engine runs on the controller: bring the model directory over from the agent.
        Path local = Files.createDirectories(workDirectory().resolve("model"));
        dir.copyRecursiveTo(new FilePath(local.toFile()));
        return local;
    }

    @Override
    public synchronized Path workDirectory() throws IOException {
        if (work == null) {
            work = Files.createTempDirectory("model-deploy-" + run.getNumber() + "-");
        }
        return work;
    }

    @Override
    public synchronized void cleanUp() {
        if (work == null) {
            return;
        }
        try (java.util.stream.Stream<Path> files = Files.walk(work)) {
            for (Path p : (Iterable<Path>) files.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            log.println("model-deploy: could not remove the scratch directory " + work + ": " + e.getMessage());
        }
        work = null;
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
        return run.getUrl();
    }

    @Override
    public void attach(PromotionAction action) throws IOException {
        run.addOrReplaceAction(action);
        run.save();
    }

    @Override
    public Optional<PromotionAction> promotion(String key) {
        PromotionAction action = run.getAction(PromotionAction.class);
        return action != null && action.getKey().equals(key) ? Optional.of(action) : Optional.empty();
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
            return new JenkinsStepServices(run, null, log);
        }
    }
}
