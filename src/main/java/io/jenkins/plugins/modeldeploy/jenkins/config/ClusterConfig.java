package io.jenkins.plugins.modeldeploy.jenkins.config;

import hudson.Extension;
import hudson.model.AbstractDescribableImpl;
import hudson.model.Descriptor;
import hudson.model.Item;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.kube.KubernetesSettings;
import java.util.Locale;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.AncestorInPath;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

/**
 * A Kubernetes cluster models are deployed to, by name. Holds the ID of a kubeconfig credential (a secret file),
 * never the kubeconfig itself; without one, and with {@code inCluster}, the service account of the pod the engine runs in (the
 * agent's; the controller's only for steps outside {@code node}) is used. Security switches, administrator-only: {@link
 * #setAllowExecCredentials} and {@link #setAllowedFolders}.
 */
public final class ClusterConfig extends AbstractDescribableImpl<ClusterConfig> {
    private final String name;
    private String kubeconfigCredentialsId;
    private boolean inCluster;
    private String namespace = "default";
    private String routeMode = KubernetesSettings.RouteMode.TRAEFIK.name();
    private String prometheusUrl;
    /** Extra PromQL label matchers of the A/B tests' queries, e.g. {@code cluster="prod"}; empty: none. */
    private String prometheusMatchers;

    private String host;
    private String gatewayUrl;
    /** Administrator's switch: kubeconfig users with {@code exec}/{@code auth-provider} commands may be used. */
    private boolean allowExecCredentials;
    /** Folder full names whose jobs may use this cluster, one per line; empty: every job. */
    private String allowedFolders;

    @DataBoundConstructor
    public ClusterConfig(String name) {
        Validation.require(Validation.dnsLabel("name", name, true));
        this.name = name;
    }

    public String getName() {
        return name;
    }

    public String getKubeconfigCredentialsId() {
        return kubeconfigCredentialsId;
    }

    @DataBoundSetter
    public void setKubeconfigCredentialsId(String kubeconfigCredentialsId) {
        Validation.require(Validation.credentialsId("kubeconfigCredentialsId", kubeconfigCredentialsId));
        this.kubeconfigCredentialsId =
                Validation.blank(kubeconfigCredentialsId) ? null : kubeconfigCredentialsId.trim();
    }

    public boolean isInCluster() {
        return inCluster;
    }

    @DataBoundSetter
    public void setInCluster(boolean inCluster) {
        this.inCluster = inCluster;
    }

    public boolean isAllowExecCredentials() {
        return allowExecCredentials;
    }

    @DataBoundSetter
    public void setAllowExecCredentials(boolean allowExecCredentials) {
        this.allowExecCredentials = allowExecCredentials;
    }

    public String getAllowedFolders() {
        return allowedFolders;
    }

    @DataBoundSetter
    public void setAllowedFolders(String allowedFolders) {
        this.allowedFolders = Validation.blank(allowedFolders) ? null : allowedFolders.trim();
    }

    /** The folders whose jobs may use this cluster (separated by new lines or commas); empty: every job. */
    public java.util.List<String> allowedFolderList() {
        if (Validation.blank(allowedFolders)) {
            return java.util.List.of();
        }
        return java.util.Arrays.stream(allowedFolders.split("[,\\n]"))
                .map(String::trim)
                .map(f -> f.replaceAll("^/+|/+$", ""))
                .filter(f -> !f.isEmpty())
                .toList();
    }

    /** Whether the job {@code jobFullName} (e.g. {@code team-a/deploy}) may use this cluster. */
    public boolean allows(String jobFullName) {
        java.util.List<String> folders = allowedFolderList();
        return folders.isEmpty()
                || jobFullName != null && folders.stream().anyMatch(f -> jobFullName.startsWith(f + "/"));
    }

    public String getNamespace() {
        return namespace;
    }

    @DataBoundSetter
    public void setNamespace(String namespace) {
        Validation.require(Validation.dnsLabel("namespace", namespace, false));
        this.namespace = Validation.blank(namespace) ? "default" : namespace.trim();
    }

    /** {@code TRAEFIK} (IngressRoute and weighted TraefikService: A/B splits) or {@code INGRESS} (paths only). */
    public String getRouteMode() {
        return routeMode;
    }

