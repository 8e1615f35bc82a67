package io.jenkins.plugins.modeldeploy.jenkins.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import hudson.AbortException;
import hudson.FilePath;
import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.event.EventDetails;
import io.jenkins.plugins.modeldeploy.jenkins.engine.TargetOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What crosses the agent's channel, offline: the FilePath stub serializes as a remote channel does, so work that
 * captures controller-side state fails here as on a real agent; events come back through the exported object; the
 * model directory is read in place on the agent; failures reach the build log masked.
 */
class AgentBoundaryTest {
    @TempDir
    Path workspace;

    private FakeServices services() throws IOException {
        EchoModels.writeTo(workspace);
        return new FakeServices(
                workspace,
                new io.jenkins.plugins.modeldeploy.jenkins.engine.DefaultEngineFactory(),
                FakeServices.prodCluster(),
                "7");
    }

    @Test
    void workThatCapturesSomethingNotSerializableFailsAsOnARealAgent() throws Exception {
        FakeServices services = services();
        Object controllerState = new Object(); // e.g. the execution, the run, the services
        try (Session s = Session.open(services, new TargetOptions("prod", null, null, null, null))) {
            assertThatThrownBy(() -> s.onAgent(a -> controllerState.hashCode()))
                    .isInstanceOf(java.io.NotSerializableException.class);
            assertThatThrownBy(() -> s.onAgent(a -> services.buildNumber()))
                    .isInstanceOf(java.io.NotSerializableException.class);
        }
    }

    @Test
    void theWorkGetsACopyNotTheControllersObjects() throws Exception {
        FakeServices services = services();
        AtomicReference<String> shared = new AtomicReference<>("controller");
        try (Session s = Session.open(services, new TargetOptions("prod", null, null, null, null))) {
            s.onAgent(a -> {
                shared.set("agent"); // a copy of the reference travelled; the controller's is untouched
                return null;
            });
        }
        assertThat(shared.get()).isEqualTo("controller");
    }

    @Test
    void eventsAndLogLinesComeBackToTheBuildsBusAndTheModelIsReadInPlace() throws Exception {
        FakeServices services = services();
        String modelDir = EchoModels.FAST;
        String read;
        try (Session s = Session.open(services, new TargetOptions("prod", null, null, null, null))) {
            read = s.onAgent(a -> {
                Path dir = a.modelDirectory(modelDir);
                a.publish(DeploymentEvent.of(
                        "echo",
                        "7",
                        "read on the agent",
                        new EventDetails.ApprovalRequested("http://jenkins/job/x/7/")));
                a.log("a line from the agent");
                return dir.toString();
            });
        }
        assertThat(Path.of(read)).isEqualTo(workspace.resolve(modelDir)); // in place: no copy anywhere
        assertThat(services.agentCalls.get()).isEqualTo(1);
        assertThat(services.events).extracting(DeploymentEvent::message).containsExactly("read on the agent");
        assertThat(services.logText()).contains("a line from the agent").contains("read on the agent");
    }

    /** The engine's progress on the agent reaches the build log as plain lines (the final one at least). */
    @Test
    void progressOnTheAgentReachesTheBuildLog() throws Exception {
        FakeServices services = services();
        try (Session s = Session.open(services, new TargetOptions("prod", null, null, null, null))) {
            s.onAgent(a -> {
                a.engine();
                a.progress().update("smoke echo-7", "1/2 s: 100 sent");
                a.progress().update("smoke echo-7", "2/2 s: 200 sent");
                a.progress().finish("smoke echo-7");
                a.progress().update("A/B echo 7 vs 6", "3/60 s: cut short");
                return null; // the session's close shows the unfinished stage's last reading
            });
        }
        assertThat(services.logText())
                .contains("smoke echo-7: 2/2 s: 200 sent")
                .doesNotContain("1/2 s")
                .contains("A/B echo 7 vs 6: 3/60 s: cut short")
                .doesNotContain("\r");
    }

    @Test
    void aModelDirectoryLeavingTheWorkspaceIsRefusedOnTheAgent(@TempDir Path elsewhere) throws Exception {
        FakeServices services = services();
        Files.writeString(elsewhere.resolve("model.yaml"), "name: echo\n");
        Files.createSymbolicLink(workspace.resolve("linked"), elsewhere);
        try (Session s = Session.open(services, new TargetOptions("prod", null, null, null, null))) {
            assertThatThrownBy(() -> s.onAgent(a -> a.modelDirectory("linked").toString()))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("leaves the workspace");
            assertThatThrownBy(() -> s.onAgent(a -> a.modelDirectory("../x").toString()))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("relative path inside the workspace");
        }
    }

