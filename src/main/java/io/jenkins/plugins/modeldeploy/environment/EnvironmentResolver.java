package io.jenkins.plugins.modeldeploy.environment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import edu.umd.cs.findbugs.annotations.SuppressFBWarnings;
import io.jenkins.plugins.modeldeploy.cleanup.ExitCleanup;
import io.jenkins.plugins.modeldeploy.model.EnvironmentSpec;
import io.jenkins.plugins.modeldeploy.model.ModelRuntime;
import io.jenkins.plugins.modeldeploy.model.ModelSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Resolves a model's {@code environment:} into cached directories: pip packages with {@code pip install --target} for
 * the base's Python, R packages with {@code install.packages} into an R library. A directory is built beside the cache
 * and renamed into place when complete, so a failure or a kill never leaves a half-installed environment that a later
 * build would reuse; the same inputs find the same directory, whose files (and so whose image layer) never vary.
 */
public final class EnvironmentResolver {
    /**
     * The Python of the default bases: Debian bookworm's python3 (our mmdebstrap base) and python:3.11-slim-bookworm.
     * Packages are installed for this version; a machine with another python3 installs wheels for it instead.
     */
    public static final String BASE_PYTHON = "3.11";
    /** The wheels a cross-version install may pick: what runs on the bookworm bases (glibc 2.36, x86-64). */
    static final String CROSS_PLATFORM = "manylinux2014_x86_64";
    /** The platform of the bases' python3 ({@code sysconfig.get_platform()}); another one installs wheels for it. */
    static final String BASE_PLATFORM = "linux-x86_64";
    /**
     * The R of the bookworm bases: R packages are compiled by the installing R and load only in the same major.minor,
     * so another R cannot resolve them for the image.
     */
    public static final String BASE_R = "4.2";

    /** Where R packages are installed before they are copied into the cache (see {@link #installR}). */
    static final String R_BUILD_ROOT = "/tmp/model-deploy-r-build";

