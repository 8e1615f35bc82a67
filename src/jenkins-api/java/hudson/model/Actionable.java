// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/model/Actionable.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// Supertypes AbstractModelObject, ModelObjectWithContextMenu omitted.
package hudson.model;

public abstract class Actionable {
    public void addAction(Action a) {
        throw new UnsupportedOperationException("signature only");
    }

    public boolean addOrReplaceAction(Action a) {
        throw new UnsupportedOperationException("signature only");
    }

    public <T extends Action> T getAction(Class<T> type) {
        throw new UnsupportedOperationException("signature only");
    }
}