    @Test
    void aStepWithoutAWorkspaceRunsOnTheControllerAndReadsNoWorkspace() throws Exception {
        FakeServices services = services();
        services.withoutWorkspace = true;
        try (Session s = Session.open(services, new TargetOptions("prod", null, null, null, null))) {
            assertThatThrownBy(() ->
                            s.onAgent(a -> a.modelDirectory(EchoModels.FAST).toString()))
                    .hasMessageContaining("needs a workspace");
        }
        assertThat(services.controllerCalls.get()).isEqualTo(1);
        assertThat(services.agentCalls.get()).isZero();
    }

    @Test
    void theExportedObjectIsCalledByReference() throws Exception {
        List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        AgentEvents back = new AgentEvents() {
            @Override
            public void event(String json) {
                received.add(json);
            }

            @Override
            public void log(String line) {
                received.add(line);
            }

            @Override
            public void smokeReport(
                    String model,
                    String version,
                    io.jenkins.plugins.modeldeploy.jenkins.reports.SmokeReportFiles.Rendered reports) {
                received.add("report of " + model + " " + version);
            }
        };
        FilePath ws = new FilePath(workspace.toFile());
        AgentEvents proxy = ws.getChannel().export(AgentEvents.class, back);
        AgentEvents travelled = ws.act(new Carrier(proxy));
        travelled.log("again");
        assertThat(received).containsExactly("from the agent in " + workspace.getFileName(), "again");
    }

    /** A callable carrying an exported object (static: an inner class would drag the test along, and fail). */
    static final class Carrier extends jenkins.MasterToSlaveFileCallable<AgentEvents> {
        private static final long serialVersionUID = 1L;
        private final AgentEvents carried;

        Carrier(AgentEvents carried) {
            this.carried = carried;
        }

        @Override
        public AgentEvents invoke(java.io.File f, hudson.remoting.VirtualChannel channel) {
            carried.log("from the agent in " + f.getName());
            return carried;
        }
    }

    @Test
    void aSecretInAFailureMessageIsMaskedBeforeTheBuildLogShowsIt() throws Exception {
        FakeServices services = services();
        FakeContext context = new FakeContext();
        BackgroundExecution execution = new BackgroundExecution(context, "testStep", services) {
            private static final long serialVersionUID = 1L;

            @Override
            protected Object run(StepServices s) throws Exception {
                s.secrets().kubeconfig("kubeconfigCredentialsId", "kubeconfig-prod"); // the run hands it out
                throw new IllegalStateException(
                        "could not parse", new IOException("while scanning near \"user: {token: kube-TOKEN-4242}\""));
            }
        };
        execution.start();
        Throwable failure = context.failure();
        assertThat(failure)
                .isInstanceOf(AbortException.class)
                .hasNoCause()
                .hasMessageContaining("could not parse")
                .hasMessageContaining("****")
                .hasMessageNotContaining("kube-TOKEN-4242");

        FakeContext plain = new FakeContext();
        IllegalStateException harmless = new IllegalStateException("nothing secret");
        new BackgroundExecution(plain, "testStep", services) {
            private static final long serialVersionUID = 1L;

            @Override
            protected Object run(StepServices s) {
                throw harmless;
            }
        }.start();
        assertThat(plain.failure()).isSameAs(harmless);
    }

    @Test
    void aSecretInAFailureOnTheAgentIsMaskedInTheFreestyleStepToo() throws Exception {
        FakeServices services = services();
        io.jenkins.plugins.modeldeploy.jenkins.config.RegistryConfig push =
                new io.jenkins.plugins.modeldeploy.jenkins.config.RegistryConfig("registry.example.com/models");
        push.setCredentialsId("registry-push"); // resolving it hands the registry password out to this run
        services.config.setRegistries(List.of(push));
        // a model directory named like the password: the agent's "does not exist" message quotes it
        DeployModelStep step = StepFixture.deployModel(FakeServices.REGISTRY_PASSWORD, "1");
        assertThatThrownBy(() -> FreestyleDeployment.run(services, step.request()))
                .isInstanceOf(AbortException.class)
                .hasMessageContaining("does not exist in the workspace")
                .hasMessageNotContaining(FakeServices.REGISTRY_PASSWORD)
                .hasMessageContaining("****");
        assertThat(services.agentCalls.get()).isEqualTo(1);
    }
}
