package io.jenkins.plugins.modeldeploy.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.modeldeploy.cleanup.Scratch;
import io.jenkins.plugins.modeldeploy.event.EventBus;
import io.jenkins.plugins.modeldeploy.image.BaseImage;
import io.jenkins.plugins.modeldeploy.image.BaseImages;
import io.jenkins.plugins.modeldeploy.image.BuiltImage;
import io.jenkins.plugins.modeldeploy.image.ImagePlan;
import io.jenkins.plugins.modeldeploy.image.ImageTarget;
import io.jenkins.plugins.modeldeploy.image.JibImageBuilder;
import io.jenkins.plugins.modeldeploy.image.RegistryCredentials;
import io.jenkins.plugins.modeldeploy.model.ModelSpec;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.pipeline.DeploymentEngine;
import io.jenkins.plugins.modeldeploy.progress.ProgressDisplay;
import io.jenkins.plugins.modeldeploy.verify.ImageVerifier;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "build",
        description = "Build the model's versioned, reproducible OCI image with Jib (no Docker daemon)"
                + " and push it to a registry, or write it to a tar or a local Docker daemon.")
final class BuildCommand implements Callable<Integer> {
    @Mixin
    HelpOption help;

    @Mixin
    ModelOptions model;

    @Option(names = "--version", required = true, description = "The model version (tag), e.g. 42.")
    String version;

    @Option(
            names = "--image",
            required = true,
            paramLabel = "REPOSITORY",
            description = "Image repository, e.g. registry.example.com/models/iris (tagged with the version).")
    String repository;

    @Option(
            names = "--base-image",
            paramLabel = "REF|tar:PATH|scratch",
            description = "Base image. Default: $MODEL_DEPLOY_BASE_PYTHON or " + BaseImages.PYTHON_DEFAULT
                    + " for python; $MODEL_DEPLOY_BASE_R for r (build one with base-image).")
    String baseImage;

    @Option(
            names = "--to",
            defaultValue = "registry",
            paramLabel = "registry|tar:PATH|docker-tar:PATH|docker",
            description = "Where the image goes: a registry, an OCI-layout tar, a docker-save tar, or the local Docker"
                    + " daemon. Default: ${DEFAULT-VALUE}.")
    String to;

    @Option(names = "--insecure-registry", description = "Allow plain HTTP and unverified TLS for the registry.")
    boolean insecure;

    @Option(
            names = "--username",
            description = "Registry user (the password from --password-stdin or"
                    + " $MODEL_DEPLOY_REGISTRY_PASSWORD). Without it: the Docker config file's credentials.")
    String username;

    @Option(names = "--password-stdin", description = "Read the registry password or token from standard input.")
    boolean passwordStdin;

    @Option(names = "--revision", description = "Source revision (git commit) for the image labels.")
    String revision;

    @Option(names = "--source", description = "Source repository URL for the image labels.")
    String source;

    @Option(
            names = "--created-at",
            paramLabel = "ISO-8601",
            description = "Image creation time (e.g. the commit time). Default: the Unix epoch, for reproducibility.")
    String createdAt;

    @Option(
            names = "--verify",
            description = "Before the image goes anywhere, run it with podman (else the model with the harness on"
                    + " this machine) and send it the model's samples, checking each answer (`expected` where a"
                    + " sample gives it); a model that cannot serve fails the build and nothing is pushed or written."
                    + " Default: off.")
    boolean verify;

    @Mixin
    OutputOption output;

    @Mixin
    EventOptions events;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = commandSpec.commandLine().getOut();
        PrintWriter err = commandSpec.commandLine().getErr();
        ModelSpec spec = model.load();
        ModelVersion modelVersion = ModelVersion.of(spec, version, "--version");
        BaseImage base = BaseImages.forSpec(
                        spec, Optional.ofNullable(baseImage), "--base-image", OutputOption.lines(err))
                .orElseThrow(() -> new CheckedUsageError(
                        commandSpec.commandLine(),
                        "the r runtime needs --base-image (R,"
                                + " jsonlite and rpy2 together): build one with `model-deploy base-image --runtime r --to REF`"
                                + " or set MODEL_DEPLOY_BASE_R"));
        ImagePlan plan = new ImagePlan(
                modelVersion,
                base,
                repository,
                target(),
                Optional.ofNullable(revision),
                Optional.ofNullable(source),
                Optional.ofNullable(created()));
        BuiltImage image;
        // the scratch directory (the generated harness configuration) goes on success, failure and signal alike
        try (Scratch work = Scratch.directory("model-deploy-build-");
                EventBus bus = events.open(err);
                ProgressDisplay progress = output.progress(err)) {
            err.println("building " + plan.reference() + " on " + BaseImages.describe(base));
            // the engine builds (and verifies) and publishes the build's events, as it does for deploy
            image = new DeploymentEngine(
                            bus::publish,
                            new JibImageBuilder(work.path(), OutputOption.lines(err)).withProgress(progress),
                            new ImageVerifier(OutputOption.lines(err)),
                            Duration.ofSeconds(1),
                            progress)
                    .buildImage(plan, verify);
        }
        if (output.json()) {
            ObjectNode json = new ObjectMapper().createObjectNode();
            json.put("image", image.image());
            json.put("digest", image.digest());
            json.put("pinned", image.pinned());
            json.put("layersPushed", image.layersPushed());
            json.put("bytesPushed", image.bytesPushed());
            out.println(json);
        } else {
            out.printf(
                    "built %s%n  digest %s%n  deploy as %s%n  %d layer(s), %d bytes pushed%n",
                    image.image(), image.digest(), image.pinned(), image.layersPushed(), image.bytesPushed());
        }
        out.flush();
        return 0;
    }

    private ImageTarget target() throws Exception {
        if (to.equals("registry")) {
            if (username == null) {
                return new ImageTarget.Registry(Optional.empty(), insecure);
            }
            String password = System.getenv("MODEL_DEPLOY_REGISTRY_PASSWORD");
            if (passwordStdin) {
                password = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            }
            if (password == null || password.isEmpty()) {
                throw new CheckedUsageError(
                        commandSpec.commandLine(),
                        "--username needs a password:" + " --password-stdin or $MODEL_DEPLOY_REGISTRY_PASSWORD");
            }
            return new ImageTarget.Registry(Optional.of(new RegistryCredentials(username, password)), insecure);
        }
        if (to.startsWith("tar:")) {
            return new ImageTarget.Tar(Path.of(to.substring(4)), false);
        }
        if (to.startsWith("docker-tar:")) {
            return new ImageTarget.Tar(Path.of(to.substring(11)), true);
        }
        if (to.equals("docker")) {
            return new ImageTarget.DockerDaemon();
        }
        throw new CheckedUsageError(
                commandSpec.commandLine(), "--to must be registry, tar:PATH, docker-tar:PATH or docker, was " + to);
    }

    private Instant created() {
        if (createdAt == null) {
            return null;
        }
        try {
            return Instant.parse(createdAt);
        } catch (DateTimeParseException e) {
            throw new CheckedUsageError(
                    commandSpec.commandLine(),
                    "--created-at must be ISO-8601 like 2026-11-25T12:00:00Z, was " + createdAt);
        }
    }
}
