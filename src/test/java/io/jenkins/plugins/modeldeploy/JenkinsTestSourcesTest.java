package io.jenkins.plugins.modeldeploy;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The JenkinsRule tests of src/jenkins-test, as the offline build compiles them (target/jenkins-test-classes; never
 * run here): they exist, and they do not use the CLI or its local target, which the plugin build (pom.xml) does not
 * compile — a test using them would compile here and fail to compile in the real build.
 */
class JenkinsTestSourcesTest {
    private static final Path COMPILED = Path.of("target/jenkins-test-classes");

    @Test
    void jenkinsRuleTestsAreCompiledAndNeedNeitherTheCliNorTheLocalTarget() {
        assertThat(COMPILED.resolve("io/jenkins/plugins/modeldeploy/jenkins/DeployModelPipelineTest.class"))
                .as("the offline build compiles src/jenkins-test")
                .exists();
        assertThat(Files.exists(COMPILED.resolve("org/jvnet/hudson/test/JenkinsRule.class")))
                .isTrue();
        JavaClasses tests = new ClassFileImporter().importPath(COMPILED);
        noClasses()
                .that()
                .resideInAPackage("io.jenkins.plugins.modeldeploy..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.jenkins.plugins.modeldeploy.cli..", "io.jenkins.plugins.modeldeploy.local..")
                .because("pom.xml compiles neither package; drive the mock cluster of src/test-support instead")
                .check(tests);
    }
}
