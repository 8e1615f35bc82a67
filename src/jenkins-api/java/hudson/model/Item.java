// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/model/Item.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// Only these constants; their real descriptions and impliedBy (Permission.READ, Permission.UPDATE) are not modelled.
package hudson.model;

import hudson.security.AccessControlled;
import hudson.security.Permission;
import hudson.security.PermissionGroup;
import hudson.security.PermissionScope;

public interface Item extends AccessControlled {
    PermissionGroup PERMISSIONS = new PermissionGroup(Item.class, null);

    Permission READ = new Permission(PERMISSIONS, "Read", null, null, PermissionScope.ITEM);

    Permission BUILD = new Permission(PERMISSIONS, "Build", null, null, PermissionScope.ITEM);

    // EXTENDED_READ: the real impliedBy (CONFIGURE) is not modelled. Item extends AccessControlled as the real one (other
    // supertypes omitted), so tests implement hasPermission to play a user.
    Permission EXTENDED_READ = new Permission(PERMISSIONS, "ExtendedRead", null, null, PermissionScope.ITEM);
}
