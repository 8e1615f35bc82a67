package io.jenkins.plugins.modeldeploy.jenkins.freestyle;

import hudson.AbortException;
import hudson.EnvVars;
import hudson.Extension;
import hudson.FilePath;
import hudson.Launcher;
import hudson.model.AbstractProject;
import hudson.model.Item;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.tasks.BuildStepDescriptor;
import hudson.tasks.Builder;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.jenkins.config.CredentialsDropdowns;
import io.jenkins.plugins.modeldeploy.jenkins.config.Validation;
import io.jenkins.plugins.modeldeploy.jenkins.steps.AbTestOptions;
import io.jenkins.plugins.modeldeploy.jenkins.steps.ApprovalOptions;
import io.jenkins.plugins.modeldeploy.jenkins.steps.DeployModelStep;
import io.jenkins.plugins.modeldeploy.jenkins.steps.DeployRequest;
import io.jenkins.plugins.modeldeploy.jenkins.steps.FreestyleDeployment;
import io.jenkins.plugins.modeldeploy.jenkins.steps.JenkinsStepServices;
import io.jenkins.plugins.modeldeploy.jenkins.steps.SmokeOptions;
import io.jenkins.plugins.modeldeploy.jenkins.steps.StepServices;
import java.io.IOException;
import java.util.function.Supplier;
import jenkins.tasks.SimpleBuildStep;
import org.kohsuke.stapler.AncestorInPath;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

/**
 * The freestyle build step, with the options of {@code deployModel}. The build ends after the A/B verdict: with
 * approval required, the run's promotion page promotes or rejects later (see {@link FreestyleDeployment}); without,
 * a PROMOTE verdict promotes within the build.
 */
public final class ModelDeployBuilder extends Builder implements SimpleBuildStep {
    /** The options, bound and validated exactly as the Pipeline step binds them. */
    private final DeployModelStep options;

    @DataBoundConstructor
    public ModelDeployBuilder(String modelDir) {
        this.options = new DeployModelStep(modelDir);
    }

    public String getModelDir() {
        return options.getModelDir();
    }

    public String getVersion() {
        return options.getVersion();
    }

    @DataBoundSetter
    public void setVersion(String version) {
        options.setVersion(version);
    }

    public String getImageRepository() {
        return options.getImageRepository();
    }

    @DataBoundSetter
    public void setImageRepository(String imageRepository) {
        options.setImageRepository(imageRepository);
    }

    public String getRegistryCredentialsId() {
        return options.getRegistryCredentialsId();
    }

    @DataBoundSetter
    public void setRegistryCredentialsId(String registryCredentialsId) {
        options.setRegistryCredentialsId(registryCredentialsId);
    }

    public String getBaseImage() {
        return options.getBaseImage();
    }

    @DataBoundSetter
    public void setBaseImage(String baseImage) {
        options.setBaseImage(baseImage);
    }

    public boolean isInsecureRegistry() {
        return options.isInsecureRegistry();
    }

    @DataBoundSetter
    public void setInsecureRegistry(boolean insecureRegistry) {
        options.setInsecureRegistry(insecureRegistry);
    }

    public String getRolloutTimeout() {
        return options.getRolloutTimeout();
    }

    @DataBoundSetter
    public void setRolloutTimeout(String rolloutTimeout) {
        options.setRolloutTimeout(rolloutTimeout);
    }

    public String getKeepPrevious() {
        return options.getKeepPrevious();
    }

    @DataBoundSetter
    public void setKeepPrevious(String keepPrevious) {
        options.setKeepPrevious(keepPrevious);
    }

    public String getCluster() {
        return options.getCluster();
    }

    @DataBoundSetter
    public void setCluster(String cluster) {
        options.setCluster(cluster);
    }

    public String getKubeconfigCredentialsId() {
        return options.getKubeconfigCredentialsId();
    }

    @DataBoundSetter
    public void setKubeconfigCredentialsId(String kubeconfigCredentialsId) {
        options.setKubeconfigCredentialsId(kubeconfigCredentialsId);
    }

    public String getNamespace() {
        return options.getNamespace();
    }

    @DataBoundSetter
    public void setNamespace(String namespace) {
        options.setNamespace(namespace);
    }

    public String getHost() {
        return options.getHost();
    }

    @DataBoundSetter
    public void setHost(String host) {
        options.setHost(host);
    }

    public String getEventsUri() {
        return options.getEventsUri();
    }

    @DataBoundSetter
    public void setEventsUri(String eventsUri) {
        options.setEventsUri(eventsUri);
    }

    public SmokeOptions getSmoke() {
        return options.getSmoke();
    }

