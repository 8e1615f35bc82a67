package io.jenkins.plugins.modeldeploy.image;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.DockerDaemonImage;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InsecureRegistryException;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.RegistryUnauthorizedException;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import com.google.cloud.tools.jib.api.buildplan.Port;
import com.google.cloud.tools.jib.event.events.ProgressEvent;
import com.google.cloud.tools.jib.frontend.CredentialRetrieverFactory;
import edu.umd.cs.findbugs.annotations.SuppressFBWarnings;
import io.jenkins.plugins.modeldeploy.environment.EnvironmentException;
import io.jenkins.plugins.modeldeploy.environment.EnvironmentResolver;
import io.jenkins.plugins.modeldeploy.environment.ResolvedEnvironment;
import io.jenkins.plugins.modeldeploy.harness.HarnessConfig;
import io.jenkins.plugins.modeldeploy.harness.HarnessFiles;
import io.jenkins.plugins.modeldeploy.model.ModelRuntime;
import io.jenkins.plugins.modeldeploy.model.ModelSpec;
import io.jenkins.plugins.modeldeploy.progress.ProgressSink;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds model images with Jib core (no Docker daemon): harness, dependencies, data and code layers on a base,
 * reproducibly (fixed file times and, unless given, the epoch as creation time), with OCI and model-deploy labels.
 */
public final class JibImageBuilder implements ImageBuilder {
    /** Jib resets file times to this instant; we do the same explicitly so the layer digests never depend on mtimes. */
    static final Instant FILE_TIME = Instant.ofEpochSecond(1);

    private static final FilePermissions FILE = FilePermissions.fromOctalString("644");
    private static final FilePermissions EXECUTABLE = FilePermissions.fromOctalString("755");
    private static final String PUSHING = "pushing blob ";
    private static final String SKIPPED = "Skipping push; BLOB already exists on target registry";
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    private final Path workDir;
    private final Consumer<String> log;
    private final ProgressSink progress;

    /** @param workDir where the generated harness configuration is written before it goes into the image */
    public JibImageBuilder(Path workDir, Consumer<String> log) {
        this(workDir, log, ProgressSink.NONE);
    }

    private JibImageBuilder(Path workDir, Consumer<String> log, ProgressSink progress) {
        this.workDir = workDir;
        this.log = log;
        this.progress = progress;
    }

    /** The same builder, showing each build's progress (share done, blobs and bytes pushed) on {@code progress}. */
    public JibImageBuilder withProgress(ProgressSink progress) {
        return new JibImageBuilder(workDir, log, progress);
    }

