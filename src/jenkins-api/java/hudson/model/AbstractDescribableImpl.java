// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.479.3.
// Checked against jenkinsci/jenkins tag jenkins-2.479.3, core/src/main/java/hudson/model/AbstractDescribableImpl.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
package hudson.model;

public abstract class AbstractDescribableImpl<T extends AbstractDescribableImpl<T>> implements Describable<T> {
    @Override
    public Descriptor<T> getDescriptor() {
        throw new UnsupportedOperationException("signature only");
    }
}
