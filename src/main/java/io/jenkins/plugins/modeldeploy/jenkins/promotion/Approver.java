package io.jenkins.plugins.modeldeploy.jenkins.promotion;

import java.util.List;

/**
 * The person answering, as far as a decision needs: the user ID, the groups (authorities) and whether they hold
 * {@link PromotionPermissions#PROMOTE} on the job.
 */
public record Approver(String id, List<String> groups, boolean hasPromotePermission) {
    public Approver {
        groups = List.copyOf(groups);
    }
}
