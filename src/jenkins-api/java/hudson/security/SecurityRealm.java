// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/security/SecurityRealm.java.
// Declares only the members the adapters and the JenkinsRule tests use, with the real modifiers, generics and throws.
// Supertypes Describable, ExtensionPoint and every member omitted.
// Except (FAITHFUL SEMANTICS, the approval tests depend on them): getUserIdStrategy() defaults to
// IdStrategy.CASE_INSENSITIVE (:185-187), getGroupIdStrategy() to getUserIdStrategy() (:199-201);
// AUTHENTICATED_AUTHORITY2 is the authority "authenticated" (:942).
package hudson.security;

import jenkins.model.IdStrategy;
import org.springframework.security.core.GrantedAuthority;

public abstract class SecurityRealm {
    protected SecurityRealm() {}

    public static final GrantedAuthority AUTHENTICATED_AUTHORITY2 = () -> "authenticated";

    public IdStrategy getUserIdStrategy() {
        return IdStrategy.CASE_INSENSITIVE;
    }

    public IdStrategy getGroupIdStrategy() {
        return getUserIdStrategy();
    }
}
