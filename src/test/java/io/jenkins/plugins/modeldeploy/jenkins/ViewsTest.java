package io.jenkins.plugins.modeldeploy.jenkins;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.modeldeploy.jenkins.config.ClusterConfig;
import io.jenkins.plugins.modeldeploy.jenkins.config.ModelDeployConfiguration;
import io.jenkins.plugins.modeldeploy.jenkins.config.RegistryConfig;
import io.jenkins.plugins.modeldeploy.jenkins.freestyle.ModelDeployBuilder;
import io.jenkins.plugins.modeldeploy.jenkins.steps.AbTestModelStep;
import io.jenkins.plugins.modeldeploy.jenkins.steps.AbTestOptions;
import io.jenkins.plugins.modeldeploy.jenkins.steps.ApprovalOptions;
import io.jenkins.plugins.modeldeploy.jenkins.steps.BuildModelImageStep;
import io.jenkins.plugins.modeldeploy.jenkins.steps.DeployModelStep;
import io.jenkins.plugins.modeldeploy.jenkins.steps.PromoteModelStep;
import io.jenkins.plugins.modeldeploy.jenkins.steps.RollbackModelStep;
import io.jenkins.plugins.modeldeploy.jenkins.steps.RolloutModelStep;
import io.jenkins.plugins.modeldeploy.jenkins.steps.SmokeOptions;
import io.jenkins.plugins.modeldeploy.jenkins.steps.SmokeTestModelStep;
import io.jenkins.plugins.modeldeploy.jenkins.steps.UndeployModelStep;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;

/**
 * Every bound field has a form entry in the class's config.jelly (or the shared target fragment) and a
 * help-FIELD.html where Jenkins looks for it (next to the class or one of its superclasses); every view is XML.
 */
class ViewsTest {
    private static final List<Class<?>> BOUND = List.of(
            DeployModelStep.class,
            BuildModelImageStep.class,
            RolloutModelStep.class,
            SmokeTestModelStep.class,
            AbTestModelStep.class,
            PromoteModelStep.class,
            RollbackModelStep.class,
            UndeployModelStep.class,
            SmokeOptions.class,
            AbTestOptions.class,
            ApprovalOptions.class,
            ModelDeployBuilder.class,
            ClusterConfig.class,
            RegistryConfig.class,
            ModelDeployConfiguration.class);

    @Test
    void everyFieldHasAFormEntryAndHelp() throws Exception {
        for (Class<?> type : BOUND) {
            String config = read(type, "config.jelly");
            assertThat(config).as(type.getSimpleName() + "/config.jelly").isNotNull();
            String forms =
                    config.contains("target.jelly") ? config + read(type.getSuperclass(), "target.jelly") : config;
            for (String field : PipelineExamplesTest.parameters(type).keySet()) {
                assertThat(forms)
                        .as(type.getSimpleName() + " form entry for " + field)
                        .contains("field=\"" + field + "\"");
                assertThat(helpFor(type, field))
                        .as(type.getSimpleName() + " help-" + field + ".html")
                        .isNotNull()
                        .contains("<div>");
            }
        }
    }

    @Test
    void everyViewIsWellFormedXml() throws Exception {
        for (Class<?> type : BOUND) {
            parse(type, "config.jelly");
        }
        parse(io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionAction.class, "index.jelly");
        parse(io.jenkins.plugins.modeldeploy.jenkins.promotion.ModelDeploymentsAction.class, "index.jelly");
        parse(io.jenkins.plugins.modeldeploy.jenkins.promotion.ModelDeploymentsAction.class, "summary.jelly");
        parse(io.jenkins.plugins.modeldeploy.jenkins.promotion.ModelDeployTrendAction.class, "index.jelly");
        // and every other view in the sources, whatever class it belongs to
        try (var files = java.nio.file.Files.walk(java.nio.file.Path.of("src/main/resources"))) {
            for (java.nio.file.Path jelly :
                    files.filter(f -> f.toString().endsWith(".jelly")).toList()) {
                assertThat(jelly).as("view").isNotEmptyFile();
                DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(jelly.toFile());
            }
        }
    }

    private static String helpFor(Class<?> type, String field) throws IOException {
        for (Class<?> k = type; k != null && k != Object.class; k = k.getSuperclass()) {
            String help = read(k, "help-" + field + ".html");
            if (help != null) {
                return help;
            }
        }
        return null;
    }

    private static void parse(Class<?> type, String view) throws Exception {
        try (InputStream in = type.getResourceAsStream(type.getSimpleName() + "/" + view)) {
            assertThat(in).as(type.getSimpleName() + "/" + view).isNotNull();
            DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in);
        }
    }

    private static String read(Class<?> type, String name) throws IOException {
        try (InputStream in = type.getResourceAsStream(type.getSimpleName() + "/" + name)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
