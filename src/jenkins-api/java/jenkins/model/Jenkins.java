// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/jenkins/model/Jenkins.java.
// Declares only the members the adapters and the JenkinsRule tests use, with the real modifiers, generics and throws.
// Supertypes (AbstractCIBase, Node, DirectlyModifiableTopLevelItemGroup, …) omitted; toComputer() is Node's
// (core/src/main/java/hudson/model/Node.java). READ's impliedBy and description are not modelled.
// One member per block: other helpers add members here.
package jenkins.model;

import hudson.model.Computer;
import hudson.model.Item;
import hudson.security.AuthorizationStrategy;
import hudson.security.Permission;
import hudson.security.PermissionGroup;
import hudson.security.PermissionScope;
import hudson.security.SecurityRealm;

public class Jenkins {
    public static final Permission READ = new Permission(new PermissionGroup(Jenkins.class, null), "Read", null, null,
            PermissionScope.JENKINS);

    Jenkins() {}

    public void setSecurityRealm(SecurityRealm securityRealm) {
        throw new UnsupportedOperationException("signature only");
    }

    public void setAuthorizationStrategy(AuthorizationStrategy a) {
        throw new UnsupportedOperationException("signature only");
    }

    public final Computer toComputer() {
        throw new UnsupportedOperationException("signature only");
    }

    // throws (unchecked) Spring AccessDeniedException in the real signature
    public <T extends Item> T getItemByFullName(String fullName, Class<T> type) {
        throw new UnsupportedOperationException("signature only");
    }
}
