// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/model/Descriptor.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// Supertypes Loadable, Saveable, OnMaster omitted. save()/load() do nothing here so unit tests can call setters that save.
package hudson.model;

import org.kohsuke.stapler.HttpResponse;

public abstract class Descriptor<T extends Describable<T>> {
    protected Descriptor(Class<? extends T> clazz) {}

    protected Descriptor() {}

    public String getDisplayName() {
        return getClass().getSimpleName();
    }

    public synchronized void save() {}

    public synchronized void load() {}

    public static final class FormException extends Exception implements HttpResponse {
        public FormException(String message, String formField) {
            super(message);
        }
    }
}
