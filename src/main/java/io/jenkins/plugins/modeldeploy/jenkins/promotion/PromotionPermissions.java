package io.jenkins.plugins.modeldeploy.jenkins.promotion;

import hudson.init.InitMilestone;
import hudson.init.Initializer;
import hudson.model.Item;
import hudson.security.Permission;
import hudson.security.PermissionGroup;
import hudson.security.PermissionScope;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import java.util.logging.Logger;
import jenkins.model.Jenkins;
import jenkins.util.SystemProperties;

/**
 * {@code ModelDeploy/Promote}: who may approve or reject a promotion. Granted on its own by default: whoever may
 * build (and so deploy) is not thereby allowed to approve the deployment. Implied by {@code Overall/Administer} (as
 * core's own {@code Overall/SystemRead} is), because authorization strategies grant implied permissions only through
 * {@code Permission.impliedBy}: without it an administrator could not settle a promotion under matrix-auth, where
 * pipeline-input-step lets administrators settle any input. An administrator may restore the old
 * behaviour — implied by {@code Job/Build} — with the system property {@value #IMPLIED_BY_BUILD}{@code =true}.
 *
 * <p>Permissions are registered when their class initialises; {@link #register()} runs once plugins have started, so
 * the permission is in matrix-auth's table and role-strategy's list on a fresh controller, before any promotion.
 */
public final class PromotionPermissions {
    private static final Logger LOGGER = Logger.getLogger(PromotionPermissions.class.getName());
    public static final String IMPLIED_BY_BUILD = "io.jenkins.plugins.modeldeploy.promoteImpliedByBuild";

    public static final PermissionGroup GROUP =
            new PermissionGroup(PromotionPermissions.class, Messages._Promotion_permissionGroup());

    public static final Permission PROMOTE = new Permission(
            GROUP,
            "Promote",
            Messages._Promotion_permissionDescription(),
            impliedBy(SystemProperties.getBoolean(IMPLIED_BY_BUILD, false)),
            PermissionScope.ITEM);

    private PromotionPermissions() {}

    /** What implies Promote: {@code Overall/Administer} (the default) or, when the administrator says so, {@code Job/Build}. */
    static Permission impliedBy(boolean byBuild) {
        return byBuild ? Item.BUILD : Jenkins.ADMINISTER;
    }

    /** Loads this class (and so registers {@link #PROMOTE}) at start-up. */
    @Initializer(after = InitMilestone.PLUGINS_STARTED)
    public static void register() {
        LOGGER.fine(() -> "registered " + PROMOTE.name + " in " + GROUP.owner.getName());
    }
}
