package jenkins.model;

import hudson.security.Permission;
import hudson.security.SecurityRealm;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * A Jenkins for offline tests of the adapters (on the signature-only API): a security realm with the given ID
 * strategies, whether the CURRENT authentication administers Jenkins, and the root URL. {@link #signIn} sets the
 * authentication of this thread as Jenkins' security filter does for a request (Spring's SecurityContextHolder).
 */
public final class OfflineJenkins extends Jenkins {
    private final SecurityRealm realm;
    private final String rootUrl;
    private final List<String> administrators;

    private OfflineJenkins(IdStrategy users, IdStrategy groups, String rootUrl, List<String> administrators) {
        this.realm = new SecurityRealm() {
            @Override
            public IdStrategy getUserIdStrategy() {
                return users;
            }

            @Override
            public IdStrategy getGroupIdStrategy() {
                return groups;
            }
        };
        this.rootUrl = rootUrl;
        this.administrators = administrators;
    }

    /** Installs an instance: realm comparing with {@code users}/{@code groups}; {@code administrators} by name. */
    public static OfflineJenkins install(
            IdStrategy users, IdStrategy groups, String rootUrl, String... administrators) {
        return new OfflineJenkins(users, groups, rootUrl, Arrays.asList(administrators));
    }

    /** Removes the instance and this thread's authentication. */
    public static void uninstall() {
        theInstance = null;
        SecurityContextHolder.clearContext();
    }

    /** Makes {@code user}, member of {@code groups}, the authentication of this thread (as a request's would be). */
    public static void signIn(String user, String... groups) {
        Authentication a = new Authentication() {
            private static final long serialVersionUID = 1L;

            @Override
            public String getName() {
                return user;
            }

            @Override
            public Collection<? extends GrantedAuthority> getAuthorities() {
                List<GrantedAuthority> all = new java.util.ArrayList<>();
                all.add(SecurityRealm.AUTHENTICATED_AUTHORITY2);
                for (String g : groups) {
                    all.add(() -> g);
                }
                return all;
            }
        };
        SecurityContextHolder.getContext().setAuthentication(a);
    }

    @Override
    public boolean hasPermission(Permission permission) {
        if (permission == ADMINISTER) {
            return administrators.contains(getAuthentication2().getName());
        }
        throw new UnsupportedOperationException("offline Jenkins checks only Administer itself");
    }

    @Override
    public SecurityRealm getSecurityRealm() {
        return realm;
    }

    @Override
    public String getRootUrl() {
        return rootUrl;
    }

    @Override
    public boolean isUseSecurity() {
        return true;
    }
}
