package io.jenkins.plugins.modeldeploy.jenkins.reports;

import hudson.ExtensionList;
import hudson.FilePath;
import hudson.model.Run;
import hudson.model.TaskListener;
import java.io.IOException;
import java.util.List;

/**
 * Publishes a smoke test's reports with the build, on the controller: into the run's directory (see {@link
 * SmokeReportFiles}) and, when the step has a workspace, the JUnit XML that the work wrote there (on the agent, {@code
 * AgentSession.smokeTested}) as the run's test result when the JUnit plugin is installed. Reports are
 * evidence, not the deployment: a failure to publish them is logged and the step goes on.
 */
public final class SmokeReportPublisher {
    private SmokeReportPublisher() {}

    public static void publish(
            Run<?, ?> run,
            FilePath workspace,
            TaskListener listener,
            String model,
            String version,
            SmokeReportFiles.Rendered reports)
            throws InterruptedException {
        publish(
                run.getRootDir().toPath(),
                workspace,
                listener,
                model,
                version,
                reports,
                () -> ExtensionList.lookup(TestResultRecorder.class),
                run);
    }

    /** The recorders installed, looked up only when there is a workspace to record from. */
    interface Recorders {
        List<? extends TestResultRecorder> get();
    }

    static void publish(
            java.nio.file.Path runRoot,
            FilePath workspace,
            TaskListener listener,
            String model,
            String version,
            SmokeReportFiles.Rendered reports,
            Recorders recorders,
            Run<?, ?> run)
            throws InterruptedException {
        try {
            SmokeReportFiles.writeRunReports(SmokeReportFiles.runDirectory(runRoot, model, version), reports);
        } catch (IOException e) {
            listener.getLogger()
                    .println("smoke report of " + model + " " + version + " not archived: " + e.getMessage());
        }
        if (workspace == null) {
            return; // no workspace (e.g. a promotion page's follow-up): the run's copy is the record
        }
        String pattern = SmokeReportFiles.workspaceJUnit(model, version);
        try {
            for (TestResultRecorder recorder : recorders.get()) {
                recorder.record(run, workspace, pattern, listener);
            }
        } catch (IOException | RuntimeException | LinkageError e) {
            listener.getLogger()
                    .println("smoke test result of " + model + " " + version + " not recorded: " + e.getMessage());
        }
    }
}
