package io.jenkins.plugins.modeldeploy.environment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.modeldeploy.container.Podman;
import io.jenkins.plugins.modeldeploy.harness.HarnessOptions;
import io.jenkins.plugins.modeldeploy.harness.HarnessProcess;
import io.jenkins.plugins.modeldeploy.image.BaseImage;
import io.jenkins.plugins.modeldeploy.image.BaseImageCache;
import io.jenkins.plugins.modeldeploy.image.BaseImages;
import io.jenkins.plugins.modeldeploy.image.BuiltImage;
import io.jenkins.plugins.modeldeploy.image.ImageBuildException;
import io.jenkins.plugins.modeldeploy.image.ImagePlan;
import io.jenkins.plugins.modeldeploy.image.ImageTarget;
import io.jenkins.plugins.modeldeploy.image.JibImageBuilder;
import io.jenkins.plugins.modeldeploy.model.ModelRuntime;
import io.jenkins.plugins.modeldeploy.model.ModelSpec;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.testing.LocalRegistry;
import io.jenkins.plugins.modeldeploy.testing.RawHttp;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model's declared environment, end to end: a package that exists only in a wheelhouse the test builds from a local
 * source package is resolved into the dependency layer; the image is reproducible, a code change pushes one layer, a
 * requirements change only the dependency layer; the model answers through {@code serve} (HarnessProcess) and podman
 * alike. And an R model declaring a Debian package builds on a base cached by its package set and answers in podman.
 */
class EnvironmentIT {
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    @TempDir
    Path dir;

    private final List<String> log = new ArrayList<>();

