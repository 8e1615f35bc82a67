package io.jenkins.plugins.modeldeploy.jenkins.config;

import hudson.Extension;
import hudson.model.AbstractDescribableImpl;
import hudson.model.Descriptor;
import hudson.model.Item;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.AncestorInPath;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

/**
 * A container registry (and repository prefix) images are pushed to, with the ID of its credential: username with
 * password, or a secret-text token.
 */
public final class RegistryConfig extends AbstractDescribableImpl<RegistryConfig> {
    private final String url;
    private String credentialsId;
    private boolean insecure;

    /** @param url registry host, optional port and repository prefix, e.g. {@code registry.example.com/models} */
    @DataBoundConstructor
    public RegistryConfig(String url) {
        Validation.require(Validation.registry("url", url, true));
        this.url = url.trim();
    }

    public String getUrl() {
        return url;
    }

    public String getCredentialsId() {
        return credentialsId;
    }

    @DataBoundSetter
    public void setCredentialsId(String credentialsId) {
        Validation.require(Validation.credentialsId("credentialsId", credentialsId));
        this.credentialsId = Validation.blank(credentialsId) ? null : credentialsId.trim();
    }

    /** Plain HTTP and unverified TLS: only for a registry on a trusted network. */
    public boolean isInsecure() {
        return insecure;
    }

    @DataBoundSetter
    public void setInsecure(boolean insecure) {
        this.insecure = insecure;
    }

    /** True when {@code repository} lives in this registry (same host and port, under its path). */
    public boolean serves(String repository) {
        return repository.equals(url) || repository.startsWith(url.endsWith("/") ? url : url + "/");
    }

    @Extension
    @Symbol("modelDeployRegistry")
    public static final class DescriptorImpl extends Descriptor<RegistryConfig> {
        @Override
        public String getDisplayName() {
            return Messages.Config_registry_displayName();
        }

        public FormValidation doCheckUrl(@QueryParameter String value) {
            return Validation.form(Validation.registry("url", value, true));
        }

        public FormValidation doCheckCredentialsId(@QueryParameter String value) {
            return Validation.form(Validation.credentialsId("credentialsId", value));
        }

        /** Username-with-password or secret-text credentials every job can use; administrators only. */
        public ListBoxModel doFillCredentialsIdItems(@AncestorInPath Item item, @QueryParameter String credentialsId) {
            return CredentialsDropdowns.global(credentialsId, CredentialsDropdowns.Kind.REGISTRY);
        }
    }
}
