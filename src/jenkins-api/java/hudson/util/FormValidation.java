// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/util/FormValidation.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// Minimal bodies so unit tests can read kind and message; the real error()/warning() HTML-escape the message and renderHtml() is omitted.
package hudson.util;

import java.io.IOException;
import org.kohsuke.stapler.HttpResponse;

public abstract class FormValidation extends IOException implements HttpResponse {
    public enum Kind {
        OK,
        WARNING,
        ERROR
    }

    public final Kind kind;

    private FormValidation(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public static FormValidation error(String message) {
        return new FormValidation(Kind.ERROR, message) {};
    }

    public static FormValidation ok() {
        return new FormValidation(Kind.OK, null) {};
    }
}
