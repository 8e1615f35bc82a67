package io.jenkins.plugins.modeldeploy.jenkins.config;

import hudson.Extension;
import hudson.model.AbstractDescribableImpl;
import hudson.model.Descriptor;
import hudson.model.Item;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.kube.KubernetesSettings;
import io.jenkins.plugins.modeldeploy.route.ObjectApplier;
import io.jenkins.plugins.modeldeploy.route.RouteOptions;
import java.util.Locale;
import java.util.Optional;
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
    /** Traefik route options of the cluster (docs/traefik.md); a model's route: section overrides them. */
    private String entryPoints;

    private String tlsSecretName;
    private String tlsCertResolver;
    private String middlewares;
    private String applyMode = ObjectApplier.Mode.OWNED_FIELDS.name();
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

    public String getEntryPoints() {
        return entryPoints;
    }

    /** Traefik entry points, separated by commas or new lines; empty: websecure with TLS, else web. */
    @DataBoundSetter
    public void setEntryPoints(String entryPoints) {
        routeOptions(entryPoints, null, null, null); // each field alone: Stapler binds them one by one
        this.entryPoints = Validation.blank(entryPoints) ? null : entryPoints.trim();
    }

    public String getTlsSecretName() {
        return tlsSecretName;
    }

    @DataBoundSetter
    public void setTlsSecretName(String tlsSecretName) {
        routeOptions(null, tlsSecretName, null, null);
        this.tlsSecretName = Validation.blank(tlsSecretName) ? null : tlsSecretName.trim();
    }

    public String getTlsCertResolver() {
        return tlsCertResolver;
    }

    @DataBoundSetter
    public void setTlsCertResolver(String tlsCertResolver) {
        routeOptions(null, null, tlsCertResolver, null);
        this.tlsCertResolver = Validation.blank(tlsCertResolver) ? null : tlsCertResolver.trim();
    }

    public String getMiddlewares() {
        return middlewares;
    }

    /** Operator-provided Middlewares, {@code [namespace/]name}, separated by commas or new lines, in order. */
    @DataBoundSetter
    public void setMiddlewares(String middlewares) {
        routeOptions(null, null, null, middlewares);
        this.middlewares = Validation.blank(middlewares) ? null : middlewares.trim();
    }

    public String getApplyMode() {
        return applyMode;
    }

    /** {@code OWNED_FIELDS} (GET and PUT of our fields, the default) or {@code SERVER_SIDE_APPLY}. */
    @DataBoundSetter
    public void setApplyMode(String applyMode) {
        this.applyMode = parseApplyMode(applyMode).name();
    }

    static ObjectApplier.Mode parseApplyMode(String value) {
        if (Validation.blank(value)) {
            return ObjectApplier.Mode.OWNED_FIELDS;
        }
        try {
            return ObjectApplier.Mode.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "applyMode: \"" + value + "\" must be OWNED_FIELDS or SERVER_SIDE_APPLY");
        }
    }

    /** The route options these fields give (null or blank: unset); throws naming the field. */
    public static RouteOptions routeOptions(
            String entryPoints, String tlsSecretName, String tlsCertResolver, String middlewares) {
        boolean secret = !Validation.blank(tlsSecretName);
        boolean resolver = !Validation.blank(tlsCertResolver);
        if (secret && resolver) {
            throw new IllegalArgumentException("tlsSecretName, tlsCertResolver: give one of them, not both");
        }
        RouteOptions options = new RouteOptions(
                list(entryPoints),
                secret
                        ? Optional.of(RouteOptions.Tls.secret(tlsSecretName.trim()))
                        : resolver ? Optional.of(RouteOptions.Tls.resolver(tlsCertResolver.trim())) : Optional.empty(),
                list(middlewares).stream()
                        .map(RouteOptions.MiddlewareRef::parse)
                        .toList());
        try {
            return options.validated("route");
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            String field = message.startsWith("route.entryPoints")
                    ? "entryPoints"
                    : message.startsWith("route.tls.secretName")
                            ? "tlsSecretName"
                            : message.startsWith("route.tls") ? "tlsCertResolver" : "middlewares";
            throw new IllegalArgumentException(field + ": " + message, e);
        }
    }

    private static java.util.List<String> list(String value) {
        if (Validation.blank(value)) {
            return java.util.List.of();
        }
        return java.util.Arrays.stream(value.split("[,\\n]"))
                .map(String::trim)
                .filter(v -> !v.isEmpty())
                .toList();
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

        /** The apply modes, the default first. */
        public ListBoxModel doFillApplyModeItems() {
            ListBoxModel items = new ListBoxModel();
            for (ObjectApplier.Mode mode : ObjectApplier.Mode.values()) {
                items.add(mode.name());
            }
            return items;
        }

        public FormValidation doCheckMiddlewares(@QueryParameter String value) {
            try {
                routeOptions(null, null, null, value);
                return FormValidation.ok();
            } catch (IllegalArgumentException e) {
                return FormValidation.error(e.getMessage());
            }
        }

        public FormValidation doCheckEntryPoints(@QueryParameter String value) {
            try {
                routeOptions(value, null, null, null);
                return FormValidation.ok();
            } catch (IllegalArgumentException e) {
                return FormValidation.error(e.getMessage());
            }
        }

        public FormValidation doCheckGatewayUrl(@QueryParameter String value) {
            return Validation.form(Validation.httpUrl("gatewayUrl", value));
        }
    }
}
