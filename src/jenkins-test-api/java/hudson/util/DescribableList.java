// Signature-only (offline build: compiled, never run or packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/util/DescribableList.java.
// Declares only the members the tests use, with the real modifiers, generics and throws.
// Superclass PersistedList not copied; add(T) is its member (core/src/main/java/hudson/util/PersistedList.java).
package hudson.util;

import hudson.model.Describable;
import hudson.model.Descriptor;

public class DescribableList<T extends Describable<T>, D extends Descriptor<T>> {
    DescribableList() {}

    public boolean add(T item) {
        throw new UnsupportedOperationException("signature only");
    }

    public <U extends T> U get(Class<U> type) {
        throw new UnsupportedOperationException("signature only");
    }
}
