package io.jenkins.plugins.modeldeploy.jenkins.engine;

import io.jenkins.plugins.modeldeploy.image.BaseImage;
import io.jenkins.plugins.modeldeploy.image.BaseImages;
import io.jenkins.plugins.modeldeploy.image.ImageBuildException;
import io.jenkins.plugins.modeldeploy.image.ImagePlan;
import io.jenkins.plugins.modeldeploy.image.ImageTarget;
import io.jenkins.plugins.modeldeploy.image.RegistryCredentials;
import io.jenkins.plugins.modeldeploy.jenkins.config.Validation;
import io.jenkins.plugins.modeldeploy.model.ModelRuntime;
import io.jenkins.plugins.modeldeploy.model.ModelSpec;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where a step's image goes, as the controller resolved it from the step and the global configuration (repository
 * or registry prefix, the registry's credential, base images), in a form that travels to the agent, where the model
 * version (read from the workspace) completes it into an {@link ImagePlan}.
 */
public final class ResolvedImage implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String failure;
    /** The repository the step named, or the registry prefix the model name is appended to. */
    private final String repository;

    private final boolean appendModelName;
    private final String username;
    private final String password;
    private final boolean insecure;
    private final String baseImage;
    private final String basePython;
    private final String baseR;

    ResolvedImage(
            String repository,
            boolean appendModelName,
            RegistryCredentials credentials,
            boolean insecure,
            String baseImage,
            String basePython,
            String baseR) {
        this.failure = null;
        this.repository = repository;
        this.appendModelName = appendModelName;
        this.username = credentials == null ? null : credentials.username();
        this.password = credentials == null ? null : credentials.password();
        this.insecure = insecure;
        this.baseImage = baseImage;
        this.basePython = basePython;
        this.baseR = baseR;
    }

    private ResolvedImage(String failure) {
        this.failure = failure;
        this.repository = null;
        this.appendModelName = false;
        this.username = null;
        this.password = null;
        this.insecure = false;
        this.baseImage = null;
        this.basePython = null;
        this.baseR = null;
    }

    public static ResolvedImage failed(String reason) {
        return new ResolvedImage(reason);
    }

    /**
     * The image plan of {@code version}; a {@code tar:} base image is read from {@code workspace} only (see {@link
     * BaseImage#inWorkspace}); null workspace: the step has none, so a {@code tar:} base is refused.
     */
    public ImagePlan plan(ModelVersion version, Path workspace) {
        return plan(version, workspace, line -> {});
    }

    /** The same, writing a base image build's stages (a cold one takes minutes) to {@code log}, the build log. */
    public ImagePlan plan(ModelVersion version, Path workspace, Consumer<String> log) {
        if (failure != null) {
            throw new IllegalArgumentException(failure);
        }
        String repo = appendModelName ? repository.replaceAll("/+$", "") + "/" + version.name() : repository;
        Optional<RegistryCredentials> credentials =
                username == null ? Optional.empty() : Optional.of(new RegistryCredentials(username, password));
        return new ImagePlan(
                version, base(version, workspace, log), repo, new ImageTarget.Registry(credentials, insecure));
    }

    /**
     * The step's baseImage (a {@code tar:} one from the workspace only; refused by {@link BaseImages#checkChosen} as
     * the CLI's {@code --base-image} is, when the model's Debian packages go beyond the runtime's base), else the
     * cached mmdebstrap base when the model declares environment.debian (which replaces a configured default: that
     * base cannot take the packages), else the configured or built-in default.
     */
    private BaseImage base(ModelVersion version, Path workspace, Consumer<String> log) {
        ModelSpec spec = version.spec();
        boolean ownBase = !spec.environment().debian().isEmpty()
                || spec.environment().snapshot().isPresent();
        try {
            if (!Validation.blank(baseImage)) {
                BaseImages.checkChosen(spec, baseImage, "baseImage");
                return BaseImage.inWorkspace(baseImage, workspace);
            }
            if (!ownBase) {
                return BaseImage.inWorkspace(base(spec.runtime()), workspace);
            }
            return BaseImages.forSpec(spec, Optional.empty(), "baseImage", log).orElseThrow();
        } catch (ImageBuildException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalArgumentException("environment.debian: interrupted while building the base", e);
        }
    }

    private String base(ModelRuntime runtime) {
        if (!Validation.blank(baseImage)) {
            return baseImage;
        }
        String configured = runtime == ModelRuntime.PYTHON ? basePython : baseR;
        if (!Validation.blank(configured)) {
            return configured;
        }
        return BaseImages.defaultFor(runtime)
                .orElseThrow(() -> new IllegalArgumentException("baseImage: the "
                        + runtime.id()
                        + " runtime needs a base image with R, jsonlite and rpy2; give baseImage or configure"
                        + " one in Manage Jenkins > System > Model deploy"));
    }
}
