package io.jenkins.plugins.modeldeploy.image;

import io.jenkins.plugins.modeldeploy.model.EnvironmentSpec;
import io.jenkins.plugins.modeldeploy.model.ModelRuntime;
import io.jenkins.plugins.modeldeploy.model.ModelSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Default base images per runtime, overridable with {@code MODEL_DEPLOY_BASE_PYTHON} / {@code MODEL_DEPLOY_BASE_R}.
 * Python models run on Debian's python3 from the official slim image (vendor extra packages with
 * {@code dependencies}, or build a base with {@code model-deploy base-image}); R models need R, jsonlite and rpy2
 * together, which no public image offers, so they need a base built with {@code model-deploy base-image --runtime r}.
 * A model declaring {@code environment.debian} (or a {@code snapshot}) gets the cached mmdebstrap base of its runtime
 * with those packages ({@link BaseImageCache}); {@link #forSpec} is the one place every caller asks.
 */
public final class BaseImages {
    public static final String PYTHON_DEFAULT = "docker.io/library/python:3.11-slim-bookworm";

    private BaseImages() {}

    public static Optional<String> defaultFor(ModelRuntime runtime) {
        String override =
                System.getenv(runtime == ModelRuntime.PYTHON ? "MODEL_DEPLOY_BASE_PYTHON" : "MODEL_DEPLOY_BASE_R");
        if (override != null && !override.isBlank()) {
            return Optional.of(override);
        }
        return runtime == ModelRuntime.PYTHON ? Optional.of(PYTHON_DEFAULT) : Optional.empty();
    }

    /**
     * The base of {@code spec}'s image: {@code chosen} (the base the user named, e.g. {@code --base-image}), else the
     * cached mmdebstrap base with the model's {@code environment.debian} when it declares any, else the runtime's
     * default; empty when there is none (the r runtime without a configured base), for the caller to say how to get
     * one. A chosen base together with {@code environment.debian} packages beyond the runtime's own set (or a
     * {@code snapshot}) is refused: the packages could not be added to it.
     *
     * @param chosenBy how the user named {@code chosen}, for the error ({@code --base-image}, {@code baseImage})
     * @param log      receives the base build's stages (a cold build takes minutes)
     */
    public static Optional<BaseImage> forSpec(
            ModelSpec spec, Optional<String> chosen, String chosenBy, Consumer<String> log)
            throws ImageBuildException, InterruptedException {
        EnvironmentSpec env = spec.environment();
        boolean ownBase = !env.debian().isEmpty() || env.snapshot().isPresent();
        if (chosen.isPresent()) {
            checkChosen(spec, chosen.get(), chosenBy);
            return Optional.of(BaseImage.parse(chosen.get()));
        }
        if (ownBase) {
            return Optional.of(new BaseImage.Tar(cachedFor(spec, log)));
        }
        return defaultFor(spec.runtime()).map(BaseImage::parse);
    }

    /**
     * Throws when a base the user chose ({@code chosen}, named by {@code chosenBy}) cannot carry {@code spec}'s
     * environment: Debian packages beyond the runtime's own set, or a snapshot, go into a base built for them.
     */
    public static void checkChosen(ModelSpec spec, String chosen, String chosenBy) throws ImageBuildException {
        EnvironmentSpec env = spec.environment();
        // Packages the runtime's base already has (iris lists python3-sklearn) add nothing a chosen base must lack:
        // such a base is taken as given, and --verify shows whether the model imports what it needs from it.
        List<String> extras = BaseImageBuilder.extrasBeyond(spec.runtime(), env.debian());
        if (!extras.isEmpty() || env.snapshot().isPresent()) {
            throw new ImageBuildException(chosenBy + " " + chosen + " and environment."
                    + (extras.isEmpty() ? "snapshot" : "debian (" + String.join(", ", extras) + ")")
                    + " of " + spec.name() + " exclude each other: the Debian packages go into a base built for"
                    + " them; drop " + chosenBy + ", or install the packages in your base and drop"
                    + " environment.debian");
        }
    }

    /** The cached mmdebstrap base of {@code spec}'s runtime with its {@code environment.debian}, built when missing. */
    public static Path cachedFor(ModelSpec spec, Consumer<String> log)
            throws ImageBuildException, InterruptedException {
        return BaseImageCache.tar(
                spec.runtime(), spec.environment().debian(), spec.environment().snapshot(), log);
    }

    /** {@code base} as the user would write it ({@code --base-image}): a reference, {@code tar:PATH} or scratch. */
    public static String describe(BaseImage base) {
        if (base instanceof BaseImage.Registry registry) {
            return registry.reference();
        }
        if (base instanceof BaseImage.Tar tar) {
            return "tar:" + tar.path();
        }
        return "scratch";
    }
}
