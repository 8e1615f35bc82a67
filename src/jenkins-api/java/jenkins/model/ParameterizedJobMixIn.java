// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/jenkins/model/ParameterizedJobMixIn.java.
// Declares only the nested interface ParameterizedJob (:336) with its real type parameters and bounds, for the bounds of
// JenkinsRule.buildAndAssertSuccess; of its supertypes BuildableItem (which extends Item and Queue.Task) and
// TriggeredItem only Queue.Task is kept, as the bounds need it; its members and the class's members omitted.
package jenkins.model;

import hudson.model.Job;
import hudson.model.Queue;
import hudson.model.Run;

public abstract class ParameterizedJobMixIn<JobT extends Job<JobT, RunT> & ParameterizedJobMixIn.ParameterizedJob<JobT, RunT> & Queue.Task, RunT extends Run<JobT, RunT> & Queue.Executable> {
    protected ParameterizedJobMixIn() {}

    public interface ParameterizedJob<JobT extends Job<JobT, RunT> & ParameterizedJobMixIn.ParameterizedJob<JobT, RunT> & Queue.Task, RunT extends Run<JobT, RunT> & Queue.Executable>
            extends Queue.Task {}
}
