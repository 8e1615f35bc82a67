// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/model/Describable.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
package hudson.model;

public interface Describable<T extends Describable<T>> {
    // a default method since 2.505 (real body: Jenkins.get().getDescriptorOrDie(getClass()))
    default Descriptor<T> getDescriptor() {
        throw new UnsupportedOperationException("signature only");
    }
}
