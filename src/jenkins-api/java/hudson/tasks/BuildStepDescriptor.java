// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/tasks/BuildStepDescriptor.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
package hudson.tasks;

import hudson.model.AbstractProject;
import hudson.model.Describable;
import hudson.model.Descriptor;

public abstract class BuildStepDescriptor<T extends BuildStep & Describable<T>> extends Descriptor<T> {
    protected BuildStepDescriptor(Class<? extends T> clazz) {
        super(clazz);
    }

    protected BuildStepDescriptor() {}

    @SuppressWarnings("rawtypes")
    public abstract boolean isApplicable(Class<? extends AbstractProject> jobType);
}