    @Test
    void aWheelhousePackageIsResolvedIntoItsOwnLayerAndServedEverywhere() throws Exception {
        Path model = Files.createDirectories(dir.resolve("toy"));
        Path wheels = Files.createDirectories(model.resolve("wheels"));
        wheel("mdtoy", "def double(x):\n    return 2 * x\n", wheels);
        Files.writeString(model.resolve("requirements.txt"), "mdtoy==1.0\n");
        Files.writeString(model.resolve("model.py"), """
                import mdtoy


                class Toy:
                    def predict(self, instances):
                        return [mdtoy.double(x) for x in instances]
                """);
        Files.createDirectories(model.resolve("samples"));
        Files.writeString(model.resolve("samples/one.json"), "{\"instances\": [1, 2]}");
        Files.writeString(model.resolve("model.yaml"), """
                name: toy
                runtime: python
                entrypoint: model:Toy
                environment:
                  requirements: requirements.txt
                  wheelhouse: wheels
                """);
        ModelVersion v1 = ModelVersion.of(new ModelSpecLoader().load(model), "1", "test");

        // serve: the model runs as a local process with the resolved packages on its PYTHONPATH
        try (HarnessProcess harness = HarnessProcess.start(v1, HarnessOptions.loopback(), log::add)) {
            try (RawHttp http = new RawHttp(harness.url())) {
                RawHttp.Response response = http.postJson("/predict", "{\"instances\": [1, 2]}");
                assertThat(response.status()).as(response.text()).isEqualTo(200);
                assertThat(response.json().get("predictions")).hasToString("[2,4]");
            }
        }
        ResolvedEnvironment resolved = EnvironmentResolver.resolve(v1.spec(), log::add);
        assertThat(resolved.pythonPackages().orElseThrow().resolve("mdtoy.py")).exists();
        try (var files = Files.walk(resolved.pythonPackages().orElseThrow())) {
            assertThat(files.map(Path::toString))
                    .noneMatch(p -> p.endsWith("direct_url.json") || p.contains("__pycache__"));
        }

        // from a clean cache (another machine, a clean clone) the same inputs give the same files
        Path otherCache = dir.resolve("other-cache");
        ResolvedEnvironment elsewhere = new EnvironmentResolver(otherCache, PYTHON, Path.of("/usr/bin/Rscript"))
                .resolveFor(v1.spec(), log::add);
        assertThat(elsewhere.key()).isEqualTo(resolved.key());
        assertThat(contents(elsewhere.pythonPackages().orElseThrow()))
                .isEqualTo(contents(resolved.pythonPackages().orElseThrow()));

        Path base = io.jenkins.plugins.modeldeploy.testing.BaseImageCache.tar(ModelRuntime.PYTHON);
        try (LocalRegistry registry = LocalRegistry.start(dir.resolve("registry"), null, null)) {
            String repository = registry.host() + "/models/toy";
            BuiltImage first = build(v1, base, repository);
            List<String> firstLayers = layers(registry, "1");
            // the same inputs give the same image
            BuiltImage again = build(v1, base, repository);
            assertThat(again.digest()).isEqualTo(first.digest());
            assertThat(again.layersPushed()).isZero();
            JsonNode config = registry.blobJson(
                    "models/toy",
                    registry.manifest("models/toy", "1").at("/config/digest").asText());
            assertThat(config.at("/config/Env").toString()).contains("/opt/model-deploy/deps/python");
            assertThat(config.at("/config/Labels/model-deploy.jenkins.io~1environment")
                            .asText())
                    .isEqualTo(resolved.key());

            // one line of code: one layer (the last)
            Files.writeString(
                    model.resolve("model.py"),
                    Files.readString(model.resolve("model.py"))
                            .replace(
                                    "return [mdtoy.double(x) for x in instances]",
                                    "return [mdtoy.double(x) for x in instances]  # v2"));
            BuiltImage code = build(ModelVersion.of(new ModelSpecLoader().load(model), "1", "test"), base, repository);
            assertThat(code.layersPushed()).isEqualTo(1);
            List<String> codeLayers = layers(registry, "1");
            assertThat(changed(firstLayers, codeLayers)).containsExactly(codeLayers.size() - 1);

            // another requirement: only the dependency layer (base → dependencies → harness → data → code)
            wheel("mdtoy2", "def triple(x):\n    return 3 * x\n", wheels);
            Files.writeString(model.resolve("requirements.txt"), "mdtoy==1.0\nmdtoy2==1.0\n");
            BuiltImage requirements =
                    build(ModelVersion.of(new ModelSpecLoader().load(model), "1", "test"), base, repository);
            assertThat(requirements.layersPushed()).isEqualTo(1);
            List<String> requirementLayers = layers(registry, "1");
            // the model has no data files, and Jib writes no empty layer: ..., dependencies, harness, code
            assertThat(changed(codeLayers, requirementLayers)).containsExactly(requirementLayers.size() - 3);
            System.out.println("[EnvironmentIT] python: first " + first.layersPushed() + " layers "
                    + first.bytesPushed() + " bytes, rebuild " + again.layersPushed() + ", code change "
                    + code.layersPushed() + ", requirements change " + requirements.layersPushed() + " ("
                    + requirements.bytesPushed() + " bytes)");

            // the image answers in podman
            Podman podman = Podman.projectLocal();
            podman.run(600, "pull", "--quiet", "--tls-verify=false", requirements.pinned());
            assertThat(predictInPodman(podman, requirements.pinned(), "{\"instances\": [1, 2]}")
                            .get("predictions"))
                    .hasToString("[2,4]");
        }
    }

