package io.jenkins.plugins.modeldeploy.jenkins.config;

import hudson.Extension;
import hudson.ExtensionList;
import hudson.util.FormValidation;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.model.Slo;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import jenkins.model.GlobalConfiguration;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

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

    public ModelDeployConfiguration() {
        load();
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
        Optional<ClusterConfig> found = clusters.stream().filter(c -> c.getName().equals(name)).findFirst();
        if (found.isEmpty()) {
            throw new IllegalArgumentException(Messages.Config_unknownCluster(name,
                    clusters.isEmpty() ? "none" : clusters.stream().map(ClusterConfig::getName)
                            .collect(Collectors.joining(", "))));
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
