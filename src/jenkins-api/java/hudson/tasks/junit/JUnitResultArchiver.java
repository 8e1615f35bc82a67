// Signature-only (offline build, never packaged): org.jenkins-ci.plugins:junit 1421.v99cb_b_2577709 (bom-2.541.x 6916.v15ec97679743).
// Checked against jenkinsci/junit-plugin tag 1421.v99cb_b_2577709, src/main/java/hudson/tasks/junit/JUnitResultArchiver.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// Supertypes Recorder and SimpleBuildStep omitted (JUnitTask kept: parseAndSummarize takes the archiver as the task).
package hudson.tasks.junit;

import hudson.FilePath;
import hudson.Launcher;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.tasks.test.PipelineTestDetails;
import java.io.IOException;

public class JUnitResultArchiver implements JUnitTask {
    public JUnitResultArchiver(String testResults) {}

    public final void setAllowEmptyResults(boolean allowEmptyResults) {
        throw new UnsupportedOperationException("signature only");
    }

    public static TestResultSummary parseAndSummarize(JUnitTask task, PipelineTestDetails pipelineTestDetails,
            Run<?, ?> build, FilePath workspace, Launcher launcher, TaskListener listener)
            throws InterruptedException, IOException {
        throw new UnsupportedOperationException("signature only");
    }
}
