// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/ExtensionList.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// Supertype OnMaster omitted; AbstractList<T> kept (lookup(Class) results are iterated), its get/size throw here.
// The real constructors are not declared (a private one stands in).
package hudson;

import java.util.AbstractList;

public class ExtensionList<T> extends AbstractList<T> {
    private ExtensionList() {}

    public static <U> U lookupSingleton(Class<U> type) {
        throw new UnsupportedOperationException("signature only");
    }

    public static <T> ExtensionList<T> lookup(Class<T> type) {
        throw new UnsupportedOperationException("signature only");
    }

    @Override
    public T get(int index) {
        throw new UnsupportedOperationException("signature only");
    }

    @Override
    public int size() {
        throw new UnsupportedOperationException("signature only");
    }
}
