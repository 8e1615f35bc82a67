package io.jenkins.plugins.modeldeploy.local;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** The bundled example models: where they are, and how to copy and train them without touching the originals. */
public final class ExampleModels {
    public static final String IRIS_PYTHON = "iris-python";
    public static final String MTCARS_R = "mtcars-r";
    private static final long TRAIN_TIMEOUT_SECONDS = 300;

    private ExampleModels() {}

    /**
     * The {@code examples} directory: {@code $MODEL_DEPLOY_HOME/examples} (set by {@code bin/model-deploy}), else
     * {@code ./examples}.
     */
    public static Path defaultRoot() {
        String home = System.getenv("MODEL_DEPLOY_HOME");
        return (home != null && !home.isBlank() ? Path.of(home) : Path.of(""))
                .resolve("examples")
                .toAbsolutePath();
    }

    /** Copies {@code root/name} into {@code workDir/name} (no trained artefacts, no caches) and returns the copy. */
    public static Path copy(Path root, String name, Path workDir) throws IOException {
        Path source = root.resolve(name);
        if (!Files.isRegularFile(source.resolve("model.yaml"))) {
            throw new IOException("example " + name + " not found: no " + source.resolve("model.yaml")
                    + " (run from the model-deploy checkout or set MODEL_DEPLOY_HOME)");
        }
        Path target = workDir.resolve(name);
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (String.valueOf(dir.getFileName()).equals("__pycache__")) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(target.resolve(source.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                String fileName = String.valueOf(file.getFileName());
                if (!fileName.equals("model.pkl") && !fileName.equals("model.rds")) {
                    Files.copy(
                            file,
                            target.resolve(source.relativize(file).toString()),
                            StandardCopyOption.REPLACE_EXISTING);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return target;
    }

    /** Runs the example's training script ({@code train.py} with {@code python}, or {@code train.R} with Rscript). */
    public static void train(Path exampleDir, Path python, Consumer<String> log) throws IOException {
        List<String> command;
        if (Files.isRegularFile(exampleDir.resolve("train.py"))) {
            command = List.of(python.toString(), "train.py");
        } else if (Files.isRegularFile(exampleDir.resolve("train.R"))) {
            command = List.of("Rscript", "train.R");
        } else {
            throw new IOException("no train.py or train.R in " + exampleDir);
        }
        Process process = new ProcessBuilder(command)
                .directory(exampleDir.toFile())
                .redirectErrorStream(true)
                .start();
        String output;
        try (var in = process.getInputStream()) {
            output = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        }
        try {
            if (!process.waitFor(TRAIN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(
                        "training " + exampleDir.getFileName() + " took longer than " + TRAIN_TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted while training " + exampleDir.getFileName(), e);
        }
        if (process.exitValue() != 0) {
            throw new IOException("training " + exampleDir.getFileName() + " failed (" + String.join(" ", command)
                    + " exit code " + process.exitValue() + "): " + output);
        }
        output.lines().forEach(log);
    }
}
