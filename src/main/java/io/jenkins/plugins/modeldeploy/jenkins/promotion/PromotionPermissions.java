package io.jenkins.plugins.modeldeploy.jenkins.promotion;

import hudson.model.Item;
import hudson.security.Permission;
import hudson.security.PermissionGroup;
import hudson.security.PermissionScope;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;

/**
 * {@code ModelDeploy/Promote}: who may approve or reject a promotion. Implied by {@code Job/Build} (whoever may run
 * the deployment may approve it) unless the system property {@value #IMPLIED_BY_BUILD} is {@code false}, in which
 * case it has to be granted on its own (matrix authorization shows it in its own column group).
 */
public final class PromotionPermissions {
    public static final String IMPLIED_BY_BUILD = "io.jenkins.plugins.modeldeploy.promoteImpliedByBuild";

    public static final PermissionGroup GROUP = new PermissionGroup(PromotionPermissions.class,
            Messages._Promotion_permissionGroup());

    public static final Permission PROMOTE = new Permission(GROUP, "Promote",
            Messages._Promotion_permissionDescription(),
            Boolean.parseBoolean(System.getProperty(IMPLIED_BY_BUILD, "true")) ? Item.BUILD : null,
            PermissionScope.ITEM);

    private PromotionPermissions() {}
}
