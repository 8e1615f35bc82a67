// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/security/ACL.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// Only SYSTEM2 (a UsernamePasswordAuthenticationToken for "SYSTEM" in the real class, ACL.java:374); the abstract
// hasPermission2 and the impersonation helpers are omitted.
package hudson.security;

import org.springframework.security.core.Authentication;

public abstract class ACL {
    public static final Authentication SYSTEM2 = new Authentication() {
        @Override
        public String toString() {
            return "SYSTEM";
        }
    };
}
