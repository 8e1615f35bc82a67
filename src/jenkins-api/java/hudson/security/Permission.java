// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/security/Permission.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// Fields are set so unit tests can inspect a declared permission.
package hudson.security;

import java.util.List;
import org.jvnet.localizer.Localizable;

@SuppressWarnings("rawtypes") // as the real class: raw Class
public final class Permission {
    public final Class owner;
    public final PermissionGroup group;
    public final String name;
    public final Localizable description;
    public final Permission impliedBy;

    public Permission(PermissionGroup group, String name, Localizable description, Permission impliedBy,
            PermissionScope scope) {
        this.owner = group.owner;
        this.group = group;
        this.name = name;
        this.description = description;
        this.impliedBy = impliedBy;
    }

    // getId: owner.getName() + '.' + name (Permission.java:218-223 at jenkins-2.541.3), as the real one
    public String getId() {
        return owner.getName() + '.' + name;
    }

    // getAll: jenkins-2.541.3 Permission.java:273-275 (every registered permission; here only the signature)
    public static List<Permission> getAll() {
        throw new UnsupportedOperationException("signature only");
    }
}
