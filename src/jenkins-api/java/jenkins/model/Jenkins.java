// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/jenkins/model/Jenkins.java.
// Declares only the members the adapters and the JenkinsRule tests use, with the real modifiers, generics and throws.
// Supertypes (AbstractCIBase, Node, DirectlyModifiableTopLevelItemGroup, …) omitted; toComputer() is Node's
// (core/src/main/java/hudson/model/Node.java). READ's impliedBy and description are not modelled.
// One member per block: other helpers add members here.
// AccessControlled (through AbstractCIBase/Node) is kept for hasPermission.
// FAITHFUL SEMANTICS (the approval tests depend on them):
// - getAuthentication2() reads Spring Security's SecurityContextHolder and falls back to ANONYMOUS2 (:4819-4828).
// - get() throws IllegalStateException without an instance (:804-810); the instance is the one whose constructor
//   ran (theInstance, :495, private there; package-private here so an offline test in jenkins.model can reset it).
//   The package-private constructor stands in for the real protected Jenkins(File, ServletContext).
// - getRootUrl() is null when no URL is configured and no request is being served (:2458-2470).
package jenkins.model;

import hudson.model.Computer;
import hudson.model.Item;
import hudson.security.AccessControlled;
import hudson.security.AuthorizationStrategy;
import hudson.security.Permission;
import hudson.security.PermissionGroup;
import hudson.security.PermissionScope;
import hudson.security.SecurityRealm;
import java.io.File;
import java.util.Collection;
import java.util.List;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;

public class Jenkins implements AccessControlled {
    public static final Permission READ = new Permission(new PermissionGroup(Jenkins.class, null), "Read", null, null,
            PermissionScope.JENKINS);

    Jenkins() {
        theInstance = this;
    }

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

    static volatile Jenkins theInstance;

    public static final Permission ADMINISTER = new Permission(new PermissionGroup(Jenkins.class, null),
            "Administer", null, null, PermissionScope.JENKINS);

    public static final Authentication ANONYMOUS2 = new Authentication() {
        private static final long serialVersionUID = 1L;

        @Override
        public String getName() {
            return "anonymous";
        }

        @Override
        public Collection<? extends GrantedAuthority> getAuthorities() {
            return List.of(() -> "anonymous");
        }
    };

    public static Jenkins get() throws IllegalStateException {
        Jenkins instance = getInstanceOrNull();
        if (instance == null) {
            throw new IllegalStateException("Jenkins.instance is missing");
        }
        return instance;
    }

    public static Jenkins getInstanceOrNull() {
        return theInstance;
    }

    public static Authentication getAuthentication2() {
        Authentication a = SecurityContextHolder.getContext().getAuthentication();
        if (a == null) {
            a = ANONYMOUS2;
        }
        return a;
    }

    // Jenkins.java:2572
    public File getRootDir() {
        throw new UnsupportedOperationException("signature only");
    }

    public String getRootUrl() throws IllegalStateException {
        throw new UnsupportedOperationException("signature only");
    }

    public boolean isUseSecurity() {
        throw new UnsupportedOperationException("signature only");
    }

    public SecurityRealm getSecurityRealm() {
        throw new UnsupportedOperationException("signature only");
    }
}
