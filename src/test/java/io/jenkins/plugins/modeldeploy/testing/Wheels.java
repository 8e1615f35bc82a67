package io.jenkins.plugins.modeldeploy.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Wheels of one-module packages built here from a local source package (PyPI is out of reach): the packages a
 * model's {@code environment.wheelhouse} offers and nothing else on the machine has.
 */
public final class Wheels {
    private Wheels() {}

    /**
     * Builds {@code name}-1.0 with {@code source} as its only module into a wheel in {@code wheels}, from a source tree
     * made under {@code scratch}, with Debian's python3 and setuptools and no index.
     */
    public static void build(Path scratch, String name, String source, Path wheels) throws Exception {
        Path src = Files.createDirectories(scratch.resolve("src-" + name));
        Files.writeString(src.resolve(name + ".py"), source);
        Files.writeString(
                src.resolve("setup.py"),
                "from setuptools import setup\nsetup(name=\"" + name + "\", version=\"1.0\", py_modules=[\"" + name
                        + "\"])\n");
        Process pip = new ProcessBuilder(
                        "/usr/bin/python3",
                        "-m",
                        "pip",
                        "wheel",
                        "--no-build-isolation",
                        "--no-deps",
                        "--no-index",
                        "--disable-pip-version-check",
                        "-w",
                        wheels.toString(),
                        src.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(pip.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(pip.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(pip.exitValue()).as(output).isZero();
    }
}
