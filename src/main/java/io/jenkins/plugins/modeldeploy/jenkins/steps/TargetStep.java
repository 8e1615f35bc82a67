package io.jenkins.plugins.modeldeploy.jenkins.steps;

import hudson.FilePath;
import hudson.model.Item;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.jenkins.plugins.modeldeploy.jenkins.config.CredentialsDropdowns;
import io.jenkins.plugins.modeldeploy.jenkins.config.Validation;
import io.jenkins.plugins.modeldeploy.jenkins.engine.TargetOptions;
import java.util.HashSet;
import java.util.Set;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.kohsuke.stapler.AncestorInPath;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

/**
 * The options every step that talks to a cluster shares: which cluster (a name from the global configuration, or a
 * kubeconfig credential), the namespace and host, and where events go. All optional: the first configured cluster,
 * its namespace and the global event bus are the defaults.
 */
public abstract class TargetStep extends Step {
    private String cluster;
    private String kubeconfigCredentialsId;
    private String namespace;
    private String host;
    private String eventsUri;

    public String getCluster() {
        return cluster;
    }

    @DataBoundSetter
    public void setCluster(String cluster) {
        Validation.require(Validation.dnsLabel("cluster", cluster, false));
        this.cluster = trim(cluster);
    }

    public String getKubeconfigCredentialsId() {
        return kubeconfigCredentialsId;
    }

    @DataBoundSetter
    public void setKubeconfigCredentialsId(String kubeconfigCredentialsId) {
        Validation.require(Validation.credentialsId("kubeconfigCredentialsId", kubeconfigCredentialsId));
        this.kubeconfigCredentialsId = trim(kubeconfigCredentialsId);
    }

    public String getNamespace() {
        return namespace;
    }

    @DataBoundSetter
    public void setNamespace(String namespace) {
        Validation.require(Validation.dnsLabel("namespace", namespace, false));
        this.namespace = trim(namespace);
    }

    public String getHost() {
        return host;
    }

    @DataBoundSetter
    public void setHost(String host) {
        this.host = trim(host);
    }

    public String getEventsUri() {
        return eventsUri;
    }

    @DataBoundSetter
    public void setEventsUri(String eventsUri) {
        Validation.require(Validation.amqpUri("eventsUri", eventsUri));
        this.eventsUri = trim(eventsUri);
    }

    public TargetOptions targetOptions() {
        return new TargetOptions(cluster, kubeconfigCredentialsId, namespace, host, eventsUri);
    }

    static String trim(String value) {
        return Validation.blank(value) ? null : value.trim();
    }

    /** Descriptor of the model steps: run and log required; form validation of the shared fields. */
    public abstract static class TargetStepDescriptor extends StepDescriptor {
        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            Set<Class<?>> context = new HashSet<>();
            context.add(Run.class);
            context.add(TaskListener.class);
            return context;
        }

        public FormValidation doCheckCluster(@QueryParameter String value) {
            return Validation.form(Validation.dnsLabel("cluster", value, false));
        }

        public FormValidation doCheckKubeconfigCredentialsId(@QueryParameter String value) {
            return Validation.form(Validation.credentialsId("kubeconfigCredentialsId", value));
        }

        /** Kubeconfig credentials (secret file or text) the job can use; see {@link CredentialsDropdowns#item}. */
        public ListBoxModel doFillKubeconfigCredentialsIdItems(
                @AncestorInPath Item item, @QueryParameter String kubeconfigCredentialsId) {
            return CredentialsDropdowns.item(item, kubeconfigCredentialsId, CredentialsDropdowns.Kind.KUBECONFIG);
        }

        public FormValidation doCheckNamespace(@QueryParameter String value) {
            return Validation.form(Validation.dnsLabel("namespace", value, false));
        }

        public FormValidation doCheckEventsUri(@QueryParameter String value) {
            return Validation.form(Validation.amqpUri("eventsUri", value));
        }
    }

    /** Descriptor of the steps that read a model directory from the workspace ({@code deployModel}, rollout). */
    public abstract static class WorkspaceStepDescriptor extends TargetStepDescriptor {
        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            Set<Class<?>> context = new HashSet<>(super.getRequiredContext());
            context.add(FilePath.class);
            return context;
        }

        public FormValidation doCheckModelDir(@QueryParameter String value) {
            return Validation.form(Validation.relativePath("modelDir", value));
        }

        public FormValidation doCheckVersion(@QueryParameter String value) {
            return Validation.form(Validation.dnsLabel("version", value, false));
        }

        public FormValidation doCheckRolloutTimeout(@QueryParameter String value) {
            return Validation.form(Validation.duration("rolloutTimeout", value, false));
        }

        public FormValidation doCheckKeepPrevious(@QueryParameter String value) {
            return Validation.form(Validation.durationOrZero("keepPrevious", value));
        }
    }
}
