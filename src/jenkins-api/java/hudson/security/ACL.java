// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/security/ACL.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// Only SYSTEM2 (new UsernamePasswordAuthenticationToken("SYSTEM", "SYSTEM") in the real class, ACL.java:374: named
// SYSTEM, no authorities); the abstract hasPermission2 and the impersonation helpers are omitted.
package hudson.security;

import java.util.Collection;
import java.util.List;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;

public abstract class ACL {
    public static final Authentication SYSTEM2 = new Authentication() {
        private static final long serialVersionUID = 1L;

        @Override
        public String getName() {
            return "SYSTEM";
        }

        @Override
        public Collection<? extends GrantedAuthority> getAuthorities() {
            return List.of();
        }
    };
}
