// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/ExtensionList.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// Supertypes AbstractList<T>, OnMaster omitted; the real constructors are not declared (a private one stands in).
package hudson;

public class ExtensionList<T> {
    private ExtensionList() {}

    public static <U> U lookupSingleton(Class<U> type) {
        throw new UnsupportedOperationException("signature only");
    }
}
