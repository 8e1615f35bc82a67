// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/AbortException.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// Minimal bodies (as the real ones): failures the adapters report without a stack trace.
package hudson;

import java.io.IOException;

public class AbortException extends IOException {
    public AbortException() {}

    public AbortException(String message) {
        super(message);
    }
}
