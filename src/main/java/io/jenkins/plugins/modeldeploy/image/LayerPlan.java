package io.jenkins.plugins.modeldeploy.image;

import io.jenkins.plugins.modeldeploy.model.ModelLinks;
import io.jenkins.plugins.modeldeploy.model.ModelSpec;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Which model files go into which image layer, ordered from least to most often changed so that a code change
 * re-pushes only the last layer: dependencies (vendored packages), data (files matching {@code data}), code (the
 * rest that {@code include}/{@code exclude} select). The harness layer comes first and is the same for every model.
 */
public record LayerPlan(List<Path> dependencies, List<Path> data, List<Path> code) {
    public LayerPlan {
        dependencies = List.copyOf(dependencies);
        data = List.copyOf(data);
        code = List.copyOf(code);
    }

    /**
     * Every regular file of the model directory, classified; paths relative to the directory, sorted. A symbolic link
     * that leaves the directory is refused (an {@link IOException} naming it), never followed.
     */
    public static LayerPlan of(ModelSpec spec) throws IOException {
        Path dir = spec.directory();
        ModelLinks.refuseLeaving(dir); // a link leaving the directory would put a file of this machine in the image
        FileSystem fs = dir.getFileSystem();
        List<PathMatcher> include = matchers(fs, spec.include());
        List<PathMatcher> exclude = matchers(fs, spec.exclude());
        exclude.addAll(matchers(fs, ModelSpecLoader.ALWAYS_EXCLUDED));
        List<PathMatcher> data = matchers(fs, spec.data());
        Path dependencyDir = spec.dependencies().orElse(null);
        // the environment's inputs reach the image resolved, in the dependency layer: never as code or data
        List<Path> environmentInputs = spec.environment().inputs();
        List<Path> dependencies = new ArrayList<>();
        List<Path> dataFiles = new ArrayList<>();
        List<Path> code = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile)
                    .map(dir::relativize)
                    .sorted()
                    .toList()) {
                if (dependencyDir != null && file.startsWith(dependencyDir)) {
                    if (exclude.stream().noneMatch(m -> m.matches(file))) {
                        dependencies.add(file);
                    }
                    continue;
                }
                if (environmentInputs.stream().anyMatch(file::startsWith)) {
                    continue;
                }
                if (include.stream().noneMatch(m -> m.matches(file))
                        || exclude.stream().anyMatch(m -> m.matches(file))) {
                    continue;
                }
                (data.stream().anyMatch(m -> m.matches(file)) ? dataFiles : code).add(file);
            }
        }
        Path root = dir.toRealPath();
        for (List<Path> layer : List.of(dependencies, dataFiles, code)) {
            for (Path file : layer) {
                source(root, file);
            }
        }
        return new LayerPlan(dependencies, dataFiles, code);
    }

    /**
     * Where the image reads {@code file} (relative to the model directory) from: its real path, checked to be inside
     * the directory's real path {@code root}. The layer is built from this path, so the image builder never reads
     * through a link, and a link swapped for one leaving the directory after {@link #of} is refused, naming it.
     */
    public static Path source(Path root, Path file) throws IOException {
        Path real = root.resolve(file).toRealPath();
        if (!real.startsWith(root)) {
            throw new IOException("model directory " + root + ": " + file + " resolves to " + real
                    + ", outside the model directory (links that leave it are refused, never followed)");
        }
        return real;
    }

    private static List<PathMatcher> matchers(FileSystem fs, List<String> globs) {
        List<PathMatcher> matchers = new ArrayList<>();
        for (String glob : globs) {
            matchers.add(fs.getPathMatcher("glob:" + glob));
        }
        return matchers;
    }
}
