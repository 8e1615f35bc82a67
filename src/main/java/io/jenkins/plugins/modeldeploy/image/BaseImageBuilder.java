package io.jenkins.plugins.modeldeploy.image;

import edu.umd.cs.findbugs.annotations.SuppressFBWarnings;
import io.jenkins.plugins.modeldeploy.cleanup.ExitCleanup;
import io.jenkins.plugins.modeldeploy.cleanup.ProcessTree;
import io.jenkins.plugins.modeldeploy.model.ModelRuntime;
import io.jenkins.plugins.modeldeploy.progress.ProgressDisplay;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Builds a base image for a runtime from Debian packages with mmdebstrap (minbase, no Docker): python3 with numpy and
 * scikit-learn, or R with jsonlite and python3 with rpy2 (the harness runs R through rpy2). With a fixed
 * {@code SOURCE_DATE_EPOCH} the same package versions give byte-identical output.
 */
public final class BaseImageBuilder {
    public static final List<String> DEFAULT_MIRRORS = List.of(
            "deb http://deb.debian.org/debian bookworm main",
            "deb http://deb.debian.org/debian bookworm-updates main",
            "deb http://deb.debian.org/debian-security bookworm-security main");
    private static final Duration TIMEOUT = Duration.ofMinutes(20);
    /**
     * Compilers and headers that scikit-learn's dependency chain (python3-pythran) pulls in but nothing needs at run
     * time: over half of the image. Removed with --force-depends once everything is installed.
     */
    static final List<String> BUILD_ONLY = List.of(
            "g++",
            "g++-12",
            "gcc",
            "gcc-12",
            "cpp",
            "cpp-12",
            "libboost1.74-dev",
            "libopenblas-pthread-dev",
            "libopenblas-dev",
            "libblas-dev",
            "liblapack-dev",
            "libstdc++-12-dev",
            "libgcc-12-dev",
            "libpython3.11-dev",
            "libpython3-dev",
            "python3.11-dev",
            "python3-dev",
            "libc6-dev",
            "linux-libc-dev",
            "libexpat1-dev",
            "zlib1g-dev",
            "libxsimd-dev",
            "libc-dev-bin",
            "libcrypt-dev",
            "libnsl-dev",
            "libtirpc-dev",
            "rpcsvc-proto",
            "libasan8",
            "libtsan2",
            "liblsan0",
            "libubsan1",
            "libitm1",
            "libcc1-0",
            "binutils",
            "binutils-common",
            "binutils-x86-64-linux-gnu",
            "libbinutils",
            "libctf0",
            "libctf-nobfd0",
            "libgprofng0",
            "dpkg-dev",
            "make",
            "patch",
            "libdpkg-perl",
            "perl",
            "perl-modules-5.36",
            "libperl5.36");

    /** bookworm's python3. */
    public static final String BOOKWORM_PYTHON = "3.11";

    private static final String PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final Consumer<String> log;

    public BaseImageBuilder(Consumer<String> log) {
        this.log = log;
    }

    /** Pushes a {@code docker save} tar to a registry with Jib; returns the pushed digest. */
    public String push(Path tar, String reference, ImageTarget.Registry target)
            throws ImageBuildException, InterruptedException {
        try {
            com.google.cloud.tools.jib.api.ImageReference ref =
                    com.google.cloud.tools.jib.api.ImageReference.parse(reference);
            com.google.cloud.tools.jib.api.RegistryImage image =
                    com.google.cloud.tools.jib.api.RegistryImage.named(ref);
            target.credentials().ifPresent(c -> image.addCredential(c.username(), c.password()));
            return com.google.cloud.tools.jib.api.Jib.from(com.google.cloud.tools.jib.api.TarImage.at(tar))
                    .containerize(com.google.cloud.tools.jib.api.Containerizer.to(image)
                            .setAllowInsecureRegistries(target.insecure())
                            .setToolName("model-deploy"))
                    .getDigest()
                    .toString();
        } catch (com.google.cloud.tools.jib.api.InvalidImageReferenceException e) {
            throw new ImageBuildException("invalid image reference " + reference);
        } catch (IOException
                | java.util.concurrent.ExecutionException
                | com.google.cloud.tools.jib.api.RegistryException
                | com.google.cloud.tools.jib.api.CacheDirectoryCreationException e) {
            throw new ImageBuildException("pushing the base image to " + reference + " failed: " + e.getMessage(), e);
        }
    }

    public static List<String> packages(ModelRuntime runtime) {
        return runtime == ModelRuntime.PYTHON
                ? List.of("python3", "python3-numpy", "python3-sklearn", "ca-certificates")
                : List.of("python3", "python3-rpy2", "r-base-core", "r-cran-jsonlite", "ca-certificates");
    }

    /**
     * The runtime's packages plus a model's {@code environment.debian}: sorted and without duplicates, so that the
     * same set always gives the same cache key and the same {@code --include}, however the model ordered it.
     */
    public static List<String> packages(ModelRuntime runtime, List<String> extras) {
        if (extras.isEmpty()) {
            return packages(runtime);
        }
        java.util.TreeSet<String> all = new java.util.TreeSet<>(packages(runtime));
        all.addAll(extras);
        return List.copyOf(all);
    }

    /**
     * The packages of {@code declared} that the runtime's own base does not already have, sorted: only these make a base
     * of their own (a model that lists {@code python3-sklearn} for the python runtime shares the runtime's base and its
     * cache file).
     */
    public static List<String> extrasBeyond(ModelRuntime runtime, List<String> declared) {
        java.util.TreeSet<String> extras = new java.util.TreeSet<>(declared);
        extras.removeAll(packages(runtime));
        return List.copyOf(extras);
    }

