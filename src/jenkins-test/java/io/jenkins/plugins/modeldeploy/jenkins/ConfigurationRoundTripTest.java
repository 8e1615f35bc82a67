package io.jenkins.plugins.modeldeploy.jenkins;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.cloudbees.plugins.credentials.Credentials;
import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.SecretBytes;
import com.cloudbees.plugins.credentials.SystemCredentialsProvider;
import hudson.ExtensionList;
import hudson.model.FreeStyleProject;
import hudson.util.ListBoxModel;
import io.jenkins.plugins.modeldeploy.jenkins.config.ClusterConfig;
import io.jenkins.plugins.modeldeploy.jenkins.config.ModelDeployConfiguration;
import io.jenkins.plugins.modeldeploy.jenkins.config.RegistryConfig;
import io.jenkins.plugins.modeldeploy.jenkins.freestyle.ModelDeployBuilder;
import io.jenkins.plugins.modeldeploy.jenkins.steps.AbTestOptions;
import io.jenkins.plugins.modeldeploy.jenkins.steps.ApprovalOptions;
import io.jenkins.plugins.modeldeploy.jenkins.steps.SmokeOptions;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.jenkinsci.plugins.plaincredentials.impl.FileCredentialsImpl;
import org.junit.Rule;
import org.junit.Test;
import org.jvnet.hudson.test.JenkinsRule;

/** The global configuration and the freestyle build step survive a trip through their forms. */
public class ConfigurationRoundTripTest {
    @Rule
    public JenkinsRule r = new JenkinsRule();

    @Test
    public void globalConfiguration() throws Exception {
        ModelDeployConfiguration config = ModelDeployConfiguration.get();
        ClusterConfig prod = new ClusterConfig("prod");
        prod.setKubeconfigCredentialsId("kubeconfig-prod");
        prod.setNamespace("ml");
        prod.setRouteMode("INGRESS");
        prod.setPrometheusUrl("http://prometheus.monitoring:9090");
        prod.setHost("models.example.com");
        prod.setGatewayUrl("https://models.example.com");
        ClusterConfig local = new ClusterConfig("local");
        local.setInCluster(true);
        config.setClusters(List.of(prod, local));
        RegistryConfig registry = new RegistryConfig("registry.example.com/models");
        registry.setCredentialsId("registry-push");
        registry.setInsecure(true);
        config.setRegistries(List.of(registry));
        config.setEventsUri("amqp://rabbitmq:5672/");
        config.setEventsCredentialsId("rabbit");
        config.setBaseRImage("registry.example.com/base/r:4.4");
        config.setDefaultP99Ms(40);
        config.setApprovalTimeout("8h");

        r.configRoundtrip();

        ModelDeployConfiguration after = ModelDeployConfiguration.get();
        assertEquals(2, after.getClusters().size());
        r.assertEqualDataBoundBeans(prod, after.getClusters().get(0));
        assertTrue(after.getClusters().get(1).isInCluster());
        r.assertEqualDataBoundBeans(registry, after.getRegistries().get(0));
        assertEquals("amqp://rabbitmq:5672/", after.getEventsUri());
        assertEquals("rabbit", after.getEventsCredentialsId());
        assertEquals("registry.example.com/base/r:4.4", after.getBaseRImage());
        assertEquals(40, after.getDefaultP99Ms(), 0);
        assertEquals("8h", after.getApprovalTimeout());
    }

    @Test
    public void freestyleBuildStep() throws Exception {
        FreeStyleProject p = r.createFreeStyleProject();
        ModelDeployBuilder builder = new ModelDeployBuilder("models/iris");
        builder.setVersion("42");
        builder.setCluster("prod");
        builder.setImageRepository("registry.example.com/models/iris");
        builder.setKeepPrevious("2h");
        SmokeOptions smoke = new SmokeOptions();
        smoke.setRate(20.0);
        builder.setSmoke(smoke);
        AbTestOptions ab = new AbTestOptions();
        ab.setChallengerWeight(20);
        ab.setGate("SUPERIORITY");
        ab.setErrorRateMargin(0.005);
        ab.setMinimumDetectableEffect(0.02);
        builder.setAbTest(ab);
        ApprovalOptions approval = new ApprovalOptions();
        approval.setApprovers("ml-leads");
        builder.setApproval(approval);
        p.getBuildersList().add(builder);

        p = r.configRoundtrip(p);

        r.assertEqualDataBoundBeans(builder, p.getBuildersList().get(ModelDeployBuilder.class));
    }

    /** Ticked "Smoke test" and "A/B test" with their defaults survive the freestyle form. */
    @Test
    public void freestyleBuildStepWithDefaultNestedOptions() throws Exception {
        FreeStyleProject p = r.createFreeStyleProject();
        ModelDeployBuilder builder = new ModelDeployBuilder("models/iris");
        builder.setSmoke(new SmokeOptions());
        builder.setAbTest(new AbTestOptions());
        p.getBuildersList().add(builder);

        p = r.configRoundtrip(p);

        r.assertEqualDataBoundBeans(builder, p.getBuildersList().get(ModelDeployBuilder.class));
    }

    /**
     * The credential drop-downs list what a build will resolve: the global configuration's fields the Global-scope
     * credentials of Jenkins (a build cannot see System-scope ones), a job's fields what the job can use.
     */
    @Test
    public void credentialDropDownsListWhatBuildsResolve() throws Exception {
        List<Credentials> store = SystemCredentialsProvider.getInstance().getCredentials();
        store.add(new FileCredentialsImpl(
                CredentialsScope.GLOBAL,
                "kubeconfig-global",
                "",
                "config",
                SecretBytes.fromBytes("apiVersion: v1".getBytes(StandardCharsets.UTF_8))));
        store.add(new FileCredentialsImpl(
                CredentialsScope.SYSTEM,
                "kubeconfig-system",
                "",
                "config",
                SecretBytes.fromBytes("apiVersion: v1".getBytes(StandardCharsets.UTF_8))));

        List<String> global = values(ExtensionList.lookupSingleton(ClusterConfig.DescriptorImpl.class)
                .doFillKubeconfigCredentialsIdItems(null, ""));
        assertTrue(global.toString(), global.contains("kubeconfig-global"));
        assertFalse(global.toString(), global.contains("kubeconfig-system"));
        // a registry field wants username/password or a token, not a kubeconfig file
        assertFalse(values(ExtensionList.lookupSingleton(RegistryConfig.DescriptorImpl.class)
                        .doFillCredentialsIdItems(null, ""))
                .contains("kubeconfig-global"));

        FreeStyleProject p = r.createFreeStyleProject();
        List<String> job = values(ExtensionList.lookupSingleton(ModelDeployBuilder.DescriptorImpl.class)
                .doFillKubeconfigCredentialsIdItems(p, ""));
        assertTrue(job.toString(), job.contains("kubeconfig-global"));
        assertFalse(job.toString(), job.contains("kubeconfig-system"));
    }

    private static List<String> values(ListBoxModel model) {
        return model.stream().map(o -> o.value).collect(Collectors.toList());
    }
}
