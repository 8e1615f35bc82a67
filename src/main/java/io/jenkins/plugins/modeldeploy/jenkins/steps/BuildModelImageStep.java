package io.jenkins.plugins.modeldeploy.jenkins.steps;

import hudson.Extension;
import hudson.FilePath;
import hudson.model.Item;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.jenkins.plugins.modeldeploy.image.BuiltImage;
import io.jenkins.plugins.modeldeploy.jenkins.Messages;
import io.jenkins.plugins.modeldeploy.jenkins.config.CredentialsDropdowns;
import io.jenkins.plugins.modeldeploy.jenkins.config.Validation;
import io.jenkins.plugins.modeldeploy.jenkins.engine.ImageOptions;
import io.jenkins.plugins.modeldeploy.jenkins.engine.TargetOptions;
import io.jenkins.plugins.modeldeploy.model.ModelSpec;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Set;
import org.jenkinsci.Symbol;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.AncestorInPath;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

/**
 * {@code buildModelImage}: builds and pushes the model's image (Jib, no Docker daemon). Returns {@code model},
 * {@code version}, {@code image} (pinned by digest, what {@code rolloutModel} takes), {@code imageDigest},
 * {@code layersPushed} and {@code bytesPushed}.
 */
public final class BuildModelImageStep extends Step {
    private final String modelDir;
    private String version;
    private String imageRepository;
    private String registryCredentialsId;
    private String baseImage;
    private boolean insecureRegistry;
    private String eventsUri;
    /** Null (a step saved before the option existed) means on, as for a new step. */
    private Boolean verify;

    @DataBoundConstructor
    public BuildModelImageStep(String modelDir) {
        Validation.require(Validation.relativePath("modelDir", modelDir));
        this.modelDir = modelDir;
    }

    public String getModelDir() {
        return modelDir;
    }

    public String getVersion() {
        return version;
    }

    @DataBoundSetter
    public void setVersion(String version) {
        Validation.require(Validation.dnsLabel("version", version, false));
        this.version = TargetStep.trim(version);
    }

    public String getImageRepository() {
        return imageRepository;
    }

    @DataBoundSetter
    public void setImageRepository(String imageRepository) {
        Validation.require(Validation.registry("imageRepository", imageRepository, false));
        this.imageRepository = TargetStep.trim(imageRepository);
    }

    public String getRegistryCredentialsId() {
        return registryCredentialsId;
    }

    @DataBoundSetter
    public void setRegistryCredentialsId(String registryCredentialsId) {
        Validation.require(Validation.credentialsId("registryCredentialsId", registryCredentialsId));
        this.registryCredentialsId = TargetStep.trim(registryCredentialsId);
    }

    public String getBaseImage() {
        return baseImage;
    }

    @DataBoundSetter
    public void setBaseImage(String baseImage) {
        this.baseImage = TargetStep.trim(baseImage);
    }

    public boolean isInsecureRegistry() {
        return insecureRegistry;
    }

    @DataBoundSetter
    public void setInsecureRegistry(boolean insecureRegistry) {
        this.insecureRegistry = insecureRegistry;
    }

    public String getEventsUri() {
        return eventsUri;
    }

    @DataBoundSetter
    public void setEventsUri(String eventsUri) {
        Validation.require(Validation.amqpUri("eventsUri", eventsUri));
        this.eventsUri = TargetStep.trim(eventsUri);
    }

    /** Whether the built image is run and sent the model's samples before it is pushed; default true. */
    public boolean isVerify() {
        return verify == null || verify;
    }

    @DataBoundSetter
    public void setVerify(boolean verify) {
        this.verify = verify;
    }

    @Override
    public StepExecution start(StepContext context) {
        return new Execution(
                context,
                modelDir,
                version,
                new ImageOptions(imageRepository, registryCredentialsId, baseImage, insecureRegistry),
                new TargetOptions(null, null, null, null, eventsUri),
                isVerify(),
                null);
    }

    /** Builds on a worker thread. */
    public static final class Execution extends BackgroundExecution {
        private static final long serialVersionUID = 1L;
        private final String modelDir;
        private final String version;
        private final ImageOptions image;
        private final TargetOptions events;
        private final boolean verify;

        Execution(
                StepContext context,
                String modelDir,
                String version,
                ImageOptions image,
                TargetOptions events,
                boolean verify,
                StepServices services) {
            super(context, "buildModelImage", services);
            this.modelDir = modelDir;
            this.version = version;
            this.image = image;
            this.events = events;
            this.verify = verify;
        }

        @Override
        protected Object run(StepServices services) throws Exception {
            try (Session s = Session.open(services, events)) {
                status("building the image of " + modelDir);
                String modelDir = this.modelDir; // the work below travels to the agent: it captures no execution
                String version = this.version;
                boolean verify = this.verify;
                return s.build(image, a -> {
                    Path dir = a.modelDirectory(modelDir);
                    ModelSpec spec = new ModelSpecLoader().load(dir, a.sloDefaults(dir));
                    ModelVersion v =
                            ModelVersion.of(spec, Validation.blank(version) ? a.buildNumber() : version, "version");
                    BuiltImage built = a.engine().buildImage(a.image(v), verify);
                    LinkedHashMap<String, Object> result = new LinkedHashMap<>();
                    result.put("model", spec.name());
                    result.put("version", v.version());
                    result.put("image", built.pinned());
                    result.put("imageDigest", built.digest());
                    result.put("layersPushed", built.layersPushed());
                    result.put("bytesPushed", built.bytesPushed());
                    return result;
                });
            }
        }
    }

    @Extension
    @Symbol("buildModelImage")
    public static final class DescriptorImpl extends StepDescriptor {
        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(Run.class, TaskListener.class, FilePath.class);
        }

        @Override
        public String getFunctionName() {
            return "buildModelImage";
        }

        @Override
        public String getDisplayName() {
            return Messages.Step_buildModelImage_displayName();
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

        /** Registry credentials the job can use; see {@link CredentialsDropdowns#item}. */
        public ListBoxModel doFillRegistryCredentialsIdItems(
                @AncestorInPath Item item, @QueryParameter String registryCredentialsId) {
            return CredentialsDropdowns.item(item, registryCredentialsId, CredentialsDropdowns.Kind.REGISTRY);
        }

        public FormValidation doCheckEventsUri(@QueryParameter String value) {
            return Validation.form(Validation.amqpUri("eventsUri", value));
        }
    }
}
