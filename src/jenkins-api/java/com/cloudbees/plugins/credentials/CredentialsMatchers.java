// Signature-only (offline build, never packaged): org.jenkins-ci.plugins:credentials 1511.v2e3cb_0008ef0 (bom-2.541.x 6916.v15ec97679743).
// Checked against jenkinsci/credentials-plugin master d96751bc (the newest commit in the mirror, after tag 1502.v5c95e620ddfe; tag 1511.v2e3cb_0008ef0 is not in it),
// src/main/java/com/cloudbees/plugins/credentials/CredentialsMatchers.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// The combinators behave as the real ones (instanceOf, not, allOf, anyOf); withScope's matcher throws when used, as
// offline credentials have no store and so no scope. The other factories and filter/firstOrNull are omitted.
package com.cloudbees.plugins.credentials;

@SuppressWarnings("rawtypes") // as the real class: raw Class
public class CredentialsMatchers {
    private CredentialsMatchers() {}

    public static CredentialsMatcher not(CredentialsMatcher matcher) {
        return c -> !matcher.matches(c);
    }

    public static CredentialsMatcher instanceOf(Class clazz) {
        return clazz::isInstance;
    }

    public static CredentialsMatcher withScope(CredentialsScope scope) {
        return c -> {
            throw new UnsupportedOperationException("signature only: no credentials scopes offline");
        };
    }

    public static CredentialsMatcher allOf(CredentialsMatcher... matchers) {
        return c -> java.util.Arrays.stream(matchers).allMatch(m -> m.matches(c));
    }

    public static CredentialsMatcher anyOf(CredentialsMatcher... matchers) {
        return c -> java.util.Arrays.stream(matchers).anyMatch(m -> m.matches(c));
    }
}