    @Test
    void anRModelWithADebianPackageBuildsOnABaseCachedByItsSetAndAnswersInPodman() throws Exception {
        Path model = Files.createDirectories(dir.resolve("greet"));
        Files.writeString(model.resolve("model.R"), """
                predict <- function(df) {
                  as.character(glue::glue("hello {df$name}"))
                }
                """);
        Files.writeString(model.resolve("model.yaml"), """
                name: greet
                runtime: r
                entrypoint: model.R
                environment:
                  debian: [r-cran-glue]
                """);
        Files.createDirectories(model.resolve("samples"));
        Files.writeString(model.resolve("samples/one.json"), "{\"instances\": [{\"name\": \"world\"}]}");
        ModelSpec spec = new ModelSpecLoader().load(model);
        ModelVersion version = ModelVersion.of(spec, "1", "test");

        BaseImage base = BaseImages.forSpec(spec, Optional.empty(), "--base-image", line -> {
                    System.out.println("[base-image] " + line);
                    log.add(line);
                })
                .orElseThrow();
        Path expected = BaseImageCache.path(ModelRuntime.R, List.of("r-cran-glue"), Optional.empty());
        assertThat(base).isEqualTo(new BaseImage.Tar(expected));
        assertThat(expected.getFileName().toString())
                .isNotEqualTo(BaseImageCache.path(ModelRuntime.R, List.of(), Optional.empty())
                        .getFileName()
                        .toString());
        List<String> second = new ArrayList<>();
        assertThat(BaseImages.forSpec(spec, Optional.empty(), "--base-image", second::add))
                .contains(new BaseImage.Tar(expected));
        assertThat(second).singleElement().asString().startsWith("reusing the cached r base with r-cran-glue");
        assertThatThrownBy(() -> BaseImages.forSpec(spec, Optional.of("docker.io/r-base:4"), "--base-image", l -> {}))
                .isInstanceOf(ImageBuildException.class)
                .hasMessageContaining("--base-image docker.io/r-base:4 and environment.debian (r-cran-glue)");

        Path tar = dir.resolve("greet.tar");
        BuiltImage image = new JibImageBuilder(dir.resolve("work"), log::add)
                .build(new ImagePlan(version, base, "localhost/models/greet", new ImageTarget.Tar(tar)));
        Podman podman = Podman.projectLocal();
        podman.run(600, "load", "--quiet", "--input", tar.toString());
        JsonNode answer = predictInPodman(podman, image.image(), "{\"instances\": [{\"name\": \"world\"}]}");
        assertThat(answer.get("predictions").toString()).contains("hello world");
    }

    @Test
    void rPackagesFromALocalRepositoryAreResolvedIntoAnRLibraryForServeAndTheImage() throws Exception {
        Path model = Files.createDirectories(dir.resolve("rtoy"));
        Path contrib = Files.createDirectories(model.resolve("cran/src/contrib"));
        rPackage("mdtoyr", "double_it <- function(x) 2 * x\n", contrib);
        Files.writeString(model.resolve("model.R"), """
                predict <- function(df) {
                  mdtoyr::double_it(df$x)
                }
                """);
        Files.writeString(model.resolve("model.yaml"), """
                name: rtoy
                runtime: r
                entrypoint: model.R
                environment:
                  r: {packages: [mdtoyr], repository: cran}
                """);
        Files.createDirectories(model.resolve("samples"));
        Files.writeString(model.resolve("samples/one.json"), "{\"instances\": [{\"x\": 21}]}");
        ModelVersion version = ModelVersion.of(new ModelSpecLoader().load(model), "1", "test");

        ResolvedEnvironment resolved = EnvironmentResolver.resolve(version.spec(), log::add);
        assertThat(resolved.rLibrary().orElseThrow().resolve("mdtoyr/DESCRIPTION"))
                .exists();
        assertThat(EnvironmentResolver.resolve(version.spec(), log::add)).isEqualTo(resolved);
        // R records the install time and the library's path in what it installs: both are fixed by the resolver
        ResolvedEnvironment elsewhere = new EnvironmentResolver(
                        dir.resolve("other-cache"), PYTHON, Path.of("/usr/bin/Rscript"))
                .resolveFor(version.spec(), log::add);
        java.util.Map<String, String> here = contents(resolved.rLibrary().orElseThrow());
        java.util.Map<String, String> there = contents(elsewhere.rLibrary().orElseThrow());
        System.out.println("[EnvironmentIT] R library from a clean cache: " + here.size() + " files, differing: "
                + here.keySet().stream()
                        .filter(k -> !here.get(k).equals(there.get(k)))
                        .toList());
        assertThat(there).isEqualTo(here);
        try (HarnessProcess harness = HarnessProcess.start(version, HarnessOptions.loopback(), log::add)) {
            try (RawHttp http = new RawHttp(harness.url())) {
                RawHttp.Response response = http.postJson("/predict", "{\"instances\": [{\"x\": 21}]}");
                assertThat(response.status()).as(response.text()).isEqualTo(200);
                assertThat(response.json().at("/predictions/0").asDouble()).isEqualTo(42.0);
            }
        }
        Path tar = dir.resolve("rtoy.tar");
        BuiltImage image = new JibImageBuilder(dir.resolve("work"), log::add)
                .build(new ImagePlan(
                        version,
                        new BaseImage.Tar(io.jenkins.plugins.modeldeploy.testing.BaseImageCache.tar(ModelRuntime.R)),
                        "localhost/models/rtoy",
                        new ImageTarget.Tar(tar)));
        Podman podman = Podman.projectLocal();
        podman.run(600, "load", "--quiet", "--input", tar.toString());
        JsonNode answer = predictInPodman(podman, image.image(), "{\"instances\": [{\"x\": 21}]}");
        assertThat(answer.at("/predictions/0").asDouble()).isEqualTo(42.0);
    }

