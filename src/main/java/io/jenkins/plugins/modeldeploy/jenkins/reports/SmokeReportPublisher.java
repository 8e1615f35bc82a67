package io.jenkins.plugins.modeldeploy.jenkins.reports;

import hudson.ExtensionList;
import hudson.FilePath;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.modeldeploy.smoke.SmokeResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Publishes a smoke test's reports with the build: into the run's directory (see {@link SmokeReportFiles}), the JUnit
 * XML into the workspace, and that XML as the run's test result when the JUnit plugin is installed. Reports are
 * evidence, not the deployment: a failure to publish them is logged and the step goes on.
 */
public final class SmokeReportPublisher {
    private SmokeReportPublisher() {}

    public static void publish(Run<?, ?> run, FilePath workspace, TaskListener listener, String model,
            String version, SmokeResult result) throws InterruptedException {
        publish(run.getRootDir().toPath(), workspace, listener, model, version, result,
                () -> ExtensionList.lookup(TestResultRecorder.class), run);
    }

    /** The recorders installed, looked up only when there is a workspace to record from. */
    interface Recorders {
        List<? extends TestResultRecorder> get();
    }

    static void publish(java.nio.file.Path runRoot, FilePath workspace, TaskListener listener, String model,
            String version, SmokeResult result, Recorders recorders, Run<?, ?> run) throws InterruptedException {
        try {
            SmokeReportFiles.writeRunReports(SmokeReportFiles.runDirectory(runRoot, model, version), result, model,
                    version);
        } catch (IOException e) {
            listener.getLogger().println("smoke report of " + model + " " + version + " not archived: "
                    + e.getMessage());
        }
        if (workspace == null) {
            return; // no workspace (e.g. a promotion page's follow-up): the run's copy is the record
        }
        String pattern = SmokeReportFiles.workspaceJUnit(model, version);
        try {
            FilePath junit = workspace.child(pattern);
            junit.getParent().mkdirs();
            junit.write(SmokeReportFiles.junit(result, model, version), StandardCharsets.UTF_8.name());
            for (TestResultRecorder recorder : recorders.get()) {
                recorder.record(run, workspace, pattern, listener);
            }
        } catch (IOException | RuntimeException | LinkageError e) {
            listener.getLogger().println("smoke test result of " + model + " " + version + " not recorded: "
                    + e.getMessage());
        }
    }
}
