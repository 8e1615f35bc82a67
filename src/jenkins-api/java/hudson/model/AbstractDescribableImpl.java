// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/model/AbstractDescribableImpl.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
package hudson.model;

@Deprecated(since = "2.505")
public abstract class AbstractDescribableImpl<T extends AbstractDescribableImpl<T>> implements Describable<T> {}
