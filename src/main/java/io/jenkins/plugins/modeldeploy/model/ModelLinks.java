package io.jenkins.plugins.modeldeploy.model;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Symbolic links in a model directory. A model directory comes from whoever wrote the repository (a job author in
 * Jenkins): a link that leaves it ({@code model.pkl -> /var/jenkins_home/secrets/master.key}) would put a file of the
 * machine that builds into a pushed image, or send it as a smoke-test sample. Such links are refused, never
 * followed; {@code model.yaml} itself must not be a link at all. Links that stay inside the directory are allowed
 * (they read a file of the model). Used by the spec loader and the image's layer plan, so the CLI and Jenkins share it.
 */
public final class ModelLinks {
    private ModelLinks() {}

    /**
     * Describes each link under {@code dir} that leaves it (or dangles), relative to {@code dir}, and {@code
     * model.yaml} when it is a link; empty when there is none. Walks without following links.
     */
    public static List<String> problems(Path dir) throws IOException {
        Path root = dir.toRealPath();
        List<String> problems = new ArrayList<>();
        if (Files.isSymbolicLink(dir.resolve(ModelSpecLoader.FILE_NAME))) {
            problems.add(ModelSpecLoader.FILE_NAME + " is a symbolic link (to "
                    + Files.readSymbolicLink(dir.resolve(ModelSpecLoader.FILE_NAME))
                    + "); it must be a file of the model directory");
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path name = file.getFileName();
                if (attrs.isSymbolicLink() && (name == null || !name.toString().equals(ModelSpecLoader.FILE_NAME))) {
                    Path real;
                    try {
                        real = file.toRealPath();
                    } catch (IOException dangling) {
                        problems.add(dir.relativize(file) + " is a symbolic link to " + Files.readSymbolicLink(file)
                                + ", which does not exist");
                        return FileVisitResult.CONTINUE;
                    }
                    if (!real.startsWith(root)) {
                        problems.add(dir.relativize(file) + " is a symbolic link to " + Files.readSymbolicLink(file)
                                + ", outside the model directory");
                    }
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return problems;
    }

    /** Throws naming every link that leaves {@code dir} (see {@link #problems}). */
    public static void refuseLeaving(Path dir) throws IOException {
        List<String> problems = problems(dir);
        if (!problems.isEmpty()) {
            throw new IOException("model directory " + dir + ": " + String.join("; ", problems)
                    + " (links that leave the model directory are refused, never followed)");
        }
    }
}
