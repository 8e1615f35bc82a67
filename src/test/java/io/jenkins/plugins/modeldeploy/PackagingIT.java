package io.jenkins.plugins.modeldeploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * What the offline build (offline/pom.xml) packages: the signature-only Jenkins API (src/jenkins-api) and test harness
 * (src/jenkins-test-api) are compiled but must never reach a jar, where they would shadow the real Jenkins classes;
 * nor may any test class; the model harness must be inside.
 */
class PackagingIT {
    private static final List<String> JENKINS_PREFIXES = List.of(
            "hudson/",
            "jenkins/",
            "org/kohsuke/",
            "org/jenkinsci/",
            "com/cloudbees/",
            "org/jvnet/",
            "org/htmlunit/",
            "org/springframework/",
            "net/sf/json/");

    @Test
    void noJarContainsJenkinsTypesAndTheCliJarHasTheHarness() throws IOException {
        List<Path> jars;
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            jars = files.filter(f -> f.toString().endsWith(".jar")).toList();
        }
        assertThat(jars)
                .extracting(p -> p.getFileName().toString())
                .contains("model-deploy-cli.jar", "model-deploy-0.1.0-SNAPSHOT.jar");
        java.util.Set<String> testClasses;
        Path testOutput = Path.of("target/test-classes");
        try (Stream<Path> files = Files.walk(testOutput)) {
            testClasses = files.filter(f -> f.toString().endsWith(".class"))
                    .map(f -> testOutput.relativize(f).toString())
                    .collect(java.util.stream.Collectors.toCollection(java.util.HashSet::new));
        }
        // the JenkinsRule tests and their signature-only harness, compiled by offline/pom.xml, never packaged either
        Path jenkinsTestOutput = Path.of("target/jenkins-test-classes");
        try (Stream<Path> files = Files.walk(jenkinsTestOutput)) {
            files.filter(f -> f.toString().endsWith(".class"))
                    .forEach(
                            f -> testClasses.add(jenkinsTestOutput.relativize(f).toString()));
        }
        assertThat(testClasses)
                .isNotEmpty()
                .contains(
                        "io/jenkins/plugins/modeldeploy/jenkins/DeployModelPipelineTest.class",
                        "org/jvnet/hudson/test/JenkinsRule.class");
        for (Path jar : jars) {
            try (JarFile file = new JarFile(jar.toFile())) {
                List<String> names = file.stream().map(ZipEntry::getName).toList();
                assertThat(names)
                        .as(jar.toString())
                        .noneMatch(n -> JENKINS_PREFIXES.stream().anyMatch(n::startsWith))
                        .contains(
                                "harness/files.txt",
                                "harness/python/mdharness/server.py",
                                "io/jenkins/plugins/modeldeploy/cli/ModelDeployCommand.class")
                        .noneMatch(testClasses::contains);
            }
        }
        try (JarFile cli = new JarFile(Path.of("target/model-deploy-cli.jar").toFile())) {
            assertThat(cli.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo("io.jenkins.plugins.modeldeploy.cli.ModelDeployCommand");
        }
    }

    @Test
    void everyCompiledJenkinsSignatureStaysOutOfTheJars() throws IOException {
        Path stubs = Path.of("src/jenkins-api/java");
        List<String> declared;
        try (Stream<Path> files = Files.exists(stubs) ? Files.walk(stubs) : Stream.empty()) {
            declared = files.filter(f -> f.toString().endsWith(".java"))
                    .map(f -> stubs.relativize(f).toString().replace(".java", ".class"))
                    .toList();
        }
        try (JarFile jar = new JarFile(
                        Path.of("target/model-deploy-0.1.0-SNAPSHOT.jar").toFile());
                JarFile cli = new JarFile(Path.of("target/model-deploy-cli.jar").toFile())) {
            for (String type : declared) {
                assertThat(Path.of("target/classes", type))
                        .as("compiled offline")
                        .exists();
                assertThat(jar.getEntry(type)).as(type).isNull();
                assertThat(cli.getEntry(type)).as(type).isNull();
            }
        }
    }
}
