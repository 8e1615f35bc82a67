// Signature-only (offline build, never packaged): org.springframework.security:spring-security-core 6.5.7 (the
// spring-security-bom version jenkins-core 2.541.3 imports, bom/pom.xml).
// Checked against spring-projects/spring-security tag 6.5.7,
// core/src/main/java/org/springframework/security/core/Authentication.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// Supertypes Principal, Serializable and every member are omitted: the adapters only pass ACL.SYSTEM2 along.
package org.springframework.security.core;

public interface Authentication {}
