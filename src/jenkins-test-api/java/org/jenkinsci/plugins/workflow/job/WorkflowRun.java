// Signature-only (offline build: compiled, never run or packaged): org.jenkins-ci.plugins.workflow:workflow-job 1571.1580.v18e46842c125 (bom-2.541.x 6916.v15ec97679743).
// Checked against jenkinsci/workflow-job-plugin tag 1571.1580.v18e46842c125, src/main/java/org/jenkinsci/plugins/workflow/job/WorkflowRun.java.
// Declares only the members the tests use, with the real modifiers, generics and throws.
// Interfaces omitted but for Queue.Executable (through FlowExecutionOwner.Executable, :142).
package org.jenkinsci.plugins.workflow.job;

import hudson.model.Queue;
import hudson.model.Run;
import java.io.IOException;

public final class WorkflowRun extends Run<WorkflowJob, WorkflowRun> implements Queue.Executable {
    public WorkflowRun(WorkflowJob job) throws IOException {
        super(job);
    }
}
