// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/model/User.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// Supertypes and the real constructor omitted.
package hudson.model;

import java.util.List;

public class User {
    private User() {}

    public static User current() {
        throw new UnsupportedOperationException("signature only");
    }

    public String getId() {
        throw new UnsupportedOperationException("signature only");
    }

    public List<String> getAuthorities() {
        throw new UnsupportedOperationException("signature only");
    }
}
