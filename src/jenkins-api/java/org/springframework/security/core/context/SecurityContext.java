// Signature-only (offline build, never packaged): org.springframework.security:spring-security-core 6.5.7
// (managed by jenkins-core 2.541.3's bom/pom.xml). Checked against spring-projects/spring-security tag 6.5.7,
// core/src/main/java/org/springframework/security/core/context/SecurityContext.java.
package org.springframework.security.core.context;

import java.io.Serializable;
import org.springframework.security.core.Authentication;

public interface SecurityContext extends Serializable {
    Authentication getAuthentication();

    void setAuthentication(Authentication authentication);
}