    @DataBoundSetter
    public void setRouteMode(String routeMode) {
        this.routeMode = parseRouteMode(routeMode).name();
    }

    public KubernetesSettings.RouteMode routeMode() {
        return KubernetesSettings.RouteMode.valueOf(routeMode);
    }

    public String getPrometheusUrl() {
        return prometheusUrl;
    }

    @DataBoundSetter
    public void setPrometheusUrl(String prometheusUrl) {
        Validation.require(Validation.httpUrl("prometheusUrl", prometheusUrl));
        this.prometheusUrl = Validation.blank(prometheusUrl) ? null : prometheusUrl.trim();
    }

    public String getPrometheusMatchers() {
        return prometheusMatchers;
    }

    @DataBoundSetter
    public void setPrometheusMatchers(String prometheusMatchers) {
        Validation.require(Validation.labelMatchers("prometheusMatchers", prometheusMatchers));
        this.prometheusMatchers = Validation.blank(prometheusMatchers) ? null : prometheusMatchers.trim();
    }

    public String getHost() {
        return host;
    }

    @DataBoundSetter
    public void setHost(String host) {
        this.host = Validation.blank(host) ? null : host.trim();
    }

    public String getGatewayUrl() {
        return gatewayUrl;
    }

    /**
     * Where the controller reaches Traefik's entry point, e.g. {@code https://models.example.com}: smoke tests and
     * synthetic A/B traffic go there when the controller runs outside the cluster. Empty: {@code http://<host>} when
     * a host is routed, else the in-cluster addresses.
     */
    @DataBoundSetter
    public void setGatewayUrl(String gatewayUrl) {
        Validation.require(Validation.httpUrl("gatewayUrl", gatewayUrl));
        this.gatewayUrl =
                Validation.blank(gatewayUrl) ? null : gatewayUrl.trim().replaceAll("/+$", "");
    }

    static KubernetesSettings.RouteMode parseRouteMode(String value) {
        if (Validation.blank(value)) {
            return KubernetesSettings.RouteMode.TRAEFIK;
        }
        try {
            return KubernetesSettings.RouteMode.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("routeMode: \"" + value + "\" must be TRAEFIK or INGRESS");
        }
    }

    @Extension
    @Symbol("modelDeployCluster")
    public static final class DescriptorImpl extends Descriptor<ClusterConfig> {
        @Override
        public String getDisplayName() {
            return Messages.Config_cluster_displayName();
        }

        public FormValidation doCheckName(@QueryParameter String value) {
            return Validation.form(Validation.dnsLabel("name", value, true));
        }

        public FormValidation doCheckNamespace(@QueryParameter String value) {
            return Validation.form(Validation.dnsLabel("namespace", value, false));
        }

        public FormValidation doCheckKubeconfigCredentialsId(@QueryParameter String value) {
            return Validation.form(Validation.credentialsId("kubeconfigCredentialsId", value));
        }

        /** Secret-file (or secret-text) credentials every job can use; administrators only. */
        public ListBoxModel doFillKubeconfigCredentialsIdItems(
                @AncestorInPath Item item, @QueryParameter String kubeconfigCredentialsId) {
            return CredentialsDropdowns.global(kubeconfigCredentialsId, CredentialsDropdowns.Kind.KUBECONFIG);
        }

        /** The route modes, the default first. */
        public ListBoxModel doFillRouteModeItems() {
            ListBoxModel items = new ListBoxModel();
            for (KubernetesSettings.RouteMode mode : KubernetesSettings.RouteMode.values()) {
                items.add(mode.name());
            }
            return items;
        }

        public FormValidation doCheckPrometheusUrl(@QueryParameter String value) {
            return Validation.form(Validation.httpUrl("prometheusUrl", value));
        }

        public FormValidation doCheckPrometheusMatchers(@QueryParameter String value) {
            return Validation.form(Validation.labelMatchers("prometheusMatchers", value));
        }

        public FormValidation doCheckGatewayUrl(@QueryParameter String value) {
            return Validation.form(Validation.httpUrl("gatewayUrl", value));
        }
    }
}