    static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(20);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);
    /** Build tools (setuptools, R CMD INSTALL) stamp files with this instead of the clock where they honour it. */
    private static final String SOURCE_DATE_EPOCH = "1700000000";
    /** Kept from the caller's environment: a proxy or a corporate CA is how this machine reaches an index at all. */
    private static final List<String> PASSED_THROUGH = List.of(
            "http_proxy",
            "https_proxy",
            "no_proxy",
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "NO_PROXY",
            "SSL_CERT_FILE",
            "SSL_CERT_DIR",
            "REQUESTS_CA_BUNDLE");

    private final Path cacheRoot;
    private final Path python;
    private final Path rscript;

    public EnvironmentResolver(Path cacheRoot, Path python, Path rscript) {
        this.cacheRoot = cacheRoot;
        this.python = python;
        this.rscript = rscript;
    }

    /** Resolves into {@link #defaultCacheRoot()} with the harness's python3 ({@code MODEL_DEPLOY_PYTHON}). */
    public static ResolvedEnvironment resolve(ModelSpec spec, Consumer<String> log)
            throws EnvironmentException, InterruptedException {
        return defaults().resolveFor(spec, log);
    }

    /**
     * As {@link #resolve}, for a model run as a local process: also checks that this machine can use the result
     * (its python3 is the base's version, the declared Debian packages are installed), naming what differs.
     *
     * @param python the interpreter that will run the model (and so installs its packages)
     */
    public static ResolvedEnvironment resolveForLocalProcess(ModelSpec spec, Path python, Consumer<String> log)
            throws EnvironmentException, InterruptedException {
        EnvironmentResolver resolver = new EnvironmentResolver(defaultCacheRoot(), python, defaults().rscript);
        ResolvedEnvironment resolved = resolver.resolveFor(spec, log);
        resolver.checkLocal(spec, resolved);
        return resolved;
    }

    @SuppressFBWarnings(
            value = "DMI_HARDCODED_ABSOLUTE_FILENAME",
            justification = "python3 and Rscript are looked for where Debian installs them")
    static EnvironmentResolver defaults() {
        String override = System.getenv("MODEL_DEPLOY_PYTHON");
        Path python = override == null || override.isBlank() ? Path.of("/usr/bin/python3") : Path.of(override);
        return new EnvironmentResolver(defaultCacheRoot(), python, Path.of("/usr/bin/Rscript"));
    }

    public static Path defaultCacheRoot() {
        return Path.of(System.getProperty("user.home"), ".cache", "model-deploy", "environments");
    }

    public ResolvedEnvironment resolveFor(ModelSpec spec, Consumer<String> log)
            throws EnvironmentException, InterruptedException {
        EnvironmentSpec env = spec.environment();
        List<String> debian = List.copyOf(new TreeSet<>(env.debian()));
        boolean pip =
                spec.runtime() == ModelRuntime.PYTHON && env.requirements().isPresent();
        boolean r = spec.runtime() == ModelRuntime.R && env.r().isPresent();
        if (!pip && !r) {
            return new ResolvedEnvironment(
                    debian.isEmpty() ? "" : key(inputs(spec, Optional.empty())),
                    Optional.empty(),
                    Optional.empty(),
                    debian);
        }
        Optional<PythonInfo> installer = pip ? Optional.of(pythonInfo()) : Optional.empty();
        Optional<String> rVersion = r ? Optional.of(rVersion()) : Optional.empty();
        if (rVersion.isPresent() && !BASE_R.equals(majorMinor(rVersion.get()))) {
            throw new EnvironmentMismatchException(spec.name() + ": environment.r: the machine's R (" + rscript
                    + ") is " + rVersion.get() + ", the image's base has R " + BASE_R + ": packages it compiles"
                    + " would not load in the image; resolve on a machine with R " + BASE_R + " (Debian bookworm)");
        }
        String key = key(inputs(spec, installer, rVersion));
        Path done = cacheRoot.resolve(key);
        String sub = pip ? "python" : "r";
        if (Files.isDirectory(done.resolve(sub))) {
            log.accept("environment " + shortKey(key) + ": reusing " + done.resolve(sub));
        } else {
            build(spec, installer, done, sub, log);
        }
        return new ResolvedEnvironment(
                key,
                pip ? Optional.of(done.resolve("python")) : Optional.empty(),
                r ? Optional.of(done.resolve("r")) : Optional.empty(),
                debian);
    }

    /** Throws naming what keeps this machine from running the model with {@code resolved}. */
    void checkLocal(ModelSpec spec, ResolvedEnvironment resolved) throws EnvironmentException, InterruptedException {
        if (resolved.pythonPackages().isPresent()) {
            PythonInfo info = pythonInfo();
            if (info.version().equals(BASE_PYTHON) && !info.platform().equals(BASE_PLATFORM)) {
                throw new EnvironmentMismatchException(spec.name() + ": the machine's python3 (" + python + ") runs"
                        + " on " + info.platform() + ", the image's base on " + BASE_PLATFORM + ": the packages of"
                        + " environment.requirements were resolved as " + CROSS_PLATFORM + " wheels for the image;"
                        + " run its image (local start --runtime container, demo --runtime container)");
            }
            if (!info.version().equals(BASE_PYTHON)) {
                throw new EnvironmentMismatchException(spec.name() + ": the machine's python3 (" + python + ") is "
                        + info.version() + ", the image's base has " + BASE_PYTHON + ": the packages of "
                        + "environment.requirements were resolved for " + BASE_PYTHON
                        + "; run its image (local start --runtime"
                        + " container, demo --runtime container) or install python" + BASE_PYTHON
                        + " (MODEL_DEPLOY_PYTHON)");
            }
        }
        List<String> missing = missingDebianPackages(resolved.debianPackages());
        if (!missing.isEmpty()) {
            throw new EnvironmentMismatchException(spec.name() + ": environment.debian package"
                    + (missing.size() == 1 ? " " : "s ") + String.join(", ", missing) + " not installed on this"
                    + " machine (the image's base has them): run its image (local start --runtime container), or apt-get install "
                    + String.join(" ", missing));
        }
    }

    /** The requested Debian packages that {@code dpkg-query} does not report installed here. */
    @SuppressFBWarnings(
            value = "DMI_HARDCODED_ABSOLUTE_FILENAME",
            justification = "dpkg-query is looked for where Debian installs it")
    static List<String> missingDebianPackages(List<String> packages) throws EnvironmentException, InterruptedException {
        if (packages.isEmpty()) {
            return List.of();
        }
        if (!Files.isExecutable(Path.of("/usr/bin/dpkg-query"))) {
            return List.copyOf(packages); // not a Debian machine: none of them can be installed here
        }
        List<String> command =
                new ArrayList<>(List.of("/usr/bin/dpkg-query", "-W", "-f=${Package} ${db:Status-Status}\\n"));
        command.addAll(packages);
        List<String> lines = new ArrayList<>();
        Command.run(command, Map.of("PATH", "/usr/bin:/bin", "LANG", "C"), PROBE_TIMEOUT, lines::add);
        TreeSet<String> installed = new TreeSet<>();
        for (String line : lines) {
            String[] parts = line.trim().split(" ");
            if (parts.length == 2 && parts[1].equals("installed")) {
                installed.add(parts[0].replaceFirst(":.*", ""));
            }
        }
        return packages.stream().filter(p -> !installed.contains(p)).toList();
    }

    /** The installer's python3: its major.minor and platform tag. */
    record PythonInfo(String version, String platform) {}

    PythonInfo pythonInfo() throws EnvironmentException, InterruptedException {
        if (!Files.isExecutable(python)) {
            throw new EnvironmentException("environment.requirements: python interpreter " + python + " not found or"
                    + " not executable (install python3 and python3-pip, or set MODEL_DEPLOY_PYTHON)");
        }
        List<String> out = new ArrayList<>();
        Command.Result result = Command.run(
                List.of(
                        python.toString(),
                        "-c",
                        "import sys, sysconfig; print('%d.%d' % sys.version_info[:2]); print(sysconfig.get_platform())"),
                cleanEnv(),
                PROBE_TIMEOUT,
                out::add);
        if (result.exitCode() != 0 || out.size() < 2) {
            throw new EnvironmentException("cannot ask " + python + " for its version: " + result.tailText());
        }
        return new PythonInfo(out.get(0).trim(), out.get(1).trim());
    }

    /** The installing R's version ({@code R.version.string}), an input of the key: packages are built by it. */
    String rVersion() throws EnvironmentException, InterruptedException {
        if (!Files.isExecutable(rscript)) {
            throw new EnvironmentException("environment.r: " + rscript + " not found (install r-base-core)");
        }
        List<String> out = new ArrayList<>();
        Command.Result result = Command.run(
                List.of(rscript.toString(), "--vanilla", "-e", "cat(R.version.string, '\\n')"),
                cleanEnv(),
                PROBE_TIMEOUT,
                out::add);
        if (result.exitCode() != 0 || out.isEmpty()) {
            throw new EnvironmentException("cannot ask " + rscript + " for its version: " + result.tailText());
        }
        return out.get(0).trim();
    }

    /** {@code 4.2} of {@code R version 4.2.2 Patched (2022-11-10 r83330)}; the text itself when it has no version. */
    static String majorMinor(String rVersionString) {
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("(\\d+)\\.(\\d+)").matcher(rVersionString);
        return m.find() ? m.group(1) + "." + m.group(2) : rVersionString;
    }

    /**
     * Every input that decides the result, one per line: the requirements file's bytes, the wheelhouse's file names
     * and contents, the indexes, the Python it is installed for and by (and its platform), the R packages, lock and
     * repository, the Debian packages and snapshot. Files a requirements file includes ({@code -r}, {@code -c}) are
     * not followed: name them in the requirements file itself or the wheelhouse.
     */
    List<String> inputs(ModelSpec spec, Optional<PythonInfo> installer) throws EnvironmentException {
        return inputs(spec, installer, Optional.empty());
    }

    /** As {@link #inputs(ModelSpec, Optional)}, with the R that installs (and so builds) the R packages. */
    List<String> inputs(ModelSpec spec, Optional<PythonInfo> installer, Optional<String> rVersion)
            throws EnvironmentException {
        EnvironmentSpec env = spec.environment();
        Path dir = spec.directory();
        List<String> lines = new ArrayList<>();
        lines.add("model-deploy environment 1");
        lines.add("runtime " + spec.runtime().id());
        lines.add("debian " + String.join(",", new TreeSet<>(env.debian())));
        lines.add("snapshot " + env.snapshot().orElse(""));
        if (spec.runtime() == ModelRuntime.PYTHON && env.requirements().isPresent()) {
            lines.add("python " + BASE_PYTHON);
            installer.ifPresent(i -> lines.add("installer " + i.version() + " " + i.platform()));
            lines.add("requirements " + sha256(dir.resolve(env.requirements().get()), "environment.requirements"));
            if (env.wheelhouse().isPresent()) {
                tree(dir.resolve(env.wheelhouse().get()), "environment.wheelhouse")
                        .forEach((name, hash) -> lines.add("wheel " + name + " " + hash));
            }
            env.indexUrls().forEach(u -> lines.add("index " + u));
        }
        if (spec.runtime() == ModelRuntime.R && env.r().isPresent()) {
            EnvironmentSpec.RPackages r = env.r().get();
            rVersion.ifPresent(v -> lines.add("r installer " + v));
            lines.add("r packages " + String.join(",", r.packages()));
            if (r.lock().isPresent()) {
                lines.add("r lock " + sha256(dir.resolve(r.lock().get()), "environment.r.lock"));
            }
            if (r.localRepository().isPresent()) {
                tree(dir.resolve(r.localRepository().get()), "environment.r.repository")
                        .forEach((name, hash) -> lines.add("r file " + name + " " + hash));
            } else {
                lines.add("r repository " + r.repository());
            }
        }
        return lines;
    }

    static String key(List<String> inputs) {
        return HexFormat.of()
                .formatHex(digest().digest(String.join("\n", inputs).getBytes(StandardCharsets.UTF_8)));
    }

    private static String shortKey(String key) {
        return key.substring(0, 12);
    }

    private void build(ModelSpec spec, Optional<PythonInfo> installer, Path done, String sub, Consumer<String> log)
            throws EnvironmentException, InterruptedException {
        Path partial = cacheRoot.resolve(".partial-" + UUID.randomUUID());
        try {
            Files.createDirectories(partial);
        } catch (IOException e) {
            throw new EnvironmentException(
                    "cannot create the environment cache " + cacheRoot + ": " + e.getMessage(), e);
        }
        ExitCleanup.register(partial); // a signal skips the finally below: the exit sweep removes it instead
        try {
            if (sub.equals("python")) {
                installPython(spec, installer.orElseThrow(), partial.resolve("python"), log);
            } else {
                installR(spec, String.valueOf(done.getFileName()), partial.resolve("r"), log);
            }
            try {
                Files.move(partial, done, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
                log.accept("environment " + shortKey(String.valueOf(done.getFileName())) + ": resolved concurrently by"
                        + " another build; using that one");
            } catch (AtomicMoveNotSupportedException e) {
                throw new EnvironmentException("cannot rename " + partial + " to " + done + ": " + e.getMessage(), e);
            }
        } catch (IOException e) {
            throw new EnvironmentException("cannot write the environment " + done + ": " + e.getMessage(), e);
        } finally {
            deleteRecursively(partial);
            ExitCleanup.forget(partial);
        }
    }

    private void installPython(ModelSpec spec, PythonInfo installer, Path target, Consumer<String> log)
            throws EnvironmentException, InterruptedException, IOException {
        EnvironmentSpec env = spec.environment();
        Path dir = spec.directory();
        List<String> command = new ArrayList<>(List.of(
                python.toString(),
                "-m",
                "pip",
                "install",
                "--target",
                target.toString(),
                // byte code is written by the interpreter that runs it; compiled here it would embed this path
                "--no-compile",
                // build sdists with the setuptools/wheel installed here, not ones fetched from an index (offline)
                "--no-build-isolation",
                "--disable-pip-version-check",
                "--no-cache-dir",
                "--no-warn-script-location",
                "--progress-bar",
                "off",
                "-r",
                dir.resolve(env.requirements().orElseThrow()).toString()));
        env.wheelhouse()
                .ifPresent(w ->
                        command.addAll(List.of("--find-links", dir.resolve(w).toString())));
        if (env.indexUrls().isEmpty()) {
            command.add("--no-index"); // offline: the wheelhouse is all there is
        } else {
            command.addAll(List.of("--index-url", env.indexUrls().get(0)));
            env.indexUrls().stream().skip(1).forEach(u -> command.addAll(List.of("--extra-index-url", u)));
        }
        if (!installer.version().equals(BASE_PYTHON) || !installer.platform().equals(BASE_PLATFORM)) {
            // pip can only pick ready wheels for a Python or platform it is not running on (a Mac, an arm64
            // machine): nothing may be built here, or it would be built for this machine, not the image
            command.addAll(List.of(
                    "--python-version",
                    BASE_PYTHON,
                    "--only-binary=:all:",
                    "--platform",
                    CROSS_PLATFORM,
                    "--implementation",
                    "cp"));
            log.accept("environment: this machine's python3 is " + installer.version() + " on " + installer.platform()
                    + ", the base's " + BASE_PYTHON + " on " + BASE_PLATFORM + ": installing wheels for " + BASE_PYTHON
                    + " (" + CROSS_PLATFORM + ")");
        }
        log.accept("environment: pip install -r " + env.requirements().get()
                + env.wheelhouse().map(w -> " --find-links " + w).orElse("")
                + (env.indexUrls().isEmpty() ? " --no-index" : " from " + String.join(", ", env.indexUrls())));
        Command.Result result = Command.run(command, cleanEnv(), INSTALL_TIMEOUT, line -> log.accept("pip: " + line));
        if (result.exitCode() != 0) {
            throw new EnvironmentException("environment.requirements: pip could not install "
                    + env.requirements().get() + " (exit " + result.exitCode() + "): " + result.tailText());
        }
        normalize(target);
    }

    /**
     * Removes what varies by where or when the install ran: {@code direct_url.json} (an absolute file:// URL of the
     * wheel) with its line in RECORD, and any byte code.
     */
    /** The interpreter of the images' python3: console scripts name it, not the one that installed them. */
    static final String IMAGE_SHEBANG = "#!/usr/bin/python3";

    /**
     * pip writes console scripts under {@code bin/} with the installing interpreter's path as their {@code #!} line:
     * another machine (another MODEL_DEPLOY_PYTHON) would give other bytes and another digest, and the path may not
     * exist in the image. Each is pointed at the image's python3, and its RECORD line gets the new hash and size.
     */
    static void rewriteScriptShebangs(Path target) throws IOException {
        Path bin = target.resolve("bin");
        if (!Files.isDirectory(bin)) {
            return;
        }
        Map<String, String> records = new java.util.TreeMap<>();
        try (Stream<Path> scripts = Files.list(bin)) {
            for (Path script : scripts.filter(Files::isRegularFile).sorted().toList()) {
                byte[] bytes = Files.readAllBytes(script);
                String text = new String(bytes, StandardCharsets.ISO_8859_1);
                int end = text.indexOf('\n');
                if (!text.startsWith("#!") || end < 0 || !text.substring(0, end).contains("python")) {
                    continue;
                }
                byte[] rewritten = (IMAGE_SHEBANG + text.substring(end)).getBytes(StandardCharsets.ISO_8859_1);
                Files.write(script, rewritten);
                String hash;
                try {
                    hash = java.util.Base64.getUrlEncoder()
                            .withoutPadding()
                            .encodeToString(MessageDigest.getInstance("SHA-256").digest(rewritten));
                } catch (NoSuchAlgorithmException e) {
                    throw new IllegalStateException("SHA-256 is required by every Java platform", e);
                }
                records.put("bin/" + script.getFileName(), ",sha256=" + hash + "," + rewritten.length);
            }
        }
        if (records.isEmpty()) {
            return;
        }
        try (Stream<Path> dirs = Files.list(target)) {
            for (Path record : dirs.filter(d -> String.valueOf(d.getFileName()).endsWith(".dist-info"))
                    .map(d -> d.resolve("RECORD"))
                    .filter(Files::isRegularFile)
                    .sorted()
                    .toList()) {
                List<String> lines = new ArrayList<>();
                for (String line : Files.readAllLines(record, StandardCharsets.UTF_8)) {
                    int comma = line.indexOf(',');
                    String path = comma < 0 ? line : line.substring(0, comma);
                    String replaced = line;
                    for (Map.Entry<String, String> script : records.entrySet()) {
                        if (path.equals(script.getKey()) || path.endsWith("/" + script.getKey())) {
                            replaced = path + script.getValue();
                        }
                    }
                    lines.add(replaced);
                }
                Files.write(record, lines, StandardCharsets.UTF_8);
            }
        }
    }

    static void normalize(Path target) throws IOException {
        if (!Files.isDirectory(target)) {
            Files.createDirectories(target); // a requirements file of comments only: an empty, still valid, layer
            return;
        }
        rewriteScriptShebangs(target);
        List<Path> all;
        try (Stream<Path> files = Files.walk(target)) {
            all = files.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : all) {
            String name = String.valueOf(p.getFileName());
            if (name.equals("__pycache__") || name.endsWith(".pyc")) {
                deleteRecursively(p);
            } else if (name.equals("direct_url.json")) {
                Path parent = p.getParent();
                String distInfo = parent == null ? "" : String.valueOf(parent.getFileName());
                if (!distInfo.endsWith(".dist-info")) {
                    continue;
                }
                Files.delete(p);
                Path record = p.resolveSibling("RECORD");
                if (Files.isRegularFile(record)) {
                    List<String> kept = Files.readAllLines(record, StandardCharsets.UTF_8).stream()
                            .filter(line -> !line.startsWith(distInfo + "/direct_url.json,"))
                            .toList();
                    Files.write(record, kept, StandardCharsets.UTF_8);
                }
            }
        }
    }

    /**
     * Installs into {@link #R_BUILD_ROOT}{@code /<key>}, the same path on every machine, then copies into {@code
     * result}: R records the library's path in each package's lazy-load database, so a random directory would make
     * every resolution differ. A file lock keeps two builds of the same key from sharing it.
     */
    @SuppressFBWarnings(
            value = "DMI_HARDCODED_ABSOLUTE_FILENAME",
            justification = "a fixed path is the point: R writes it into the packages it installs")
    private void installR(ModelSpec spec, String key, Path result, Consumer<String> log)
            throws EnvironmentException, InterruptedException, IOException {
        Path root = Path.of(R_BUILD_ROOT);
        Files.createDirectories(root);
        try (java.nio.channels.FileChannel lockFile = java.nio.channels.FileChannel.open(
                        root.resolve(key + ".lock"),
                        java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.WRITE);
                java.nio.channels.FileLock lock = lockFile.lock()) {
            Path target = root.resolve(key);
            deleteRecursively(target); // what a killed build left
            try {
                installRInto(spec, target, log);
                copyTree(target, result);
            } finally {
                deleteRecursively(target);
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(dest);
                } else if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.copy(p, dest, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private void installRInto(ModelSpec spec, Path target, Consumer<String> log)
            throws EnvironmentException, InterruptedException, IOException {
        EnvironmentSpec.RPackages r = spec.environment().r().orElseThrow();
        if (!Files.isExecutable(rscript)) {
            throw new EnvironmentException("environment.r: " + rscript + " not found (install r-base-core)");
        }
        Map<String, String> wanted = new LinkedHashMap<>(); // name -> version ("" when any version will do)
        r.packages().forEach(p -> wanted.put(p, ""));
        if (r.lock().isPresent()) {
            wanted.putAll(lockPackages(spec.directory().resolve(r.lock().get())));
        }
        String repository = r.localRepository()
                .map(p -> spec.directory().resolve(p).toUri().toString())
                .orElse(r.repository());
        Files.createDirectories(target);
        List<String> command = new ArrayList<>(List.of(
                rscript.toString(),
                "--vanilla",
                "-e",
                String.join(
                        "\n",
                        "args <- commandArgs(trailingOnly = TRUE)",
                        "lib <- args[1]; repo <- args[2]; rest <- args[-(1:2)]",
                        "pkgs <- rest[c(TRUE, FALSE)]; versions <- rest[c(FALSE, TRUE)]",
                        "install.packages(pkgs, lib = lib, repos = repo, type = 'source', dependencies = NA,",
                        "    Ncpus = 1L, quiet = TRUE)",
                        "bad <- character()",
                        "for (i in seq_along(pkgs)) {",
                        "  v <- tryCatch(as.character(packageVersion(pkgs[i], lib.loc = c(lib, .libPaths()))),",
                        "                error = function(e) NA)",
                        "  if (is.na(v)) bad <- c(bad, paste0(pkgs[i], ' (not installed)'))",
                        "  else if (nzchar(versions[i]) && v != versions[i])",
                        "    bad <- c(bad, paste0(pkgs[i], ' ', v, ' (the lock says ', versions[i], ')'))",
                        "}",
                        "if (length(bad)) { cat('FAILED:', paste(bad, collapse = ', '), '\\n'); quit(status = 3) }",
                        // the install time is the one thing left that differs between two resolutions
                        "when <- format(as.POSIXct(" + SOURCE_DATE_EPOCH + ", origin = '1970-01-01', tz = 'UTC'),",
                        "    '%Y-%m-%d %H:%M:%S UTC', tz = 'UTC')",
                        "stamp <- function(x) sub('^([^;]*;[^;]*;) [^;]*;', paste0('\\\\1 ', when, ';'), x)",
                        "for (pkg in list.dirs(lib, recursive = FALSE, full.names = TRUE)) {",
                        "  desc <- file.path(pkg, 'DESCRIPTION')",
                        "  if (!file.exists(desc)) next",
                        "  lines <- readLines(desc)",
                        "  built <- startsWith(lines, 'Built: ')",
                        "  lines[built] <- paste0('Built: ', stamp(substring(lines[built], 8)))",
                        "  writeLines(lines, desc)",
                        "  meta <- file.path(pkg, 'Meta', 'package.rds')",
                        "  if (!file.exists(meta)) next",
                        "  p <- readRDS(meta)",
                        "  p$Built$Date <- when",
                        "  p$DESCRIPTION[['Built']] <- stamp(p$DESCRIPTION[['Built']])",
                        "  saveRDS(p, meta)",
                        // the help index keeps its Rd files' paths in a temporary directory (and the prefix length)
                        "  hp <- file.path(pkg, 'help', 'paths.rds')",
                        "  if (file.exists(hp)) {",
                        "    x <- readRDS(hp); first <- attr(x, 'first')",
                        "    y <- substring(x, if (is.null(first)) 1L else first); attr(y, 'first') <- 1L",
                        "    saveRDS(y, hp)",
                        "  }",
                        "}"),
                target.toString(),
                repository));
        wanted.forEach((name, version) -> {
            command.add(name);
            command.add(version);
        });
        log.accept("environment: R install.packages(" + String.join(", ", wanted.keySet()) + ") from " + repository);
        Map<String, String> env = cleanEnv();
        env.put("R_LIBS_USER", target.toString()); // nothing from the user's own library
        env.put("MAKEFLAGS", "-j1");
        Command.Result result = Command.run(command, env, INSTALL_TIMEOUT, line -> log.accept("R: " + line));
        if (result.exitCode() != 0) {
            throw new EnvironmentException("environment.r: installing " + String.join(", ", wanted.keySet()) + " from "
                    + r.repository() + " failed (exit " + result.exitCode() + "): " + result.tailText());
        }
    }

    /** Package name -> version of an renv lockfile's {@code Packages}. */
    static Map<String, String> lockPackages(Path lock) throws EnvironmentException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(lock.toFile());
        } catch (IOException e) {
            throw new EnvironmentException(
                    "environment.r.lock: " + lock.getFileName() + " is not an renv lockfile: " + e.getMessage(), e);
        }
        Map<String, String> packages = new TreeMap<>();
        JsonNode node = root.path("Packages");
        if (!node.isObject() || node.isEmpty()) {
            throw new EnvironmentException("environment.r.lock: " + lock.getFileName() + " lists no Packages");
        }
        for (var fields = node.fields(); fields.hasNext(); ) {
            var entry = fields.next();
            String version = entry.getValue().path("Version").asText("");
            if (!entry.getKey().matches("[A-Za-z][A-Za-z0-9.]*[A-Za-z0-9]") || !version.matches("[0-9.-]*")) {
                throw new EnvironmentException("environment.r.lock: " + lock.getFileName() + ": package \""
                        + entry.getKey() + "\" version \"" + version + "\" is not an R package name and version");
            }
            packages.put(entry.getKey(), version);
        }
        return packages;
    }

    /** Only what an installer needs: a fixed PATH and locale, the build date, and the proxies to reach an index. */
    static Map<String, String> cleanEnv() {
        Map<String, String> env = new TreeMap<>();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("LANG", "C.UTF-8");
        env.put("HOME", System.getProperty("java.io.tmpdir")); // no ~/.config/pip, ~/.R/Makevars of the user
        env.put("PIP_CONFIG_FILE", "/dev/null"); // pip reads no configuration file at all (pip's documented switch)
        env.put("PYTHONNOUSERSITE", "1");
        env.put("PYTHONDONTWRITEBYTECODE", "1");
        env.put("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH);
        for (String name : PASSED_THROUGH) {
            String value = System.getenv(name);
            if (value != null) {
                env.put(name, value);
            }
        }
        return env;
    }

    private static String sha256(Path file, String field) throws EnvironmentException {
        MessageDigest sha = digest();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new EnvironmentException(field + ": cannot read " + file + ": " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Relative name (with '/') -> SHA-256 of every regular file under {@code root}, sorted by name. */
    private static Map<String, String> tree(Path root, String field) throws EnvironmentException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(p).toString().replace('\\', '/'), sha256(p, field));
            }
        } catch (IOException e) {
            throw new EnvironmentException(field + ": cannot read " + root + ": " + e.getMessage(), e);
        }
        return files;
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // best effort: a leftover .partial- directory is never read (only complete keys are)
        }
    }
}
