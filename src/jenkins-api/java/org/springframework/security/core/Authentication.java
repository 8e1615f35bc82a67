// Signature-only (offline build, never packaged): org.springframework.security:spring-security-core 6.5.7
// (managed by jenkins-core 2.541.3's bom/pom.xml). Checked against spring-projects/spring-security tag 6.5.7,
// core/src/main/java/org/springframework/security/core/Authentication.java.
// Declares only the members the adapters use (getName comes from java.security.Principal, as in the real
// interface); getCredentials, getDetails, getPrincipal, isAuthenticated, setAuthenticated omitted.
package org.springframework.security.core;

import java.io.Serializable;
import java.security.Principal;
import java.util.Collection;

public interface Authentication extends Principal, Serializable {
    Collection<? extends GrantedAuthority> getAuthorities();
}
