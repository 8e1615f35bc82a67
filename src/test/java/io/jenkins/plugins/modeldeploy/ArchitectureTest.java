package io.jenkins.plugins.modeldeploy;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The engine stays free of Jenkins: only the adapters ({@code ..jenkins..}) and the CLI may touch its types. */
@AnalyzeClasses(packages = "io.jenkins.plugins.modeldeploy", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    static final String[] JENKINS_TYPES = {
        "hudson..",
        "jenkins..",
        "org.kohsuke.stapler..",
        "org.jenkinsci..",
        "com.cloudbees..",
        "org.acegisecurity..",
        "org.jvnet.localizer.."
    };

    @ArchTest
    static final ArchRule engineDoesNotDependOnJenkins = noClasses()
            .that()
            .resideInAPackage("io.jenkins.plugins.modeldeploy..")
            .and()
            .resideOutsideOfPackages("io.jenkins.plugins.modeldeploy.jenkins..", "io.jenkins.plugins.modeldeploy.cli..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(JENKINS_TYPES)
            .because("the engine must run without Jenkins (CLI, tests, and models keep serving when Jenkins is down)");

    /** The plugin build (pom.xml) compiles neither the CLI nor its local target: nothing else may need them. */
    @ArchTest
    static final ArchRule pluginDoesNotNeedTheCli = noClasses()
            .that()
            .resideInAPackage("io.jenkins.plugins.modeldeploy..")
            .and()
            .resideOutsideOfPackages("io.jenkins.plugins.modeldeploy.cli..", "io.jenkins.plugins.modeldeploy.local..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.jenkins.plugins.modeldeploy.cli..", "io.jenkins.plugins.modeldeploy.local..")
            .because("pom.xml excludes the cli and local packages from the .hpi (maven-compiler-plugin excludes)");

    @ArchTest
    static final ArchRule noPackageCycles =
            slices().matching("io.jenkins.plugins.modeldeploy.(*)..").should().beFreeOfCycles();
}
