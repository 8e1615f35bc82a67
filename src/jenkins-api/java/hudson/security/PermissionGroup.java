// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/security/PermissionGroup.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// Fields are set so unit tests can inspect a declared permission; Iterable/Comparable omitted.
package hudson.security;

import org.jvnet.localizer.Localizable;

@SuppressWarnings("rawtypes") // as the real class: raw Class
public final class PermissionGroup {
    public final Class owner;
    public final Localizable title;

    public PermissionGroup(Class owner, Localizable title) throws IllegalStateException {
        this.owner = owner;
        this.title = title;
    }
}
