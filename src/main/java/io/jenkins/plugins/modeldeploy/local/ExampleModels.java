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
        train(exampleDir, python, List.of(), log);
    }

    /**
     * Runs the example's training script with {@code args} (e.g. iris's {@code --partial}: the demo's less accurate
     * v1) and returns its output lines, which also go to {@code log}.
     */
    public static List<String> train(Path exampleDir, Path python, List<String> args, Consumer<String> log)
            throws IOException {
        List<String> command = new java.util.ArrayList<>();
        if (Files.isRegularFile(exampleDir.resolve("train.py"))) {
            command.addAll(List.of(python.toString(), "train.py"));
        } else if (Files.isRegularFile(exampleDir.resolve("train.R"))) {
            command.addAll(List.of("Rscript", "train.R"));
        } else {
            throw new IOException("no train.py or train.R in " + exampleDir);
        }
        command.addAll(args);
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
        List<String> lines = output.lines().toList();
        lines.forEach(log);
        return lines;
    }

    /**
     * The held-out accuracy iris's {@code train.py} prints ("held-out accuracy 0.733 (45 rows)"), empty when the
     * output has none.
     */
    public static java.util.OptionalDouble heldOutAccuracy(List<String> trainingOutput) {
        java.util.regex.Pattern pattern = java.util.regex.Pattern.compile("held-out accuracy ([0-9.]+)");
        for (String line : trainingOutput) {
            java.util.regex.Matcher matcher = pattern.matcher(line);
            if (matcher.find()) {
                return java.util.OptionalDouble.of(Double.parseDouble(matcher.group(1)));
            }
        }
        return java.util.OptionalDouble.empty();
    }
}
