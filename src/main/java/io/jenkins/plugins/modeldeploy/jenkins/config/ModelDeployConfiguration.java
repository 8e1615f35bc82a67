package io.jenkins.plugins.modeldeploy.jenkins.config;

import hudson.Extension;
import hudson.ExtensionList;
import hudson.model.Item;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.model.Slo;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import jenkins.model.GlobalConfiguration;
import net.sf.json.JSONObject;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.AncestorInPath;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.StaplerRequest2;

/**
 * Manage Jenkins › System › Model deploy. Plain getters and {@code @DataBoundSetter}s, so Configuration as Code can
 * read and write it ({@code unclassified: modelDeploy: clusters: …}). Only credential IDs are stored, never secrets.
 */
@Extension
@Symbol("modelDeploy")
public class ModelDeployConfiguration extends GlobalConfiguration {
    private List<ClusterConfig> clusters = new ArrayList<>();
    private List<RegistryConfig> registries = new ArrayList<>();
    private String eventsUri;
    private String eventsCredentialsId;
    private String basePythonImage;
    private String baseRImage;
    private double defaultP99Ms = Slo.DEFAULT.p99Ms();
    private double defaultMaxErrorRate = Slo.DEFAULT.maxErrorRate();
    private String approvalTimeout = "24h";
    /** While {@link #configure} binds the form: the setters' {@code save()} waits for the whole form. */
    private transient boolean binding;

    public ModelDeployConfiguration() {
        load();
    }

    /**
     * Binds the Manage Jenkins › System form. Stapler's {@code bindJSON} calls the setter of each key the form sent
     * (RequestImpl.bindJSON loops over the JSON's keys), and a repeatable list whose last entry was deleted sends no
     * key at all: so the lists start empty, and deleting the last cluster or registry empties the list. A value a
     * setter refuses (they throw {@link IllegalArgumentException} naming the field) becomes a
     * {@link FormException} naming that field, and the configuration is left as it was, in memory and on disk.
     */
    @Override
    public boolean configure(StaplerRequest2 req, JSONObject json) throws FormException {
        synchronized (this) {
            Values before = new Values(this);
            binding = true;
            try {
                clusters = new ArrayList<>();
                registries = new ArrayList<>();
                req.bindJSON(this, json);
            } catch (RuntimeException e) { // a setter's IllegalArgumentException, or a value Stapler cannot convert
                before.restore(this);
                throw new FormException(e.getMessage(), e, field(e.getMessage(), json));
            } finally {
                binding = false;
            }
        }
        save();
        return true;
    }

    @Override
    public synchronized void save() {
        if (!binding) {
            super.save();
        }
    }

    /** The form field a setter's message names ({@code "namespace: …"} → {@code namespace}), else the first key. */
    static String field(String message, JSONObject json) {
        if (message != null) {
            int colon = message.indexOf(':');
            if (colon > 0 && message.substring(0, colon).matches("[A-Za-z][A-Za-z0-9.]*")) {
                return message.substring(0, colon);
            }
        }
        return json.keySet().stream().findFirst().orElse(null);
    }

    /** The stored values, kept while a form is bound so that a refused form changes nothing. */
    private record Values(
            List<ClusterConfig> clusters,
            List<RegistryConfig> registries,
            String eventsUri,
            String eventsCredentialsId,
            String basePythonImage,
            String baseRImage,
            double defaultP99Ms,
            double defaultMaxErrorRate,
            String approvalTimeout) {
        Values(ModelDeployConfiguration c) {
            this(
                    List.copyOf(c.clusters),
                    List.copyOf(c.registries),
                    c.eventsUri,
                    c.eventsCredentialsId,
                    c.basePythonImage,
                    c.baseRImage,
                    c.defaultP99Ms,
                    c.defaultMaxErrorRate,
                    c.approvalTimeout);
        }

        void restore(ModelDeployConfiguration c) {
            c.clusters = new ArrayList<>(clusters);
            c.registries = new ArrayList<>(registries);
            c.eventsUri = eventsUri;
            c.eventsCredentialsId = eventsCredentialsId;
            c.basePythonImage = basePythonImage;
            c.baseRImage = baseRImage;
            c.defaultP99Ms = defaultP99Ms;
            c.defaultMaxErrorRate = defaultMaxErrorRate;
            c.approvalTimeout = approvalTimeout;
        }
    }

    /** The configuration Jenkins holds. */
    public static ModelDeployConfiguration get() {
        return ExtensionList.lookupSingleton(ModelDeployConfiguration.class);
    }

    @Override
    public String getDisplayName() {
        return Messages.Config_displayName();
    }

    public List<ClusterConfig> getClusters() {
        return List.copyOf(clusters);
    }

    @DataBoundSetter
    public void setClusters(List<ClusterConfig> clusters) {
        List<String> seen = new ArrayList<>();
        for (ClusterConfig cluster : clusters == null ? List.<ClusterConfig>of() : clusters) {
            if (seen.contains(cluster.getName())) {
                throw new IllegalArgumentException("clusters: the name \"" + cluster.getName() + "\" is used twice");
            }
            seen.add(cluster.getName());
        }
        this.clusters = clusters == null ? new ArrayList<>() : new ArrayList<>(clusters);
        save();
    }

