package io.jenkins.plugins.modeldeploy.jenkins.steps;

import hudson.Extension;
import hudson.model.Item;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.jenkins.config.CredentialsDropdowns;
import io.jenkins.plugins.modeldeploy.jenkins.config.Validation;
import io.jenkins.plugins.modeldeploy.jenkins.engine.ImageOptions;
import org.jenkinsci.Symbol;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.AncestorInPath;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

/**
 * {@code deployModel}: the whole path for the model in {@code modelDir} — build the image, roll it out, smoke-test
 * it, A/B-test it against production, wait for approval (when asked), promote or roll back. Returns a map with
 * {@code model}, {@code version}, {@code image}, {@code imageDigest}, {@code endpoint}, {@code smoke} (a map),
 * {@code verdict}, {@code verdictReasons}, {@code approvedBy} and {@code promotedVersion}.
 */
public final class DeployModelStep extends TargetStep {
    private final String modelDir;
    private String version;
    private String imageRepository;
    private String registryCredentialsId;
    private String baseImage;
    private boolean insecureRegistry;
    private String rolloutTimeout;
    private String keepPrevious;
    private SmokeOptions smoke;
    private AbTestOptions abTest;
    private ApprovalOptions approval;
    /** Null (a configuration saved before the option existed) means on, as for a new step. */
    private Boolean verify;

    @DataBoundConstructor
    public DeployModelStep(String modelDir) {
        Validation.require(Validation.relativePath("modelDir", modelDir));
        this.modelDir = modelDir;
    }

    public String getModelDir() {
        return modelDir;
    }

    public String getVersion() {
        return version;
    }

    /** The version; default: the build number. */
    @DataBoundSetter
    public void setVersion(String version) {
        Validation.require(Validation.dnsLabel("version", version, false));
        this.version = trim(version);
    }

    public String getImageRepository() {
        return imageRepository;
    }

    @DataBoundSetter
    public void setImageRepository(String imageRepository) {
        Validation.require(Validation.registry("imageRepository", imageRepository, false));
        this.imageRepository = trim(imageRepository);
    }

    public String getRegistryCredentialsId() {
        return registryCredentialsId;
    }

    @DataBoundSetter
    public void setRegistryCredentialsId(String registryCredentialsId) {
        Validation.require(Validation.credentialsId("registryCredentialsId", registryCredentialsId));
        this.registryCredentialsId = trim(registryCredentialsId);
    }

    public String getBaseImage() {
        return baseImage;
    }

    @DataBoundSetter
    public void setBaseImage(String baseImage) {
        this.baseImage = trim(baseImage);
    }

    public boolean isInsecureRegistry() {
        return insecureRegistry;
    }

    @DataBoundSetter
    public void setInsecureRegistry(boolean insecureRegistry) {
        this.insecureRegistry = insecureRegistry;
    }

    public String getRolloutTimeout() {
        return rolloutTimeout;
    }

    @DataBoundSetter
    public void setRolloutTimeout(String rolloutTimeout) {
        Validation.require(Validation.duration("rolloutTimeout", rolloutTimeout, false));
        this.rolloutTimeout = trim(rolloutTimeout);
    }

    public String getKeepPrevious() {
        return keepPrevious;
    }

    /** How long the version this one replaces in production keeps running for a rollback; default 1h, 0: none. */
    @DataBoundSetter
    public void setKeepPrevious(String keepPrevious) {
        Validation.require(Validation.durationOrZero("keepPrevious", keepPrevious));
        this.keepPrevious = trim(keepPrevious);
    }

    public SmokeOptions getSmoke() {
        return smoke;
    }

    @DataBoundSetter
    public void setSmoke(SmokeOptions smoke) {
        this.smoke = smoke;
    }

    public AbTestOptions getAbTest() {
        return abTest;
    }

    @DataBoundSetter
    public void setAbTest(AbTestOptions abTest) {
        this.abTest = abTest;
    }

    public ApprovalOptions getApproval() {
        return approval;
    }

    @DataBoundSetter
    public void setApproval(ApprovalOptions approval) {
        this.approval = approval;
    }

    /** Whether the built image is run and sent the model's samples before it is pushed; default true. */
    public boolean isVerify() {
        return verify == null || verify;
    }

    @DataBoundSetter
    public void setVerify(boolean verify) {
        this.verify = verify;
    }

    public DeployRequest request() {
        return new DeployRequest(
                modelDir,
                version,
                new ImageOptions(imageRepository, registryCredentialsId, baseImage, insecureRegistry),
                targetOptions(),
                smoke,
                abTest,
                approval,
                rolloutTimeout,
                keepPrevious,
                isVerify());
    }

    @Override
    public StepExecution start(StepContext context) {
        return new DeployModelExecution(context, request(), null);
    }

    @Extension
    @Symbol("deployModel")
    public static final class DescriptorImpl extends WorkspaceStepDescriptor {
        @Override
        public String getFunctionName() {
            return "deployModel";
        }

        @Override
        public String getDisplayName() {
            return Messages.Step_deployModel_displayName();
        }

        public FormValidation doCheckImageRepository(@QueryParameter String value) {
            return Validation.form(Validation.registry("imageRepository", value, false));
        }

        public FormValidation doCheckRegistryCredentialsId(@QueryParameter String value) {
            return Validation.form(Validation.credentialsId("registryCredentialsId", value));
        }

        /** Registry credentials the job can use; see {@link CredentialsDropdowns#item}. */
        public ListBoxModel doFillRegistryCredentialsIdItems(
                @AncestorInPath Item item, @QueryParameter String registryCredentialsId) {
            return CredentialsDropdowns.item(item, registryCredentialsId, CredentialsDropdowns.Kind.REGISTRY);
        }
    }
}
