// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/security/AuthorizationStrategy.java.
// Declares only the members the adapters and the JenkinsRule tests use, with the real modifiers, generics and throws.
// Supertypes Describable, ExtensionPoint and every member (getRootACL, getGroups, …) omitted.
package hudson.security;

public abstract class AuthorizationStrategy {
    protected AuthorizationStrategy() {}
}