    @Override
    public BuiltImage build(ImagePlan plan) throws ImageBuildException, InterruptedException {
        ImageReference reference;
        try {
            reference = ImageReference.parse(plan.reference());
        } catch (InvalidImageReferenceException e) {
            throw new ImageBuildException("invalid image reference " + plan.reference() + ": repository must look like"
                    + " host[:port]/path/name");
        }
        ResolvedEnvironment environment;
        try {
            environment = EnvironmentResolver.resolve(plan.version().spec(), log);
        } catch (EnvironmentException e) {
            throw new ImageBuildException(plan.version().id() + ": " + e.getMessage(), e);
        }
        JibContainerBuilder builder;
        try {
            builder = base(plan.base());
            builder.setFileEntriesLayers(layers(plan, environment))
                    .setEntrypoint(
                            "python3",
                            "-m",
                            "mdharness",
                            "--config",
                            ImageLayout.CONFIG,
                            "--host",
                            "0.0.0.0",
                            "--port",
                            Integer.toString(ImageLayout.PORT))
                    .setEnvironment(environment(plan, environment))
                    .setUser(ImageLayout.USER)
                    .setWorkingDirectory(AbsoluteUnixPath.get(ImageLayout.MODEL))
                    .setExposedPorts(Port.tcp(ImageLayout.PORT))
                    .setLabels(labels(plan, environment))
                    .setCreationTime(plan.createdAt().orElse(Instant.EPOCH))
                    .setFormat(
                            plan.target() instanceof ImageTarget.Tar tar && tar.dockerFormat()
                                    ? ImageFormat.Docker
                                    : ImageFormat.OCI);
        } catch (IOException e) {
            throw new ImageBuildException(
                    "cannot prepare the layers of " + plan.version().id() + ": " + e.getMessage(), e);
        }

        Set<String> pushing = ConcurrentHashMap.newKeySet();
        Set<String> skipped = ConcurrentHashMap.newKeySet();
        Map<String, Long> sizes = new ConcurrentHashMap<>();
        JibProgress shown = new JibProgress(progress);
        // A tar goes to a hidden sibling first and is renamed into place only when complete: a full disk or a failed
        // pull leaves the previous tar (or none) instead of a truncated one.
        Path partial = plan.target() instanceof ImageTarget.Tar tar ? partialOf(tar.path()) : null;
        Containerizer containerizer = containerizer(plan, reference, partial)
                .setToolName("model-deploy")
                .addEventHandler(LogEvent.class, event -> {
                    String message = event.getMessage();
                    if (message.startsWith(SKIPPED)) { // "...registry : digest: sha256:…, size: N"
                        Matcher digest = DIGEST.matcher(message);
                        if (digest.find()) {
                            skipped.add(digest.group());
                        }
                    }
                    if (event.getLevel() == LogEvent.Level.ERROR || event.getLevel() == LogEvent.Level.WARN) {
                        log.accept(message);
                    }
                })
                .addEventHandler(ProgressEvent.class, event -> {
                    String description = event.getAllocation().getDescription();
                    if (description.startsWith(PUSHING)) {
                        String digest = description.substring(PUSHING.length()).trim();
                        pushing.add(digest);
                        sizes.put(digest, event.getAllocation().getAllocationUnits());
                    }
                    shown.accept(event);
                });
        JibContainer container;
        try {
            container = builder.containerize(containerizer);
            if (partial != null && plan.target() instanceof ImageTarget.Tar tar) {
                Files.move(partial, tar.path(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (ExecutionException e) {
            throw translate(plan, e.getCause() != null ? e.getCause() : e);
        } catch (RegistryException | IOException | com.google.cloud.tools.jib.api.CacheDirectoryCreationException e) {
            throw translate(plan, e);
        } finally {
            shown.finish();
            if (partial != null) {
                try {
                    Files.deleteIfExists(partial);
                } catch (IOException e) {
                    log.accept("could not remove the partial image tar " + partial + ": " + e.getMessage());
                }
            }
        }
        String config = container.getImageId().toString();
        pushing.removeAll(skipped);
        pushing.remove(config);
        long bytes = pushing.stream().mapToLong(d -> sizes.getOrDefault(d, 0L)).sum();
        return new BuiltImage(plan.reference(), container.getDigest().toString(), pushing.size(), bytes);
    }

    private JibContainerBuilder base(BaseImage base) throws ImageBuildException {
        if (base instanceof BaseImage.Tar tar) {
            if (!Files.isRegularFile(tar.path())) {
                throw new ImageBuildException("base image tar " + tar.path() + " not found");
            }
            return Jib.from(TarImage.at(tar.path()));
        }
        if (base instanceof BaseImage.Registry registry) {
            try {
                ImageReference ref = ImageReference.parse(registry.reference());
                return Jib.from(RegistryImage.named(ref)
                        .addCredentialRetriever(CredentialRetrieverFactory.forImage(ref, event -> {})
                                .dockerConfig()));
            } catch (InvalidImageReferenceException e) {
                throw new ImageBuildException("invalid base image reference " + registry.reference());
            }
        }
        return Jib.fromScratch();
    }

    /** A hidden file next to {@code tar}, so that the final rename stays on one file system (atomic). */
    static Path partialOf(Path tar) {
        Path absolute = tar.toAbsolutePath();
        return absolute.resolveSibling("." + absolute.getFileName() + "." + UUID.randomUUID() + ".partial");
    }

    @SuppressFBWarnings(
            value = "DMI_HARDCODED_ABSOLUTE_FILENAME",
            justification = "the Docker client is looked for where it is installed")
    private static Containerizer containerizer(ImagePlan plan, ImageReference reference, Path partial)
            throws ImageBuildException {
        if (plan.target() instanceof ImageTarget.Registry registry) {
            RegistryImage image = RegistryImage.named(reference);
            if (registry.credentials().isPresent()) {
                image.addCredential(
                        registry.credentials().get().username(),
                        registry.credentials().get().password());
            } else {
                image.addCredentialRetriever(CredentialRetrieverFactory.forImage(reference, event -> {})
                        .dockerConfig());
            }
            return Containerizer.to(image).setAllowInsecureRegistries(registry.insecure());
        }
        if (plan.target() instanceof ImageTarget.Tar) {
            return Containerizer.to(TarImage.at(partial).named(reference));
        }
        if (!Files.isExecutable(Path.of("/usr/bin/docker")) && !Files.isExecutable(Path.of("/usr/local/bin/docker"))) {
            throw new ImageBuildException("--to docker needs a Docker client and daemon; none found");
        }
        return Containerizer.to(DockerDaemonImage.named(reference));
    }

    /**
     * base → dependencies → harness → data → code: from least to most often changed, so that a code change re-pushes
     * one layer and a requirements change only the dependency layer (the harness changes with model-deploy itself).
     */
    private List<FileEntriesLayer> layers(ImagePlan plan, ResolvedEnvironment environment) throws IOException {
        ModelSpec spec = plan.version().spec();
        LayerPlan files = LayerPlan.of(spec);
        FileEntriesLayer.Builder harness = FileEntriesLayer.builder().setName("harness");
        HarnessFiles bundled = HarnessFiles.bundled();
        Path harnessDir = bundled.extractTo(HarnessFiles.defaultCacheRoot());
        for (String name : bundled.names()) {
            harness.addEntry(
                    harnessDir.resolve(name), AbsoluteUnixPath.get(ImageLayout.HARNESS + "/" + name), FILE, FILE_TIME);
        }
        Path root = spec.directory().toRealPath();
        FileEntriesLayer.Builder data = FileEntriesLayer.builder().setName("data");
        for (Path f : files.data()) {
            add(data, root, f, ImageLayout.MODEL);
        }
        FileEntriesLayer.Builder code = FileEntriesLayer.builder().setName("code");
        for (Path f : files.code()) {
            add(code, root, f, ImageLayout.MODEL);
        }
        Files.createDirectories(workDir);
        Path config = workDir.resolve(plan.version().id() + "-harness.json");
        Files.write(config, HarnessConfig.render(plan.version(), ImageLayout.MODEL, false));
        code.addEntry(config, AbsoluteUnixPath.get(ImageLayout.CONFIG), FILE, FILE_TIME);

        List<FileEntriesLayer> layers = new java.util.ArrayList<>();
        FileEntriesLayer.Builder dependencies = FileEntriesLayer.builder().setName("dependencies");
        boolean anyDependency = false;
        if (!files.dependencies().isEmpty()) {
            Path depsRoot = spec.dependencies().orElseThrow();
            for (Path f : files.dependencies()) {
                Path source = LayerPlan.source(root, f); // the real path: Jib never reads through a link
                dependencies.addEntry(
                        source,
                        AbsoluteUnixPath.get(ImageLayout.DEPENDENCIES + "/" + unix(depsRoot.relativize(f))),
                        permissions(source),
                        FILE_TIME);
            }
            anyDependency = true;
        }
        if (environment.pythonPackages().isPresent()) {
            addTree(dependencies, environment.pythonPackages().get(), ImageLayout.PYTHON_PACKAGES);
            anyDependency = true;
        }
        if (environment.rLibrary().isPresent()) {
            addTree(dependencies, environment.rLibrary().get(), ImageLayout.R_LIBRARY);
            anyDependency = true;
        }
        if (anyDependency) {
            layers.add(dependencies.build());
        }
        layers.add(harness.build());
        layers.add(data.build());
        layers.add(code.build());
        return layers;
    }

    /**
     * Every regular file under {@code dir} (a resolved environment directory of the cache), sorted, at the same
     * relative path under {@code target}; links are skipped, never followed (the resolvers write none).
     */
    private static void addTree(FileEntriesLayer.Builder layer, Path dir, String target) throws IOException {
        List<Path> files;
        try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .map(dir::relativize)
                    .sorted()
                    .toList();
        }
        for (Path f : files) {
            Path source = dir.resolve(f);
            layer.addEntry(source, AbsoluteUnixPath.get(target + "/" + unix(f)), permissions(source), FILE_TIME);
        }
    }

    /** {@code file} from its real path inside {@code dir} (checked again here), under its own name in the image. */
    private static void add(FileEntriesLayer.Builder layer, Path dir, Path file, String root) throws IOException {
        Path source = LayerPlan.source(dir, file);
        layer.addEntry(source, AbsoluteUnixPath.get(root + "/" + unix(file)), permissions(source), FILE_TIME);
    }

    /** Jib would reset every file to 644: keep executables executable, nothing else. */
    private static FilePermissions permissions(Path file) {
        return Files.isExecutable(file) ? EXECUTABLE : FILE;
    }

    private static String unix(Path relative) {
        return relative.toString().replace('\\', '/');
    }

    private static Map<String, String> environment(ImagePlan plan, ResolvedEnvironment resolved) {
        ModelSpec spec = plan.version().spec();
        Map<String, String> env = new LinkedHashMap<>();
        env.put(HarnessConfig.VERSION_ENV, plan.version().version());
        String pythonPath = ImageLayout.HARNESS + "/" + HarnessFiles.PYTHON_PATH;
        List<String> rLibs = new java.util.ArrayList<>();
        if (spec.dependencies().isPresent()) {
            pythonPath += ":" + ImageLayout.DEPENDENCIES;
            if (spec.runtime() == ModelRuntime.R) {
                rLibs.add(ImageLayout.DEPENDENCIES);
            }
        }
        if (resolved.pythonPackages().isPresent()) {
            pythonPath += ":" + ImageLayout.PYTHON_PACKAGES;
        }
        if (resolved.rLibrary().isPresent()) {
            rLibs.add(ImageLayout.R_LIBRARY);
        }
        if (!rLibs.isEmpty()) {
            env.put("R_LIBS", String.join(":", rLibs));
        }
        env.put("PYTHONPATH", pythonPath);
        env.put("PYTHONDONTWRITEBYTECODE", "1");
        env.put("PYTHONUNBUFFERED", "1");
        env.putAll(spec.env());
        return env;
    }

    static Map<String, String> labels(ImagePlan plan) {
        return labels(plan, ResolvedEnvironment.none());
    }

    static Map<String, String> labels(ImagePlan plan, ResolvedEnvironment environment) {
        ModelSpec spec = plan.version().spec();
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("org.opencontainers.image.title", spec.name());
        labels.put("org.opencontainers.image.version", plan.version().version());
        labels.put(
                "org.opencontainers.image.created",
                plan.createdAt().orElse(Instant.EPOCH).toString());
        plan.revision().ifPresent(r -> labels.put("org.opencontainers.image.revision", r));
        plan.source().ifPresent(s -> labels.put("org.opencontainers.image.source", s));
        if (!spec.description().isEmpty()) {
            labels.put("org.opencontainers.image.description", spec.description());
        }
        labels.put(ImageLayout.LABEL_PREFIX + "model", spec.name());
        labels.put(ImageLayout.LABEL_PREFIX + "version", plan.version().version());
        labels.put(ImageLayout.LABEL_PREFIX + "runtime", spec.runtime().id());
        labels.put(ImageLayout.LABEL_PREFIX + "entrypoint", spec.entrypoint());
        labels.put(ImageLayout.LABEL_PREFIX + "spec-hash", specHash(plan));
        if (!environment.key().isEmpty()) {
            labels.put(ImageLayout.LABEL_PREFIX + "environment", environment.key());
        }
        return labels;
    }

    /** SHA-256 of what the harness is told (the validated spec as the harness sees it) plus the environment. */
    static String specHash(ImagePlan plan) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(HarnessConfig.render(plan.version(), ImageLayout.MODEL, false));
            sha.update(new java.util.TreeMap<>(plan.version().spec().env())
                    .toString()
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    private static ImageBuildException translate(ImagePlan plan, Throwable cause) {
        String registry = plan.repository().contains("/")
                ? plan.repository().substring(0, plan.repository().indexOf('/'))
                : plan.repository();
        if (cause instanceof RegistryUnauthorizedException) {
            String user = plan.target() instanceof ImageTarget.Registry r
                            && r.credentials().isPresent()
                    ? "the credentials of user \"" + r.credentials().get().username() + "\""
                    : "the Docker config file's credentials (or none)";
            return new ImageBuildException(
                    "registry " + registry + " refused " + user + " for " + plan.repository() + " (401 Unauthorized)");
        }
        if (cause.getClass().getSimpleName().equals("RegistryCredentialsNotSentException")) {
            return new ImageBuildException("registry " + registry + " asks for credentials over plain HTTP; Jib sends"
                    + " credentials only over HTTPS (serve the registry with TLS; with a self-signed certificate add"
                    + " --insecure-registry)");
        }
        if (cause instanceof InsecureRegistryException) {
            return new ImageBuildException("registry " + registry + " does not offer verified HTTPS; use"
                    + " --insecure-registry to allow plain HTTP for it");
        }
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException) {
                String why = "(" + t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage())
                        + ")";
                // Jib pulls the base and talks to the target registry concurrently, so the failure may be either's.
                // The exception usually names where it tried to connect (Apache's "Connect to host:port … failed", a
                // DNS failure's host); when it does not (a bare "Connection refused"), the base's registry is probed
                // and only a target that answers while the base does not clears the target.
                Optional<String> baseRegistry = baseRegistry(plan);
                String said = String.valueOf(t.getMessage());
                boolean namesBase = baseRegistry.isPresent()
                        && (said.contains(baseRegistry.get() + " ")
                                || said.contains(baseRegistry.get() + "/")
                                || said.endsWith(baseRegistry.get())
                                || (t instanceof UnknownHostException && said.contains(host(baseRegistry.get()))));
                boolean namesTarget = said.contains(registry + " ")
                        || said.contains(registry + "/")
                        || said.endsWith(registry)
                        || (t instanceof UnknownHostException && said.contains(host(registry)));
                if (baseRegistry.isPresent()
                        && !baseRegistry.get().equals(registry)
                        && (namesBase
                                || (!namesTarget
                                        && !(t instanceof UnknownHostException)
                                        && !answers(baseRegistry.get())
                                        && answers(registry)))) {
                    return new ImageBuildException(
                            "the base image's registry " + baseRegistry.get() + " is unreachable " + why
                                    + " while reading base image "
                                    + ((BaseImage.Registry) plan.base()).reference() + "; the target registry "
                                    + registry + " was not the problem",
                            cause);
                }
                return new ImageBuildException("registry " + registry + " is unreachable " + why, cause);
            }
        }
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        if (plan.base() instanceof BaseImage.Registry base && message.contains(base.reference())) {
            return new ImageBuildException("base image " + base.reference() + " could not be read: " + message, cause);
        }
        if (plan.target() instanceof ImageTarget.Tar tar) {
            return new ImageBuildException(
                    "building " + plan.reference() + " into " + tar.path() + " failed: " + message + " ("
                            + (Files.exists(tar.path()) ? "the existing tar was left as it was" : "no tar was written")
                            + ")",
                    cause);
        }
        return new ImageBuildException("building " + plan.reference() + " failed: " + message, cause);
    }

    private static Optional<String> baseRegistry(ImagePlan plan) {
        if (plan.base() instanceof BaseImage.Registry base) {
            try {
                return Optional.of(ImageReference.parse(base.reference()).getRegistry());
            } catch (InvalidImageReferenceException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static String host(String registry) {
        int colon = registry.lastIndexOf(':');
        return colon > 0 && registry.indexOf(']') < colon ? registry.substring(0, colon) : registry;
    }

    /**
     * Whether a TCP connection to the registry opens within 3 s: on its port, else HTTPS (443) or, as Jib falls back
     * to for insecure registries, HTTP (80).
     */
    private static boolean answers(String registry) {
        String host = host(registry);
        List<Integer> ports = List.of(443, 80);
        if (!host.equals(registry) && registry.substring(host.length() + 1).matches("[0-9]{1,5}")) {
            ports = List.of(Integer.parseInt(registry.substring(host.length() + 1)));
        }
        for (int port : ports) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host.replace("[", "").replace("]", ""), port), 3_000);
                return true;
            } catch (IOException | IllegalArgumentException e) {
                // not on this port; try the next
            }
        }
        return false;
    }
}