    public List<RegistryConfig> getRegistries() {
        return List.copyOf(registries);
    }

    @DataBoundSetter
    public void setRegistries(List<RegistryConfig> registries) {
        this.registries = registries == null ? new ArrayList<>() : new ArrayList<>(registries);
        save();
    }

    public String getEventsUri() {
        return eventsUri;
    }

    @DataBoundSetter
    public void setEventsUri(String eventsUri) {
        Validation.require(Validation.amqpUri("eventsUri", eventsUri));
        this.eventsUri = Validation.blank(eventsUri) ? null : eventsUri.trim();
        save();
    }

    public String getEventsCredentialsId() {
        return eventsCredentialsId;
    }

    @DataBoundSetter
    public void setEventsCredentialsId(String eventsCredentialsId) {
        Validation.require(Validation.credentialsId("eventsCredentialsId", eventsCredentialsId));
        this.eventsCredentialsId = Validation.blank(eventsCredentialsId) ? null : eventsCredentialsId.trim();
        save();
    }

    public String getBasePythonImage() {
        return basePythonImage;
    }

    @DataBoundSetter
    public void setBasePythonImage(String basePythonImage) {
        this.basePythonImage = Validation.blank(basePythonImage) ? null : basePythonImage.trim();
        save();
    }

    public String getBaseRImage() {
        return baseRImage;
    }

    @DataBoundSetter
    public void setBaseRImage(String baseRImage) {
        this.baseRImage = Validation.blank(baseRImage) ? null : baseRImage.trim();
        save();
    }

    /** The p99 latency limit (ms) of smoke tests when neither the step nor model.yaml gives one. */
    public double getDefaultP99Ms() {
        return defaultP99Ms;
    }

    @DataBoundSetter
    public void setDefaultP99Ms(double defaultP99Ms) {
        Validation.require(Validation.range("defaultP99Ms", defaultP99Ms, 0.001, 600_000));
        this.defaultP99Ms = defaultP99Ms;
        save();
    }

    public double getDefaultMaxErrorRate() {
        return defaultMaxErrorRate;
    }

    @DataBoundSetter
    public void setDefaultMaxErrorRate(double defaultMaxErrorRate) {
        Validation.require(Validation.range("defaultMaxErrorRate", defaultMaxErrorRate, 0, 1));
        this.defaultMaxErrorRate = defaultMaxErrorRate;
        save();
    }

    /** How long a promotion waits for a person before it is rolled back, when the step does not say. */
    public String getApprovalTimeout() {
        return approvalTimeout;
    }

    @DataBoundSetter
    public void setApprovalTimeout(String approvalTimeout) {
        Validation.require(Validation.duration("approvalTimeout", approvalTimeout, true));
        this.approvalTimeout = approvalTimeout.trim();
        save();
    }

    /** The cluster named {@code name}, or the first one when {@code name} is empty. */
    public Optional<ClusterConfig> cluster(String name) {
        if (Validation.blank(name)) {
            return clusters.stream().findFirst();
        }
        Optional<ClusterConfig> found =
                clusters.stream().filter(c -> c.getName().equals(name)).findFirst();
        if (found.isEmpty()) {
            throw new IllegalArgumentException(Messages.Config_unknownCluster(
                    name,
                    clusters.isEmpty()
                            ? "none"
                            : clusters.stream().map(ClusterConfig::getName).collect(Collectors.joining(", "))));
        }
        return found;
    }

    /** The registry an image repository belongs to, if it is configured. */
    public Optional<RegistryConfig> registryFor(String repository) {
        return registries.stream().filter(r -> r.serves(repository)).findFirst();
    }

    public FormValidation doCheckEventsUri(@QueryParameter String value) {
        return Validation.form(Validation.amqpUri("eventsUri", value));
    }

    public FormValidation doCheckEventsCredentialsId(@QueryParameter String value) {
        return Validation.form(Validation.credentialsId("eventsCredentialsId", value));
    }

    /** Username-with-password credentials every job can use (RabbitMQ); administrators only. */
    public ListBoxModel doFillEventsCredentialsIdItems(
            @AncestorInPath Item item, @QueryParameter String eventsCredentialsId) {
        return CredentialsDropdowns.global(eventsCredentialsId, CredentialsDropdowns.Kind.USERNAME_PASSWORD);
    }

    public FormValidation doCheckApprovalTimeout(@QueryParameter String value) {
        return Validation.form(Validation.duration("approvalTimeout", value, true));
    }

    public FormValidation doCheckDefaultP99Ms(@QueryParameter String value) {
        return Validation.form(Validation.number("defaultP99Ms", value, 0.001, 600_000));
    }

    public FormValidation doCheckDefaultMaxErrorRate(@QueryParameter String value) {
        return Validation.form(Validation.number("defaultMaxErrorRate", value, 0, 1));
    }
}
