package io.jenkins.plugins.modeldeploy.jenkins.reports;

import hudson.Extension;
import hudson.FilePath;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.tasks.junit.JUnitResultArchiver;
import java.io.IOException;

/**
 * Records through the JUnit plugin what a {@code junit} step would: {@link JUnitResultArchiver#parseAndSummarize}
 * adds (or merges into) the run's test result action. {@code optional = true}: when the JUnit plugin is not
 * installed this class cannot load, and Jenkins leaves the extension out instead of failing (the usual way plugins
 * integrate with an optional dependency). A failed check is already the step's failure, so the build result is left
 * as it is (unlike the {@code junit} step, which marks the build unstable).
 */
@Extension(optional = true)
public final class JUnitTestResultRecorder implements TestResultRecorder {
    @Override
    public void record(Run<?, ?> run, FilePath workspace, String pattern, TaskListener listener)
            throws IOException, InterruptedException {
        JUnitResultArchiver task = new JUnitResultArchiver(pattern);
        task.setAllowEmptyResults(true);
        JUnitResultArchiver.parseAndSummarize(task, null, run, workspace, workspace.createLauncher(listener), listener);
    }
}
