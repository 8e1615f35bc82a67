package io.jenkins.plugins.modeldeploy.jenkins;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.jenkins.plugins.casc.ConfigurationAsCode;
import io.jenkins.plugins.casc.ConfigurationContext;
import io.jenkins.plugins.casc.ConfiguratorRegistry;
import io.jenkins.plugins.casc.misc.ConfiguredWithCode;
import io.jenkins.plugins.casc.misc.JenkinsConfiguredWithCodeRule;
import io.jenkins.plugins.casc.misc.Util;
import io.jenkins.plugins.casc.model.CNode;
import io.jenkins.plugins.modeldeploy.jenkins.config.ClusterConfig;
import io.jenkins.plugins.modeldeploy.jenkins.config.ModelDeployConfiguration;
import io.jenkins.plugins.modeldeploy.jenkins.config.RegistryConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Configuration as Code round trip of Manage Jenkins › System › Model deploy ({@code unclassified: modelDeploy:}):
 * import a YAML, export it, import the export into an emptied configuration, and get the same configuration.
 */
public class ConfigurationAsCodeTest {
    @Rule
    public JenkinsConfiguredWithCodeRule r = new JenkinsConfiguredWithCodeRule();

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    @ConfiguredWithCode("model-deploy-casc.yaml")
    public void importExportImport() throws Exception {
        assertConfigured(ModelDeployConfiguration.get());

        ConfigurationContext context = new ConfigurationContext(ConfiguratorRegistry.get());
        CNode node = Util.getUnclassifiedRoot(context).get("modelDeploy");
        String exported = Util.toYamlString(node);
        for (String line : new String[] {
            "kubeconfigCredentialsId: \"?kubeconfig-prod\"?",
            "routeMode: \"?INGRESS\"?",
            "credentialsId: \"?registry-push\"?",
            "eventsCredentialsId: \"?rabbit\"?",
            "inCluster: true",
            "approvalTimeout: \"?8h\"?"
        }) {
            assertTrue(
                    line + " in\n" + exported,
                    Pattern.compile(line).matcher(exported).find());
        }

        ModelDeployConfiguration config = ModelDeployConfiguration.get();
        config.setClusters(List.of());
        config.setRegistries(List.of());
        config.setEventsUri(null);
        config.setEventsCredentialsId(null);
        config.setApprovalTimeout("24h");
        StringBuilder yaml = new StringBuilder("unclassified:\n  modelDeploy:\n");
        exported.lines().forEach(l -> yaml.append("    ").append(l).append('\n'));
        Path file = tmp.newFile("exported.yaml").toPath();
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        ConfigurationAsCode.get().configure(file.toString());

        assertConfigured(ModelDeployConfiguration.get());
    }

    private void assertConfigured(ModelDeployConfiguration config) throws Exception {
        ClusterConfig prod = new ClusterConfig("prod");
        prod.setKubeconfigCredentialsId("kubeconfig-prod");
        prod.setNamespace("ml");
        prod.setRouteMode("INGRESS");
        prod.setPrometheusUrl("http://prometheus.monitoring:9090");
        prod.setHost("models.example.com");
        prod.setGatewayUrl("https://models.example.com");
        ClusterConfig local = new ClusterConfig("local");
        local.setInCluster(true);
        RegistryConfig registry = new RegistryConfig("registry.example.com/models");
        registry.setCredentialsId("registry-push");
        registry.setInsecure(true);
        assertEquals(2, config.getClusters().size());
        r.assertEqualDataBoundBeans(prod, config.getClusters().get(0));
        r.assertEqualDataBoundBeans(local, config.getClusters().get(1));
        assertEquals(1, config.getRegistries().size());
        r.assertEqualDataBoundBeans(registry, config.getRegistries().get(0));
        assertEquals("amqp://rabbitmq:5672/", config.getEventsUri());
        assertEquals("rabbit", config.getEventsCredentialsId());
        assertEquals("registry.example.com/base/r:4.4", config.getBaseRImage());
        assertEquals(40, config.getDefaultP99Ms(), 0);
        assertEquals(0.02, config.getDefaultMaxErrorRate(), 0);
        assertEquals("8h", config.getApprovalTimeout());
    }
}
