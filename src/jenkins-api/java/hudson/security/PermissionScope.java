// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/security/PermissionScope.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// The real constructor takes the model class and containers; only the constants are used.
package hudson.security;

public final class PermissionScope {
    public static final PermissionScope JENKINS = new PermissionScope();

    public static final PermissionScope ITEM = new PermissionScope();

    private PermissionScope() {}
}
