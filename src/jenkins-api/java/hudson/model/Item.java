// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/model/Item.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// Only these constants; their real descriptions and impliedBy (Permission.READ, Permission.UPDATE) are not modelled.
package hudson.model;

import hudson.security.Permission;
import hudson.security.PermissionGroup;
import hudson.security.PermissionScope;

public interface Item {
    PermissionGroup PERMISSIONS = new PermissionGroup(Item.class, null);

    Permission READ = new Permission(PERMISSIONS, "Read", null, null, PermissionScope.ITEM);

    Permission BUILD = new Permission(PERMISSIONS, "Build", null, null, PermissionScope.ITEM);
}