    /**
     * The mirrors of a snapshot.debian.org timestamp: the packages as they were then, whatever Debian has published
     * since (with {@link #DEFAULT_MIRRORS}, a rebuild picks up point releases and security updates).
     */
    public static List<String> snapshotMirrors(String timestamp) {
        String root = "http://snapshot.debian.org/archive/";
        return List.of(
                "deb " + root + "debian/" + timestamp + " bookworm main",
                "deb " + root + "debian/" + timestamp + " bookworm-updates main",
                "deb " + root + "debian-security/" + timestamp + " bookworm-security main");
    }

    /** Writes a {@code docker save} tar of the base to {@code target}; returns its image id. */
    public String buildTar(ModelRuntime runtime, Path target, String reference, List<String> mirrors)
            throws IOException, InterruptedException, ImageBuildException {
        return buildTar(runtime, List.of(), target, reference, mirrors);
    }

    /** As {@link #buildTar(ModelRuntime, Path, String, List)}, with a model's extra Debian packages. */
    @SuppressFBWarnings(
            value = "DMI_HARDCODED_ABSOLUTE_FILENAME",
            justification = "mmdebstrap is looked for where Debian installs it")
    public String buildTar(
            ModelRuntime runtime, List<String> extras, Path target, String reference, List<String> mirrors)
            throws IOException, InterruptedException, ImageBuildException {
        List<String> packages = packages(runtime, extras);
        Path mmdebstrap = Path.of("/usr/bin/mmdebstrap");
        if (!Files.isExecutable(mmdebstrap)) {
            throw new ImageBuildException("base-image needs mmdebstrap (Debian: apt-get install mmdebstrap)");
        }
        Path rootfs = Files.createTempFile(
                Objects.requireNonNull(target.toAbsolutePath().getParent(), "target has a folder"), ".rootfs-", ".tar");
        // a signal skips the finally below: the exit sweep removes the half-written root file system instead
        ExitCleanup.register(rootfs);
        Process process = null;
        try {
            List<String> command = new ArrayList<>(List.of(
                    // its own process group: when writing the tarball fails, mmdebstrap tears down its children with
                    // SIGHUP to its whole group (`kill HUP => -getpgrp()` in /usr/bin/mmdebstrap), which would also
                    // hang up this JVM; it is stopped with us through ExitCleanup instead of by the terminal's group
                    "/usr/bin/setsid",
                    mmdebstrap.toString(),
                    "--variant=minbase",
                    "--mode=root",
                    "--format=tar",
                    "--include=" + String.join(",", packages),
                    // documentation, manuals and translations are not needed to serve a model
                    "--dpkgopt=path-exclude=/usr/share/doc/*",
                    "--dpkgopt=path-exclude=/usr/share/man/*",
                    "--dpkgopt=path-exclude=/usr/share/locale/*",
                    "--dpkgopt=path-include=/usr/share/locale/locale.alias",
                    "--customize-hook=chroot \"$1\" dpkg --purge --force-depends " + String.join(" ", BUILD_ONLY)
                            + " >/dev/null 2>&1 || true",
                    "--customize-hook=rm -rf \"$1\"/var/lib/apt/lists/* \"$1\"/var/cache/apt/* \"$1\"/var/log/*",
                    "bookworm",
                    rootfs.toString()));
            if (mirrors.stream().anyMatch(m -> m.contains("snapshot.debian.org"))) {
                // a snapshot's Release files are past their Valid-Until by design
                command.add(command.indexOf("bookworm"), "--aptopt=Acquire::Check-Valid-Until \"false\"");
            }
            command.addAll(mirrors);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().put("SOURCE_DATE_EPOCH", "1700000000");
            log.accept("building the " + runtime.id() + " base with mmdebstrap (" + String.join(" ", packages) + ")");
            process = builder.start();
            // mmdebstrap runs apt and dpkg in the chroot: stopped with us, not left writing next to the target
            ExitCleanup.register(process.toHandle(), Duration.ofSeconds(10));
            List<String> tail = new ArrayList<>();
            // a cold base takes minutes: its stages (resolving, downloading N files, installing…) go to the log
            // every few seconds, as a build log shows long work, and the last stage when mmdebstrap ends
            try (var reader = process.inputReader(StandardCharsets.UTF_8);
                    ProgressDisplay display = ProgressDisplay.log(log, ProgressDisplay.LOG_INTERVAL)) {
                MmdebstrapProgress stages = new MmdebstrapProgress(display, "base " + runtime.id());
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    if (tail.size() == 20) {
                        tail.remove(0);
                    }
                    tail.add(line);
                    stages.accept(line);
                }
                stages.finish();
            }
            if (!process.waitFor(TIMEOUT.toMinutes(), TimeUnit.MINUTES) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new ImageBuildException(
                        "mmdebstrap failed for the " + runtime.id() + " base: " + String.join(" | ", tail));
            }
            return DockerArchive.write(
                    rootfs,
                    target,
                    reference,
                    List.of(PATH, "LANG=C.UTF-8"),
                    Map.of(
                            "model-deploy.jenkins.io/base",
                            runtime.id(),
                            "model-deploy.jenkins.io/packages",
                            String.join(",", packages),
                            // the version pip packages are resolved for (environment.EnvironmentResolver.BASE_PYTHON)
                            "model-deploy.jenkins.io/python",
                            BOOKWORM_PYTHON));
        } finally {
            if (process != null) {
                if (process.isAlive()) { // an exception or interrupt while mmdebstrap still runs
                    ProcessTree.stop(process.toHandle(), Duration.ofSeconds(10));
                }
                ExitCleanup.forget(process.toHandle());
            }
            Files.deleteIfExists(rootfs);
            ExitCleanup.forget(rootfs);
        }
    }
}
