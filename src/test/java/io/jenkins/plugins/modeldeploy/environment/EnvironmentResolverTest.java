package io.jenkins.plugins.modeldeploy.environment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.modeldeploy.model.ModelSpec;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache key covers every input and nothing else; a resolved directory carries nothing of where it was built. */
class EnvironmentResolverTest {
    private static final EnvironmentResolver.PythonInfo INSTALLER =
            new EnvironmentResolver.PythonInfo("3.11", "linux-x86_64");

    @TempDir
    Path dir;

    @TempDir
    Path elsewhere;

    private final EnvironmentResolver resolver =
            new EnvironmentResolver(Path.of("unused"), Path.of("/usr/bin/python3"), Path.of("/usr/bin/Rscript"));

    @BeforeEach
    void model() throws IOException {
        for (Path d : List.of(dir, elsewhere)) {
            Files.writeString(d.resolve("model.py"), "def predict(x): return x\n");
            Files.writeString(d.resolve("requirements.txt"), "mdtoy==1.0\n");
            Files.createDirectories(d.resolve("wheels"));
            Files.writeString(d.resolve("wheels/mdtoy-1.0-py3-none-any.whl"), "wheel bytes");
            Files.writeString(d.resolve("model.yaml"), """
                    name: toy
                    runtime: python
                    entrypoint: model:predict
                    environment: {requirements: requirements.txt, wheelhouse: wheels}
                    """);
        }
    }

    private String key(Path model) throws Exception {
        ModelSpec spec = new ModelSpecLoader().load(model);
        return EnvironmentResolver.key(resolver.inputs(spec, Optional.of(INSTALLER)));
    }

    @Test
    void theKeyDependsOnContentsNotOnWhereTheModelIs() throws Exception {
        String key = key(dir);
        assertThat(key).hasSize(64).isEqualTo(key(elsewhere));
        Files.writeString(dir.resolve("model.py"), "def predict(x): return 2 * x\n");
        assertThat(key(dir)).as("code is no input").isEqualTo(key);
        Files.writeString(dir.resolve("requirements.txt"), "mdtoy==1.0\nmdtoy2==1.0\n");
        String changedRequirements = key(dir);
        assertThat(changedRequirements).isNotEqualTo(key);
        Files.writeString(dir.resolve("wheels/mdtoy2-1.0-py3-none-any.whl"), "other wheel");
        assertThat(key(dir)).isNotEqualTo(changedRequirements);
        ModelSpec spec = new ModelSpecLoader().load(dir);
        assertThat(EnvironmentResolver.key(
                        resolver.inputs(spec, Optional.of(new EnvironmentResolver.PythonInfo("3.12", "linux-x86_64")))))
                .as("the installing python is an input")
                .isNotEqualTo(key(dir));
    }

    @Test
    void normalizingRemovesPathsAndByteCode() throws Exception {
        Path target = dir.resolve("target");
        Path info = Files.createDirectories(target.resolve("mdtoy-1.0.dist-info"));
        Files.writeString(info.resolve("direct_url.json"), "{\"url\": \"file:///tmp/x/mdtoy-1.0-py3-none-any.whl\"}");
        Files.writeString(
                info.resolve("RECORD"),
                "mdtoy/__init__.py,sha256=abc,10\n"
                        + "mdtoy-1.0.dist-info/direct_url.json,sha256=def,50\nmdtoy-1.0.dist-info/RECORD,,\n");
        Files.createDirectories(target.resolve("mdtoy/__pycache__"));
        Files.writeString(target.resolve("mdtoy/__pycache__/__init__.cpython-311.pyc"), "x");
        Files.writeString(target.resolve("mdtoy/__init__.py"), "x = 1\n");
        EnvironmentResolver.normalize(target);
        assertThat(info.resolve("direct_url.json")).doesNotExist();
        assertThat(target.resolve("mdtoy/__pycache__")).doesNotExist();
        assertThat(Files.readAllLines(info.resolve("RECORD")))
                .containsExactly("mdtoy/__init__.py,sha256=abc,10", "mdtoy-1.0.dist-info/RECORD,,");
        assertThat(target.resolve("mdtoy/__init__.py")).exists();
    }

    @Test
    void anRenvLockGivesNamesAndVersions() throws Exception {
        Path lock = dir.resolve("renv.lock");
        Files.writeString(lock, """
                {"R": {"Version": "4.2.2"},
                 "Packages": {"glue": {"Package": "glue", "Version": "1.6.2", "Source": "Repository"}}}
                """);
        assertThat(EnvironmentResolver.lockPackages(lock)).containsExactly(java.util.Map.entry("glue", "1.6.2"));
        Files.writeString(lock, "{\"Packages\": {\"x; system('rm')\": {\"Version\": \"1\"}}}");
        assertThatThrownBy(() -> EnvironmentResolver.lockPackages(lock))
                .isInstanceOf(EnvironmentException.class)
                .hasMessageContaining("environment.r.lock: renv.lock: package");
    }

    @Test
    void theInstallerSeesNoneOfTheUsersPipSettings() {
        assertThat(EnvironmentResolver.cleanEnv())
                .containsEntry("PIP_CONFIG_FILE", "/dev/null")
                .doesNotContainKeys("PIP_INDEX_URL", "PYTHONPATH", "R_LIBS", "R_LIBS_USER");
    }

