package io.jenkins.plugins.modeldeploy.testing;

import io.jenkins.plugins.modeldeploy.harness.HarnessOptions;
import io.jenkins.plugins.modeldeploy.local.ExampleModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/** Model directories for tests: the project's examples (trained in a scratch copy) and the test models. */
public final class TestModels {
    private TestModels() {}

    /** The repository's {@code examples/} directory (tests run with the project root as working directory). */
    public static Path examplesRoot() {
        return Path.of("examples").toAbsolutePath();
    }

    /** A trained copy of an example under {@code workDir}. */
    public static Path trainedExample(String name, Path workDir) throws IOException {
        Path copy = ExampleModels.copy(examplesRoot(), name, workDir);
        ExampleModels.train(copy, HarnessOptions.defaultPython(), line -> {});
        return copy;
    }

    /** A copy of {@code src/test/resources/models/<name>} under {@code workDir}. */
    public static Path testModel(String name, Path workDir) throws IOException {
        Path source;
        try {
            source = Path.of(TestModels.class
                            .getResource("/models/" + name + "/model.yaml")
                            .toURI())
                    .getParent();
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalArgumentException("no test model " + name, e);
        }
        Path target = workDir.resolve(name);
        try (Stream<Path> files = Files.walk(source)) {
            files.forEach(file -> {
                try {
                    Path destination = target.resolve(source.relativize(file).toString());
                    if (Files.isDirectory(file)) {
                        Files.createDirectories(destination);
                    } else {
                        Files.copy(file, destination, StandardCopyOption.REPLACE_EXISTING);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return target;
    }
}
