package io.jenkins.plugins.modeldeploy.jenkins.promotion;

import hudson.security.AccessControlled;
import hudson.security.SecurityRealm;
import java.util.ArrayList;
import java.util.List;
import jenkins.model.IdStrategy;
import jenkins.model.Jenkins;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;

/**
 * The person answering, as far as a decision needs: the user ID and the groups of their own authentication, whether
 * they hold {@link PromotionPermissions#PROMOTE} on the job, whether they administer Jenkins, and how the security
 * realm compares user IDs and group names.
 *
 * <p>Taken from {@link Jenkins#getAuthentication2()} — the authentication of the request being served — as
 * pipeline-input-step does, never from {@code User.getAuthorities()}, which is empty unless the caller is an
 * administrator (core {@code User.java}).
 */
public record Approver(
        String id,
        List<String> groups,
        boolean hasPromotePermission,
        boolean administrator,
        IdStrategy userIds,
        IdStrategy groupIds) {
    public Approver {
        groups = List.copyOf(groups);
    }

    /** Not an administrator; the realm's default, case-insensitive comparison. */
    public Approver(String id, List<String> groups, boolean hasPromotePermission) {
        this(id, groups, hasPromotePermission, false, IdStrategy.CASE_INSENSITIVE, IdStrategy.CASE_INSENSITIVE);
    }

    /** Whoever sends the current request, with their permission on {@code job}. */
    public static Approver current(AccessControlled job) {
        Authentication a = Jenkins.getAuthentication2();
        List<String> groups = new ArrayList<>();
        for (GrantedAuthority authority : a.getAuthorities()) {
            String name = authority.getAuthority();
            if (name != null && !name.equals(SecurityRealm.AUTHENTICATED_AUTHORITY2.getAuthority())) {
                groups.add(name);
            }
        }
        Jenkins jenkins = Jenkins.get();
        SecurityRealm realm = jenkins.getSecurityRealm();
        return new Approver(
                a.getName(),
                groups,
                job != null && job.hasPermission(PromotionPermissions.PROMOTE),
                jenkins.hasPermission(Jenkins.ADMINISTER),
                realm.getUserIdStrategy(),
                realm.getGroupIdStrategy());
    }

    /**
     * True when {@code approvers} is empty, names this user (by the realm's user ID strategy) or one of their groups
     * (by its group strategy), or when this is an administrator: as in pipeline-input-step, an administrator may
     * always settle (they could grant themselves the group anyway).
     */
    public boolean isListedIn(List<String> approvers) {
        if (approvers.isEmpty() || administrator) {
            return true;
        }
        for (String approver : approvers) {
            if (userIds.equals(id, approver)) {
                return true;
            }
            for (String group : groups) {
                if (groupIds.equals(group, approver)) {
                    return true;
                }
            }
        }
        return false;
    }
}
