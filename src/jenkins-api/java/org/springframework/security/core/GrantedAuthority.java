// Signature-only (offline build, never packaged): org.springframework.security:spring-security-core 6.5.7
// (the version jenkins-core 2.541.3 manages in bom/pom.xml through spring-security-bom).
// Checked against spring-projects/spring-security tag 6.5.7,
// core/src/main/java/org/springframework/security/core/GrantedAuthority.java.
// A stand-in rather than the real jar: the offline build resolves nothing beyond what it already has, and only this
// interface's one member is used.
package org.springframework.security.core;

import java.io.Serializable;

public interface GrantedAuthority extends Serializable {
    String getAuthority();
}
