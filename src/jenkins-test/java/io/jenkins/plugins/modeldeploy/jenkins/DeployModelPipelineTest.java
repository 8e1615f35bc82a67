package io.jenkins.plugins.modeldeploy.jenkins;

import static org.junit.Assume.assumeTrue;

import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.SecretBytes;
import com.cloudbees.plugins.credentials.SystemCredentialsProvider;
import io.fabric8.kubernetes.client.server.mock.KubernetesServer;
import io.jenkins.plugins.modeldeploy.jenkins.config.ClusterConfig;
import io.jenkins.plugins.modeldeploy.jenkins.config.ModelDeployConfiguration;
import io.jenkins.plugins.modeldeploy.jenkins.config.RegistryConfig;
import io.jenkins.plugins.modeldeploy.jenkins.engine.DefaultEngineFactory;
import io.jenkins.plugins.modeldeploy.jenkins.engine.EngineFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jenkinsci.plugins.plaincredentials.impl.FileCredentialsImpl;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.jvnet.hudson.test.JenkinsRule;

/**
 * deployModel end to end in a real Pipeline against fabric8's CRUD mock API server, with the engine the plugin
 * installs (EngineFactory service over KubernetesTarget). Needs a registry to push the image to: set
 * {@code -Dmodeldeploy.it.registry=127.0.0.1:5000/models} (the project's LocalRegistry fixture or any registry).
 */
public class DeployModelPipelineTest {
    @BeforeClass
    public static void installedEngine() {
        System.setProperty(EngineFactory.PROPERTY, DefaultEngineFactory.class.getName());
    }

    @AfterClass
    public static void anyEngine() {
        System.clearProperty(EngineFactory.PROPERTY);
    }

    @Rule
    public JenkinsRule r = new JenkinsRule();

    @Rule
    public KubernetesServer server = new KubernetesServer(true, true);

    @Test
    public void deploysAFirstVersionAndPromotesIt() throws Exception {
        String registry = System.getProperty("modeldeploy.it.registry");
        assumeTrue("set -Dmodeldeploy.it.registry to a registry the test may push to", registry != null);
        String kubeconfig = "apiVersion: v1\nkind: Config\nclusters:\n- name: mock\n  cluster:\n    server: "
                + server.getClient().getMasterUrl() + "\n    insecure-skip-tls-verify: true\ncontexts:\n- name: mock\n"
                + "  context: {cluster: mock, namespace: ml, user: ci}\ncurrent-context: mock\nusers:\n- name: ci\n"
                + "  user: {token: mock-token}\n";
        SystemCredentialsProvider.getInstance().getCredentials().add(new FileCredentialsImpl(CredentialsScope.GLOBAL,
                "kubeconfig-mock", "mock API server", "kubeconfig", SecretBytes.fromBytes(
                        kubeconfig.getBytes(StandardCharsets.UTF_8))));
        ClusterConfig mock = new ClusterConfig("mock");
        mock.setKubeconfigCredentialsId("kubeconfig-mock");
        mock.setNamespace("ml");
        RegistryConfig push = new RegistryConfig(registry);
        push.setInsecure(true);
        ModelDeployConfiguration.get().setClusters(List.of(mock));
        ModelDeployConfiguration.get().setRegistries(List.of(push));

        WorkflowJob p = r.createProject(WorkflowJob.class, "iris");
        p.setDefinition(new CpsFlowDefinition("node {\n"
                + "  writeFile file: 'iris/model.yaml', text: 'name: iris\\nruntime: python\\nentrypoint: model:Iris\\n'\n"
                + "  writeFile file: 'iris/model.py', text: 'class Iris:\\n    def predict(self, x):\\n        return x\\n'\n"
                + "  def result = deployModel modelDir: 'iris', smoke: [duration: '5s', warmup: '1s']\n"
                + "  echo \"deployed ${result.version} as ${result.imageDigest}: ${result.promotedVersion}\"\n"
                + "}", true));
        WorkflowRun b = r.buildAndAssertSuccess(p);
        r.assertLogContains("Promoted iris version 1", b);
        r.assertLogContains("deployed 1 as sha256:", b);
        r.assertLogNotContains("mock-token", b);
    }
}
