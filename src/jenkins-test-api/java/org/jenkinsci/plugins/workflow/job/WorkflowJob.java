// Signature-only (offline build: compiled, never run or packaged): org.jenkins-ci.plugins.workflow:workflow-job 1571.1580.v18e46842c125 (bom-2.541.x 6916.v15ec97679743).
// Checked against jenkinsci/workflow-job-plugin tag 1571.1580.v18e46842c125, src/main/java/org/jenkinsci/plugins/workflow/job/WorkflowJob.java.
// Declares only the members the tests use, with the real modifiers, generics and throws.
// Interfaces other than ParameterizedJobMixIn.ParameterizedJob, TopLevelItem and Queue.FlyweightTask omitted.
// scheduleBuild2 is ParameterizedJobMixIn.ParameterizedJob's default method
// (jenkins-core 2.541.3, core/src/main/java/jenkins/model/ParameterizedJobMixIn.java), declared here.
package org.jenkinsci.plugins.workflow.job;

import hudson.model.Action;
import hudson.model.ItemGroup;
import hudson.model.Job;
import hudson.model.Queue;
import hudson.model.TopLevelItem;
import hudson.model.queue.QueueTaskFuture;
import jenkins.model.ParameterizedJobMixIn;
import org.jenkinsci.plugins.workflow.flow.FlowDefinition;

public final class WorkflowJob extends Job<WorkflowJob, WorkflowRun>
        implements ParameterizedJobMixIn.ParameterizedJob<WorkflowJob, WorkflowRun>, TopLevelItem, Queue.FlyweightTask {
    public WorkflowJob(ItemGroup parent, String name) {
        super(parent, name);
    }

    public void setDefinition(FlowDefinition definition) {
        throw new UnsupportedOperationException("signature only");
    }

    public QueueTaskFuture<WorkflowRun> scheduleBuild2(int quietPeriod, Action... actions) {
        throw new UnsupportedOperationException("signature only");
    }
}
