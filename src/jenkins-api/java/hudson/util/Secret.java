// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/util/Secret.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// getPlainText() for the adapters, fromString() for their tests (minimal bodies); the private constructor stands in for the real package-private one.
package hudson.util;

import java.io.Serializable;

public final class Secret implements Serializable {
    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    public String getPlainText() {
        return value;
    }

    public static Secret fromString(String data) {
        return new Secret(data == null ? "" : data);
    }

    @Override
    public String toString() {
        return value;
    }
}
