package io.jenkins.plugins.modeldeploy.jenkins;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.SecretBytes;
import com.cloudbees.plugins.credentials.SystemCredentialsProvider;
import hudson.slaves.DumbSlave;
import io.jenkins.plugins.modeldeploy.jenkins.config.ClusterConfig;
import io.jenkins.plugins.modeldeploy.jenkins.config.ModelDeployConfiguration;
import io.jenkins.plugins.modeldeploy.jenkins.config.RegistryConfig;
import io.jenkins.plugins.modeldeploy.jenkins.engine.EngineFactory;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
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
 * deployModel inside {@code node} on an agent (a separate JVM that {@code createOnlineSlave} launches): the work runs
 * there through the agent's channel, the model directory is never copied to the controller, and no secret of the
 * run reaches the build log, neither in a successful run nor in a refusal. The engine is the plugin's over the
 * mock cluster of {@link MockClusterEngineFactory} (images written to tar files, no registry), chosen on the controller and looked up in the agent's JVM.
 */
public class DeployOnAgentTest {
    static final String TOKEN = "agent-TOKEN-" + UUID.randomUUID();

    @BeforeClass
    public static void localEngine() {
        System.setProperty(EngineFactory.PROPERTY, MockClusterEngineFactory.class.getName());
    }

    @AfterClass
    public static void installedEngine() {
        System.clearProperty(EngineFactory.PROPERTY);
    }

    @Rule
    public JenkinsRule j = new JenkinsRule();

    private static String kubeconfig(String user) {
        return "apiVersion: v1\nkind: Config\nclusters:\n- name: local\n  cluster: {server: \"https://127.0.0.1:1\"}\n"
                + "contexts:\n- name: local\n  context: {cluster: local, namespace: ml, user: ci}\n"
                + "current-context: local\nusers:\n- name: ci\n  user:\n" + user;
    }

    private void cluster(String credentialsId, String kubeconfig) throws IOException {
        SystemCredentialsProvider.getInstance()
                .getCredentials()
                .add(new FileCredentialsImpl(
                        CredentialsScope.GLOBAL,
                        credentialsId,
                        "kubeconfig",
                        "kubeconfig",
                        SecretBytes.fromBytes(kubeconfig.getBytes(StandardCharsets.UTF_8))));
        ClusterConfig cluster = new ClusterConfig("local");
        cluster.setKubeconfigCredentialsId(credentialsId);
        cluster.setNamespace("ml");
        ModelDeployConfiguration.get().setClusters(List.of(cluster));
    }

    private static String pipeline(String node, String marker) {
        return "node('" + node + "') {\n"
                + "  writeFile file: 'iris/model.yaml', text: 'name: iris\\nruntime: python\\nentrypoint: model:predict\\n'\n"
                + "  writeFile file: 'iris/model.py', text: '# " + marker + "\\ndef predict(instances):\\n"
                + "    return instances\\n'\n"
                + "  def result = deployModel modelDir: 'iris', verify: false, smoke: [duration: '2s', warmup: '0s']\n"
                + "  echo \"deployed ${result.version}: ${result.promotedVersion}\"\n"
                + "}";
    }

    @Test
    public void deployModelRunsOnTheAgentAndNoSecretReachesTheLog() throws Exception {
        String registry = "127.0.0.1:5000/models"; // never contacted: the test engine writes images to tar files
        DumbSlave agent = j.createOnlineSlave();
        cluster("kubeconfig-local", kubeconfig("    token: " + TOKEN + "\n"));
        RegistryConfig push = new RegistryConfig(registry);
        push.setInsecure(true);
        ModelDeployConfiguration.get().setRegistries(List.of(push));
        ModelDeployConfiguration.get().setBasePythonImage("scratch");
        String marker = "MODEL-" + UUID.randomUUID();

        WorkflowJob p = j.createProject(WorkflowJob.class, "iris");
        p.setDefinition(new CpsFlowDefinition(pipeline(agent.getNodeName(), marker), true));
        WorkflowRun b = j.buildAndAssertSuccess(p);
        j.assertLogContains("deployed 1: 1", b);
        j.assertLogNotContains(TOKEN, b);

        // the model is in the agent's workspace, and nowhere on the controller's side
        assertTrue(agent.getWorkspaceFor(p).child("iris/model.py").exists());
        Path agentRoot = new File(agent.getRemoteFS()).toPath().toRealPath();
        assertEquals(List.of(), copiesOf(marker, j.jenkins.getRootDir().toPath(), agentRoot));
        assertEquals(List.of(), copiesOf(marker, Path.of(System.getProperty("java.io.tmpdir")), agentRoot));
    }

    @Test
    public void aKubeconfigThatRunsACommandIsRefusedWithoutShowingIt() throws Exception {
        DumbSlave agent = j.createOnlineSlave();
        cluster(
                "kubeconfig-exec",
                kubeconfig("    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
                        + "      command: /bin/sh\n      args: [\"-c\", \"echo " + TOKEN + "\"]\n"));
        WorkflowJob p = j.createProject(WorkflowJob.class, "exec");
        p.setDefinition(new CpsFlowDefinition(pipeline(agent.getNodeName(), "exec"), true));
        WorkflowRun b = p.scheduleBuild2(0).get();
        j.assertLogContains("Finished: FAILURE", b);
        j.assertLogContains("users[ci].user.exec", b);
        j.assertLogNotContains(TOKEN, b);
    }

    /** Files named model.py holding {@code marker} under {@code root}, outside the agent's file system. */
    private static List<Path> copiesOf(String marker, Path root, Path agentRoot) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(f -> f.getFileName() != null
                            && f.getFileName().toString().equals("model.py"))
                    .filter(f -> !realPath(f).startsWith(agentRoot))
                    .filter(f -> read(f).contains(marker))
                    .toList();
        }
    }

    private static Path realPath(Path f) {
        try {
            return f.toRealPath();
        } catch (IOException e) {
            return f;
        }
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            return "";
        }
    }
}
