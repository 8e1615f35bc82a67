package io.jenkins.plugins.modeldeploy.environment;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A model's environment, resolved: what goes into the image's dependency layer and onto a local process's
 * {@code PYTHONPATH} / {@code R_LIBS}.
 *
 * @param key            SHA-256 (hex) of every input: the cache directory's name; equal keys mean equal contents
 * @param pythonPackages pip packages installed for the base's Python ({@code pip --target}), if any were declared
 * @param rLibrary       an R library of the declared R packages, if any
 * @param debianPackages the Debian packages the base must carry beyond the runtime's own, sorted, without duplicates
 */
public record ResolvedEnvironment(
        String key, Optional<Path> pythonPackages, Optional<Path> rLibrary, List<String> debianPackages) {
    public ResolvedEnvironment {
        debianPackages = List.copyOf(debianPackages);
    }

    /** Nothing declared: no dependency directories and the runtime's base as it is. */
    public static ResolvedEnvironment none() {
        return new ResolvedEnvironment("", Optional.empty(), Optional.empty(), List.of());
    }
}