    @DataBoundSetter
    public void setSmoke(SmokeOptions smoke) {
        options.setSmoke(smoke);
    }

    public AbTestOptions getAbTest() {
        return options.getAbTest();
    }

    @DataBoundSetter
    public void setAbTest(AbTestOptions abTest) {
        options.setAbTest(abTest);
    }

    public ApprovalOptions getApproval() {
        return options.getApproval();
    }

    @DataBoundSetter
    public void setApproval(ApprovalOptions approval) {
        options.setApproval(approval);
    }

    public boolean isVerify() {
        return options.isVerify();
    }

    @DataBoundSetter
    public void setVerify(boolean verify) {
        options.setVerify(verify);
    }

    /** What the build step was asked to do, as {@code deployModel} would be. */
    public DeployRequest request() {
        return options.request();
    }

    @Override
    public void perform(Run<?, ?> run, FilePath workspace, EnvVars env, Launcher launcher, TaskListener listener)
            throws InterruptedException, IOException {
        deploy(() -> new JenkinsStepServices(run, workspace, listener), request());
    }

    /**
     * Runs the deployment. A problem with what the job or the global configuration asked for (an
     * {@link IllegalArgumentException} from resolving the cluster, registry or credentials, or from an option) ends
     * the build with its message as an {@link AbortException} — one line in the log, no stack trace, as Jenkins shows
     * a user's mistake.
     */
    public static void deploy(Supplier<StepServices> services, DeployRequest request)
            throws InterruptedException, IOException {
        try {
            FreestyleDeployment.run(services.get(), request);
        } catch (IllegalArgumentException e) {
            throw new AbortException(e.getMessage());
        } catch (IOException | InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /**
     * No {@code @Symbol}: the builder is for freestyle jobs only (its "build ends, promotion decided later on the
     * page" semantics would be confusing next to {@code deployModel} if Pipeline could call it through {@code step}).
     */
    @Extension
    public static final class DescriptorImpl extends BuildStepDescriptor<Builder> {
        @Override
        @SuppressWarnings("rawtypes")
        public boolean isApplicable(Class<? extends AbstractProject> jobType) {
            return true;
        }

        @Override
        public String getDisplayName() {
            return Messages.Builder_displayName();
        }

        public FormValidation doCheckModelDir(@QueryParameter String value) {
            return Validation.form(Validation.relativePath("modelDir", value));
        }

        public FormValidation doCheckVersion(@QueryParameter String value) {
            return Validation.form(Validation.dnsLabel("version", value, false));
        }

        public FormValidation doCheckImageRepository(@QueryParameter String value) {
            return Validation.form(Validation.registry("imageRepository", value, false));
        }

        public FormValidation doCheckRegistryCredentialsId(@QueryParameter String value) {
            return Validation.form(Validation.credentialsId("registryCredentialsId", value));
        }

        public FormValidation doCheckCluster(@QueryParameter String value) {
            return Validation.form(Validation.dnsLabel("cluster", value, false));
        }

        public FormValidation doCheckKubeconfigCredentialsId(@QueryParameter String value) {
            return Validation.form(Validation.credentialsId("kubeconfigCredentialsId", value));
        }

        /** Kubeconfig credentials the job can use; see {@link CredentialsDropdowns#item}. */
        public ListBoxModel doFillKubeconfigCredentialsIdItems(
                @AncestorInPath Item item, @QueryParameter String kubeconfigCredentialsId) {
            return CredentialsDropdowns.item(item, kubeconfigCredentialsId, CredentialsDropdowns.Kind.KUBECONFIG);
        }

        /** Registry credentials the job can use; see {@link CredentialsDropdowns#item}. */
        public ListBoxModel doFillRegistryCredentialsIdItems(
                @AncestorInPath Item item, @QueryParameter String registryCredentialsId) {
            return CredentialsDropdowns.item(item, registryCredentialsId, CredentialsDropdowns.Kind.REGISTRY);
        }

        public FormValidation doCheckNamespace(@QueryParameter String value) {
            return Validation.form(Validation.dnsLabel("namespace", value, false));
        }

        public FormValidation doCheckRolloutTimeout(@QueryParameter String value) {
            return Validation.form(Validation.duration("rolloutTimeout", value, false));
        }

        public FormValidation doCheckKeepPrevious(@QueryParameter String value) {
            return Validation.form(Validation.durationOrZero("keepPrevious", value));
        }

        public FormValidation doCheckEventsUri(@QueryParameter String value) {
            return Validation.form(Validation.amqpUri("eventsUri", value));
        }
    }
}
