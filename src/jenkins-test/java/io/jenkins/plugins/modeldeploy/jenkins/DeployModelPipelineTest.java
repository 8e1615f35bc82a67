package io.jenkins.plugins.modeldeploy.jenkins;

import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.SecretBytes;
import com.cloudbees.plugins.credentials.SystemCredentialsProvider;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jenkins.plugins.modeldeploy.jenkins.config.ClusterConfig;
import io.jenkins.plugins.modeldeploy.jenkins.config.ModelDeployConfiguration;
import io.jenkins.plugins.modeldeploy.jenkins.config.RegistryConfig;
import io.jenkins.plugins.modeldeploy.jenkins.engine.EngineFactory;
import io.jenkins.plugins.modeldeploy.testing.ClusterSimulator;
import io.jenkins.plugins.modeldeploy.testing.MockApiServer;
import io.jenkins.plugins.modeldeploy.testing.TraefikStandIn;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jenkinsci.plugins.plaincredentials.impl.FileCredentialsImpl;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.jvnet.hudson.test.JenkinsRule;

/**
 * deployModel end to end in a real Pipeline, with the engine the plugin installs (DefaultEngineFactory over
 * KubernetesTarget; images written to tar files by {@link TarImageEngineFactory}, so no registry), on a mock cluster: fabric8's mock API server in CRUD mode (JUnit-free KubernetesMockServer, as
 * fabric8 7.x offers it) with the project's cluster simulator playing the Deployment controller and the kubelet, and a
 * Traefik stand-in as the gateway the smoke test goes through (src/test-support, shared with the offline ITs). A first
 * release needs no approval.
 * Other JenkinsRule tests build on {@link #configure(String)}.
 */
public class DeployModelPipelineTest {
    @BeforeClass
    public static void installedEngine() {
        System.setProperty(EngineFactory.PROPERTY, TarImageEngineFactory.class.getName());
    }

    @AfterClass
    public static void anyEngine() {
        System.clearProperty(EngineFactory.PROPERTY);
    }

    @Rule
    public JenkinsRule r = new JenkinsRule();

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private MockApiServer server;
    private KubernetesClient client;
    private ClusterSimulator simulator;
    private TraefikStandIn gateway;

    @Before
    public void mockCluster() throws Exception {
        server = new MockApiServer();
        client = server.client();
        simulator = new ClusterSimulator(server, "ml", Duration.ofMillis(50), Duration.ofSeconds(30));
        gateway = new TraefikStandIn(client, "ml");
    }

    @After
    public void stopCluster() {
        gateway.close();
        simulator.close();
        client.close();
        server.close();
    }

    /** The mock cluster as the global configuration's cluster {@code mock}, its kubeconfig a file credential. */
    ClusterConfig configure(String registry) throws Exception {
        Path kubeconfig = server.writeKubeconfig(tmp.getRoot().toPath(), "ml");
        SystemCredentialsProvider.getInstance()
                .getCredentials()
                .add(new FileCredentialsImpl(
                        CredentialsScope.GLOBAL,
                        "kubeconfig-mock",
                        "mock API server",
                        "kubeconfig",
                        SecretBytes.fromBytes(Files.readString(kubeconfig).getBytes(StandardCharsets.UTF_8))));
        ClusterConfig mock = new ClusterConfig("mock");
        mock.setKubeconfigCredentialsId("kubeconfig-mock");
        mock.setNamespace("ml");
        mock.setGatewayUrl(gateway.url().toString());
        RegistryConfig push = new RegistryConfig(registry);
        push.setInsecure(true);
        ModelDeployConfiguration.get().setClusters(List.of(mock));
        ModelDeployConfiguration.get().setRegistries(List.of(push));
        ModelDeployConfiguration.get().setBasePythonImage("scratch"); // nothing to pull: the simulator runs the harness
        return mock;
    }

    @Test
    public void deploysAFirstVersionWithoutApproval() throws Exception {
        configure("127.0.0.1:5000/models"); // never contacted: the test engine writes images to tar files

        WorkflowJob p = r.createProject(WorkflowJob.class, "iris");
        p.setDefinition(new CpsFlowDefinition(
                "node {\n"
                        + "  writeFile file: 'iris/model.yaml', text: 'name: iris\\nruntime: python\\nentrypoint: model:predict\\n'\n"
                        + "  writeFile file: 'iris/model.py', text: 'def predict(instances):\\n    return instances\\n'\n"
                        + "  writeFile file: 'iris/samples/one.json', text: '{\"instances\": [[1, 2]]}'\n"
                        + "  def result = deployModel modelDir: 'iris', cluster: 'mock', verify: false, smoke: [duration: '2s', warmup: '1s']\n"
                        + "  echo \"deployed ${result.version} as ${result.imageDigest}: ${result.promotedVersion}\"\n"
                        + "}",
                true));
        WorkflowRun b = r.buildAndAssertSuccess(p);
        r.assertLogContains("deployed 1 as sha256:", b);
        r.assertLogContains(": 1", b);
        r.assertLogNotContains("token: test", b); // the kubeconfig credential's token never reaches the log
    }
}
