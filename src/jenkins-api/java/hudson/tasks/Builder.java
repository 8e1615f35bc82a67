// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/tasks/Builder.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
package hudson.tasks;

import hudson.ExtensionPoint;
import hudson.model.Describable;
import hudson.model.Descriptor;

public abstract class Builder extends BuildStepCompatibilityLayer implements Describable<Builder>, ExtensionPoint {
    @Override
    public Descriptor<Builder> getDescriptor() {
        throw new UnsupportedOperationException("signature only");
    }
}
