package io.jenkins.plugins.modeldeploy.cli;

import io.jenkins.plugins.modeldeploy.cleanup.Scratch;
import io.jenkins.plugins.modeldeploy.image.BaseImageBuilder;
import io.jenkins.plugins.modeldeploy.image.ImageTarget;
import io.jenkins.plugins.modeldeploy.model.ModelRuntime;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "base-image",
        mixinStandardHelpOptions = true,
        description = "Build a base image for a runtime from Debian packages with mmdebstrap (no Docker): python3 with"
                + " numpy and scikit-learn, or R with jsonlite and rpy2.")
final class BaseImageCommand implements Callable<Integer> {
    @Option(names = "--runtime", required = true, paramLabel = "python|r", description = "The runtime.")
    String runtime;

    @Option(
            names = "--to",
            required = true,
            paramLabel = "REF|tar:PATH",
            description =
                    "A registry reference to push to, or tar:PATH for a docker-save tar (usable as tar:PATH base).")
    String to;

    @Option(names = "--insecure-registry", description = "Allow plain HTTP and unverified TLS for the registry.")
    boolean insecure;

    @Option(
            names = "--mirror",
            paramLabel = "\"deb URL SUITE COMPONENT\"",
            description = "Debian sources (repeatable). Default: deb.debian.org bookworm, -updates and -security.")
    List<String> mirrors = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = commandSpec.commandLine().getOut();
        PrintWriter err = commandSpec.commandLine().getErr();
        ModelRuntime modelRuntime = ModelRuntime.fromId(runtime)
                .orElseThrow(() -> new CheckedUsageError(
                        commandSpec.commandLine(), "--runtime must be python or r, was " + runtime));
        BaseImageBuilder builder = new BaseImageBuilder(OutputOption.lines(err));
        List<String> sources = mirrors.isEmpty() ? BaseImageBuilder.DEFAULT_MIRRORS : mirrors;
        if (to.startsWith("tar:")) {
            Path tar = Path.of(to.substring(4)).toAbsolutePath();
            String id =
                    builder.buildTar(modelRuntime, tar, "model-deploy/base-" + modelRuntime.id() + ":latest", sources);
            out.printf("wrote %s (image id %s, %d MB)%n", tar, id, Files.size(tar) / 1_000_000);
        } else {
            try (Scratch work = Scratch.directory("model-deploy-base-")) {
                Path tar = work.path().resolve("base.tar");
                builder.buildTar(modelRuntime, tar, to, sources);
                String digest = builder.push(tar, to, new ImageTarget.Registry(Optional.empty(), insecure));
                out.printf("pushed %s@%s%n", to.contains("@") ? to : to.replaceFirst(":[^:/]+$", ""), digest);
            }
        }
        out.flush();
        return 0;
    }
}
