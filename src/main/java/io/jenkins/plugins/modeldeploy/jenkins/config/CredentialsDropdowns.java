package io.jenkins.plugins.modeldeploy.jenkins.config;

import com.cloudbees.plugins.credentials.CredentialsMatcher;
import com.cloudbees.plugins.credentials.CredentialsMatchers;
import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.common.StandardCredentials;
import com.cloudbees.plugins.credentials.common.StandardListBoxModel;
import com.cloudbees.plugins.credentials.common.StandardUsernamePasswordCredentials;
import hudson.model.Item;
import hudson.security.ACL;
import hudson.security.AccessControlled;
import hudson.util.ListBoxModel;
import java.util.List;
import jenkins.model.Jenkins;
import org.jenkinsci.plugins.plaincredentials.FileCredentials;
import org.jenkinsci.plugins.plaincredentials.StringCredentials;

/**
 * The credential drop-downs of every form ({@code doFill…CredentialsIdItems}): which credentials a field lists and
 * who may see the list. A user without the permission gets only the field's current value, so saving the form keeps
 * it and nothing else is revealed.
 *
 * <p>What is listed is what will resolve: credentials are looked up by {@code RunSecrets} through
 * {@code CredentialsProvider.findCredentialById(id, type, run)}, i.e. in the context of the build's job, as the job's
 * default authentication (normally SYSTEM). A job sees its folders' credentials and the GLOBAL-scope credentials of
 * Jenkins itself, never SYSTEM-scope ones ({@code SystemCredentialsProvider.getCredentialsInItem} filters them out).
 * So a step's field lists the credentials of its job, and a field of the global configuration (resolved by every job
 * that uses the cluster, registry or event bus) lists the GLOBAL-scope credentials of Jenkins, leaving SYSTEM-scope
 * ones out: choosing one would fail every build with "not found".
 */
public final class CredentialsDropdowns {
    /** What a field holds, as {@code RunSecrets} accepts it. */
    public enum Kind {
        /** A secret file (or secret text) with a kubeconfig. */
        KUBECONFIG,
        /** Username with password, or secret text (a token). */
        REGISTRY,
        /** Username with password (RabbitMQ). */
        USERNAME_PASSWORD;

        CredentialsMatcher matcher() {
            return switch (this) {
                case KUBECONFIG ->
                    CredentialsMatchers.anyOf(
                            CredentialsMatchers.instanceOf(FileCredentials.class),
                            CredentialsMatchers.instanceOf(StringCredentials.class));
                case REGISTRY ->
                    CredentialsMatchers.anyOf(
                            CredentialsMatchers.instanceOf(StandardUsernamePasswordCredentials.class),
                            CredentialsMatchers.instanceOf(StringCredentials.class));
                case USERNAME_PASSWORD -> CredentialsMatchers.instanceOf(StandardUsernamePasswordCredentials.class);
            };
        }
    }

    private CredentialsDropdowns() {}

    /** A field of the global configuration, shown to administrators: {@code Jenkins.get()} as the context. */
    public static ListBoxModel global(String current, Kind kind) {
        return global(Jenkins.get(), current, kind);
    }

    /**
     * A field of the global configuration. Only users with {@link Jenkins#ADMINISTER} on {@code jenkins} see the list
     * (the page itself needs it); it holds the GLOBAL-scope credentials of Jenkins of the right kind.
     */
    static ListBoxModel global(AccessControlled jenkins, String current, Kind kind) {
        StandardListBoxModel result = new StandardListBoxModel();
        if (!jenkins.hasPermission(Jenkins.ADMINISTER)) {
            return result.includeCurrentValue(blankToEmpty(current));
        }
        return result.includeEmptyValue()
                .includeMatchingAs(
                        ACL.SYSTEM2,
                        (Item) null,
                        StandardCredentials.class,
                        List.of(),
                        CredentialsMatchers.allOf(
                                kind.matcher(),
                                CredentialsMatchers.not(CredentialsMatchers.withScope(CredentialsScope.SYSTEM))))
                .includeCurrentValue(blankToEmpty(current));
    }

    /**
     * A field of a step (Snippet Generator) or of the freestyle build step: the credentials the job {@code item} can
     * use. Users who can neither read the job's configuration ({@link Item#EXTENDED_READ}) nor use its credentials
     * ({@link CredentialsProvider#USE_ITEM}) get the current value only. Without a job (the Pipeline Syntax page
     * outside any job) it is listed as for the global configuration, for administrators.
     */
    public static ListBoxModel item(Item item, String current, Kind kind) {
        if (item == null) {
            return global(current, kind);
        }
        StandardListBoxModel result = new StandardListBoxModel();
        if (!item.hasPermission(Item.EXTENDED_READ) && !item.hasPermission(CredentialsProvider.USE_ITEM)) {
            return result.includeCurrentValue(blankToEmpty(current));
        }
        return result.includeEmptyValue()
                .includeMatchingAs(ACL.SYSTEM2, item, StandardCredentials.class, List.of(), kind.matcher())
                .includeCurrentValue(blankToEmpty(current));
    }

    private static String blankToEmpty(String value) {
        return value == null ? "" : value.trim();
    }
}
