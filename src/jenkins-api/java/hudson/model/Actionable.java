// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/model/Actionable.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// Supertypes AbstractModelObject, ModelObjectWithContextMenu omitted.
package hudson.model;

import java.util.List;

public abstract class Actionable {
    public void addAction(Action a) {
        throw new UnsupportedOperationException("signature only");
    }

    public boolean addOrReplaceAction(Action a) {
        throw new UnsupportedOperationException("signature only");
    }

    public <T extends Action> T getAction(Class<T> type) {
        return null; // as the real one when the run has no such action (it is nullable)
    }

    public List<Action> getActions() {
        throw new UnsupportedOperationException("signature only");
    }
}