    @Test
    void aMachinePythonOfAnotherVersionIsNamedForLocalProcesses() throws Exception {
        Path fake = dir.resolve("python3.12");
        Files.writeString(fake, "#!/bin/sh\necho 3.12\necho linux-x86_64\n");
        fake.toFile().setExecutable(true);
        EnvironmentResolver other = new EnvironmentResolver(dir.resolve("cache"), fake, Path.of("/usr/bin/Rscript"));
        ModelSpec spec = new ModelSpecLoader().load(dir);
        ResolvedEnvironment resolved =
                new ResolvedEnvironment("k", Optional.of(dir.resolve("cache/k/python")), Optional.empty(), List.of());
        assertThatThrownBy(() -> other.checkLocal(spec, resolved))
                .isInstanceOf(EnvironmentMismatchException.class)
                .hasMessageContaining("the machine's python3 (" + fake + ") is 3.12, the image's base has 3.11")
                .hasMessageContaining(
                        "run its image (local start --runtime container, demo --runtime container) or install python3.11");
        ResolvedEnvironment debian =
                new ResolvedEnvironment("k", Optional.empty(), Optional.empty(), List.of("no-such-package-mdtoy"));
        assertThatThrownBy(() -> other.checkLocal(spec, debian))
                .isInstanceOf(EnvironmentMismatchException.class)
                .hasMessageContaining("environment.debian package no-such-package-mdtoy not installed on this machine")
                .hasMessageContaining("run its image (local start --runtime container)");
    }

    @Test
    void aMachinePythonOfTheSameVersionOnAnotherPlatformIsNamedForLocalProcesses() throws Exception {
        Path fake = dir.resolve("python3-mac");
        Files.writeString(fake, "#!/bin/sh\necho 3.11\necho macosx-14.0-arm64\n");
        fake.toFile().setExecutable(true);
        EnvironmentResolver mac = new EnvironmentResolver(dir.resolve("cache"), fake, Path.of("/usr/bin/Rscript"));
        ModelSpec spec = new ModelSpecLoader().load(dir);
        ResolvedEnvironment resolved =
                new ResolvedEnvironment("k", Optional.of(dir.resolve("cache/k/python")), Optional.empty(), List.of());
        assertThatThrownBy(() -> mac.checkLocal(spec, resolved))
                .isInstanceOf(EnvironmentMismatchException.class)
                .hasMessageContaining("runs on macosx-14.0-arm64, the image's base on linux-x86_64");
    }

    @Test
    void anRVersionIsReadAsMajorMinor() {
        assertThat(EnvironmentResolver.majorMinor("R version 4.2.2 Patched (2022-11-10 r83330)"))
                .isEqualTo(EnvironmentResolver.BASE_R);
        assertThat(EnvironmentResolver.majorMinor("R version 4.4.1 (2024-06-14)"))
                .isEqualTo("4.4");
    }

    @Test
    void consoleScriptsNameTheImagesPythonAndTheirRecordLinesFollow() throws Exception {
        Path target = Files.createDirectories(dir.resolve("target"));
        Path bin = Files.createDirectories(target.resolve("bin"));
        Files.writeString(bin.resolve("mdtool"), "#!/opt/pyenv/versions/3.11.7/bin/python3.11\nprint(1)\n");
        Files.writeString(bin.resolve("notes.txt"), "not a script\n");
        Path distInfo = Files.createDirectories(target.resolve("mdtool-1.0.dist-info"));
        Files.writeString(distInfo.resolve("RECORD"), "../../bin/mdtool,sha256=stale,44\nmdtool.py,sha256=x,1\n");
        EnvironmentResolver.normalize(target);
        byte[] script = Files.readAllBytes(bin.resolve("mdtool"));
        assertThat(new String(script, StandardCharsets.UTF_8)).isEqualTo("#!/usr/bin/python3\nprint(1)\n");
        String hash = java.util.Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(
                        java.security.MessageDigest.getInstance("SHA-256").digest(script));
        assertThat(Files.readAllLines(distInfo.resolve("RECORD")))
                .containsExactly("../../bin/mdtool,sha256=" + hash + "," + script.length, "mdtool.py,sha256=x,1");
        assertThat(bin.resolve("notes.txt")).hasContent("not a script");
    }

    @Test
    void aFailingPipNamesTheRequirementsAndLeavesNothingInTheCache() throws Exception {
        Path fake = dir.resolve("python3");
        // answers the version probe, then fails the install as pip would
        Files.writeString(
                fake,
                "#!/bin/sh\nif [ \"$1\" = -c ]; then echo 3.11; echo linux-x86_64; exit 0; fi\n"
                        + "echo 'ERROR: No matching distribution found for mdtoy==1.0'; exit 1\n");
        fake.toFile().setExecutable(true);
        Path cache = dir.resolve("cache");
        EnvironmentResolver failing = new EnvironmentResolver(cache, fake, Path.of("/usr/bin/Rscript"));
        ModelSpec spec = new ModelSpecLoader().load(dir);
        assertThatThrownBy(() -> failing.resolveFor(spec, line -> {}))
                .isInstanceOf(EnvironmentException.class)
                .hasMessageContaining("environment.requirements: pip could not install requirements.txt (exit 1)")
                .hasMessageContaining("No matching distribution found for mdtoy==1.0");
        try (var left = Files.list(cache)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void debianPackagesNotInstalledHereAreNamed() throws Exception {
        assertThat(EnvironmentResolver.missingDebianPackages(List.of("dpkg", "no-such-package-mdtoy")))
                .containsExactly("no-such-package-mdtoy");
    }
}
