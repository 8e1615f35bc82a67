package io.jenkins.plugins.modeldeploy.jenkins.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.cloudbees.plugins.credentials.CredentialsProvider;
import hudson.model.Item;
import hudson.security.AccessControlled;
import hudson.security.Permission;
import hudson.util.ListBoxModel;
import io.jenkins.plugins.modeldeploy.jenkins.freestyle.ModelDeployBuilder;
import io.jenkins.plugins.modeldeploy.jenkins.steps.BuildModelImageStep;
import io.jenkins.plugins.modeldeploy.jenkins.steps.DeployModelStep;
import java.util.List;
import java.util.Set;
import jenkins.model.Jenkins;
import org.junit.jupiter.api.Test;

/**
 * Who sees which credential list. Someone without the permission gets the field's current value only (so saving the
 * form keeps it, and no other credential ID is revealed); someone with it gets the list, which starts with the empty
 * choice. (Offline there are no credentials stores, so the list itself is empty: the JenkinsRule test lists them.)
 */
class CredentialsDropdownsTest {
    /** A job, or Jenkins, on which the user viewing the form holds exactly {@code granted}. */
    private record Granted(Set<Permission> granted) implements Item {
        @Override
        public boolean hasPermission(Permission permission) {
            return granted.contains(permission);
        }
    }

    private static Granted granting(Permission... permissions) {
        return new Granted(Set.of(permissions));
    }

    private static List<String> values(ListBoxModel model) {
        return model.stream().map(o -> o.value).toList();
    }

    @Test
    void globalFieldsListOnlyForAdministrators() {
        AccessControlled reader = granting(Item.EXTENDED_READ, CredentialsProvider.USE_ITEM);
        assertThat(values(CredentialsDropdowns.global(reader, "kubeconfig-prod", CredentialsDropdowns.Kind.KUBECONFIG)))
                .containsExactly("kubeconfig-prod");
        AccessControlled admin = granting(Jenkins.ADMINISTER);
        assertThat(values(CredentialsDropdowns.global(admin, "kubeconfig-prod", CredentialsDropdowns.Kind.KUBECONFIG)))
                .containsExactly("", "kubeconfig-prod");
        assertThat(values(CredentialsDropdowns.global(admin, null, CredentialsDropdowns.Kind.REGISTRY)))
                .containsExactly("");
    }

    @Test
    void stepFieldsListForUsersWhoCanReadTheJobOrUseItsCredentials() {
        DeployModelStep.DescriptorImpl deploy = new DeployModelStep.DescriptorImpl();
        Granted nobody = granting(Item.BUILD);
        assertThat(values(deploy.doFillRegistryCredentialsIdItems(nobody, "registry-push")))
                .containsExactly("registry-push");
        assertThat(values(deploy.doFillKubeconfigCredentialsIdItems(nobody, "kubeconfig")))
                .containsExactly("kubeconfig");
        assertThat(values(deploy.doFillRegistryCredentialsIdItems(granting(Item.EXTENDED_READ), "registry-push")))
                .containsExactly("", "registry-push");
        assertThat(values(deploy.doFillKubeconfigCredentialsIdItems(granting(CredentialsProvider.USE_ITEM), "")))
                .containsExactly("");
        assertThat(values(new BuildModelImageStep.DescriptorImpl()
                        .doFillRegistryCredentialsIdItems(nobody, "registry-push")))
                .containsExactly("registry-push");
    }

    @Test
    void freestyleFieldsCheckTheJobToo() {
        ModelDeployBuilder.DescriptorImpl builder = new ModelDeployBuilder.DescriptorImpl();
        assertThat(values(builder.doFillKubeconfigCredentialsIdItems(granting(Item.BUILD), "kubeconfig")))
                .containsExactly("kubeconfig");
        assertThat(values(builder.doFillRegistryCredentialsIdItems(granting(Item.BUILD), "registry-push")))
                .containsExactly("registry-push");
        assertThat(values(builder.doFillKubeconfigCredentialsIdItems(granting(Item.EXTENDED_READ), "kubeconfig")))
                .containsExactly("", "kubeconfig");
    }
}
