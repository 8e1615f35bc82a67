package io.jenkins.plugins.modeldeploy.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code environment:} section of {@code model.yaml}: what the model needs beyond the runtime's base, declared
 * once and resolved by {@code environment.EnvironmentResolver} for images and local processes alike. Paths are
 * relative to the model directory and were checked by the loader to stay inside it.
 *
 * @param debian       Debian packages added to the runtime's base packages (an mmdebstrap base cached by the set)
 * @param requirements a pip requirements file (python only)
 * @param wheelhouse   a directory of wheels/sdists for {@code pip --find-links} (python only)
 * @param indexUrls    package indexes: the first is {@code --index-url}, the rest {@code --extra-index-url}; empty
 *                     means offline ({@code --no-index}, the wheelhouse only)
 * @param r            R packages to install (r only)
 * @param snapshot     a snapshot.debian.org timestamp ({@code 20261101T000000Z}) the base's packages come from
 */
public record EnvironmentSpec(
        List<String> debian,
        Optional<Path> requirements,
        Optional<Path> wheelhouse,
        List<String> indexUrls,
        Optional<RPackages> r,
        Optional<String> snapshot) {

    /** No {@code environment:} section: the runtime's base as it is. */
    public static final EnvironmentSpec NONE = new EnvironmentSpec(
            List.of(), Optional.empty(), Optional.empty(), List.of(), Optional.empty(), Optional.empty());

    public EnvironmentSpec {
        debian = List.copyOf(debian);
        indexUrls = List.copyOf(indexUrls);
    }

    /**
     * R packages: either {@code packages} (names, newest version the repository has) or an renv {@code lock} (names
     * and versions, the versions checked after installing).
     *
     * @param repository a CRAN-like repository: an http(s) URL, or a directory inside the model directory
     */
    public record RPackages(List<String> packages, Optional<Path> lock, String repository) {
        public static final String DEFAULT_REPOSITORY = "https://cloud.r-project.org";

        public RPackages {
            packages = List.copyOf(packages);
        }

        /** The repository as a directory of the model, when it is not a URL. */
        public Optional<Path> localRepository() {
            return repository.contains("://") ? Optional.empty() : Optional.of(Path.of(repository));
        }
    }

    public boolean isEmpty() {
        return equals(NONE);
    }

    /**
     * Files and directories of the model directory that describe the environment rather than belong to the model:
     * never part of the code or data layers, so changing the requirements re-pushes only the dependency layer.
     */
    public List<Path> inputs() {
        List<Path> inputs = new ArrayList<>();
        requirements.ifPresent(inputs::add);
        wheelhouse.ifPresent(inputs::add);
        r.ifPresent(rp -> {
            rp.lock().ifPresent(inputs::add);
            rp.localRepository().ifPresent(inputs::add);
        });
        return inputs;
    }
}
