// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/jenkins/model/Jenkins.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// Supertypes other than AccessControlled omitted. ADMINISTER is Permission.HUDSON_ADMINISTER in the real class
// (Jenkins.java:5854; group Hudson's, scope JENKINS); here a Permission of its own. get() throws as the real one does
// when no Jenkins runs (Jenkins.java:804-810) — offline, always. A private constructor stands in for the real one.
package jenkins.model;

import hudson.security.AccessControlled;
import hudson.security.Permission;
import hudson.security.PermissionGroup;
import hudson.security.PermissionScope;

public class Jenkins implements AccessControlled {
    public static final Permission ADMINISTER = new Permission(new PermissionGroup(Jenkins.class, null),
            "Administer", null, null, PermissionScope.JENKINS);

    private Jenkins() {}

    public static Jenkins get() throws IllegalStateException {
        throw new IllegalStateException("Jenkins.instance is missing (signature-only copy: no Jenkins runs offline)");
    }
}
