package io.jenkins.plugins.modeldeploy.jenkins.reports;

import hudson.ExtensionPoint;
import hudson.FilePath;
import hudson.model.Run;
import hudson.model.TaskListener;
import java.io.IOException;

/**
 * Records JUnit XML of the workspace as the run's test result. The one implementation,
 * {@link JUnitTestResultRecorder}, is an optional extension: it exists only when the JUnit plugin is installed (the
 * plugin declares it as an optional dependency), so this plugin loads and deploys without it.
 */
public interface TestResultRecorder extends ExtensionPoint {
    /** Records {@code pattern} (workspace-relative JUnit XML) on {@code run}. */
    void record(Run<?, ?> run, FilePath workspace, String pattern, TaskListener listener)
            throws IOException, InterruptedException;
}