    /** Builds the source package {@code name} 1.0 (one R file) into a CRAN-like {@code contrib} directory. */
    private void rPackage(String name, String source, Path contrib) throws Exception {
        Path src = Files.createDirectories(dir.resolve("rsrc/" + name + "/R"));
        Files.writeString(src.resolve(name + ".R"), source);
        Files.writeString(
                src.resolveSibling("DESCRIPTION"),
                "Package: " + name + "\nVersion: 1.0\nTitle: Test\n"
                        + "Description: A test package.\nLicense: MIT\nAuthor: test\nMaintainer: test <t@example.org>\n");
        Files.writeString(src.resolveSibling("NAMESPACE"), "export(double_it)\n");
        run(
                contrib,
                "/usr/bin/R",
                "CMD",
                "build",
                "--no-build-vignettes",
                "--no-manual",
                src.getParent().toString());
        run(contrib, "/usr/bin/Rscript", "-e", "tools::write_PACKAGES('.', type = 'source')");
    }

    private static void run(Path workDir, String... command) throws Exception {
        Process process = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }

    private void wheel(String name, String source, Path wheels) throws Exception {
        io.jenkins.plugins.modeldeploy.testing.Wheels.build(dir, name, source, wheels);
    }

    private BuiltImage build(ModelVersion version, Path base, String repository) throws Exception {
        return new JibImageBuilder(dir.resolve("work"), log::add)
                .build(new ImagePlan(
                        version,
                        new BaseImage.Tar(base),
                        repository,
                        new ImageTarget.Registry(Optional.empty(), true)));
    }

    /** Relative path -> SHA-256 of every file under {@code root}. */
    private static java.util.Map<String, String> contents(Path root) throws Exception {
        java.util.Map<String, String> files = new java.util.TreeMap<>();
        try (var walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(
                        root.relativize(p).toString(),
                        java.util.HexFormat.of()
                                .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                                        .digest(Files.readAllBytes(p))));
            }
        }
        return files;
    }

    private static List<String> layers(LocalRegistry registry, String tag) throws Exception {
        List<String> digests = new ArrayList<>();
        registry.manifest("models/toy", tag)
                .get("layers")
                .forEach(l -> digests.add(l.get("digest").asText()));
        return digests;
    }

    private static List<Integer> changed(List<String> before, List<String> after) {
        assertThat(after).hasSameSizeAs(before);
        return IntStream.range(0, before.size())
                .filter(i -> !before.get(i).equals(after.get(i)))
                .boxed()
                .toList();
    }

    private static JsonNode predictInPodman(Podman podman, String image, String body) throws Exception {
        int port = freePort();
        String container = podman.run(
                120,
                "run",
                "--detach",
                "--rm",
                "--network",
                "host",
                image,
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(port));
        try {
            URI url = URI.create("http://127.0.0.1:" + port);
            awaitReady(url, podman, container);
            try (RawHttp http = new RawHttp(url)) {
                RawHttp.Response response = http.postJson("/predict", body);
                assertThat(response.status()).as(response.text()).isEqualTo(200);
                return response.json();
            }
        } finally {
            podman.run(60, "stop", "--time", "15", container);
        }
    }

    private static void awaitReady(URI url, Podman podman, String container) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            try (RawHttp http = new RawHttp(url)) {
                if (http.get("/v2/health/ready").status() == 200) {
                    return;
                }
            } catch (ConnectException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("container never became ready: " + podman.run(30, "logs", container));
            }
            Thread.sleep(250);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
