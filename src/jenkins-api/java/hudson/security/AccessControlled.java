// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/security/AccessControlled.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// The abstract getACL() and the other defaults are omitted.
package hudson.security;

public interface AccessControlled {
    default boolean hasPermission(Permission permission) {
        throw new UnsupportedOperationException("signature only");
    }
}
