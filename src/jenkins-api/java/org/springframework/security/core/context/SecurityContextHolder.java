// Signature-only (offline build, never packaged): org.springframework.security:spring-security-core 6.5.7
// (managed by jenkins-core 2.541.3's bom/pom.xml). Checked against spring-projects/spring-security tag 6.5.7,
// core/src/main/java/org/springframework/security/core/context/SecurityContextHolder.java.
// FAITHFUL SEMANTICS (the approval tests depend on them): the default strategy is MODE_THREADLOCAL
// (ThreadLocalSecurityContextHolderStrategy): each thread has its own context, created empty on first use, and
// clearContext() drops it. Jenkins sets it per request (ACL.as2 / the security filter chain); Jenkins.getAuthentication2()
// reads it. Other strategies and members (MODE_*, setStrategyName, getContextHolderStrategy, ...) omitted.
package org.springframework.security.core.context;

import org.springframework.security.core.Authentication;

public class SecurityContextHolder {
    private static final ThreadLocal<SecurityContext> CONTEXT = new ThreadLocal<>();

    public static void clearContext() {
        CONTEXT.remove();
    }

    public static SecurityContext getContext() {
        SecurityContext c = CONTEXT.get();
        if (c == null) {
            c = createEmptyContext();
            CONTEXT.set(c);
        }
        return c;
    }

    public static void setContext(SecurityContext context) {
        if (context == null) {
            throw new IllegalArgumentException("Only non-null SecurityContext instances are permitted");
        }
        CONTEXT.set(context);
    }

    public static SecurityContext createEmptyContext() {
        return new SecurityContext() {
            private static final long serialVersionUID = 1L;
            private Authentication authentication;

            @Override
            public Authentication getAuthentication() {
                return authentication;
            }

            @Override
            public void setAuthentication(Authentication a) {
                authentication = a;
            }
        };
    }
}
