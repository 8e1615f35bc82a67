package io.jenkins.plugins.modeldeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.modeldeploy.testing.TestModels;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Namespaces, model names and versions given on the command line fail as usage errors naming their source. */
class KubernetesNamesCliTest {
    /** Usage errors never repeat a typed value (it could be a secret), names included: the option and rule are named. */
    private static final String HIDDEN = "(value not shown)";

    @Test
    void renderRefusesANamespaceThatIsNoDnsLabel() {
        InProcessCli.Run run = InProcessCli.run(
                "render",
                TestModels.examplesRoot().resolve("iris-python").toString(),
                "--version",
                "3",
                "--namespace",
                "Bad_NS!");
        assertThat(run.exitCode()).as(run.err()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(run.err()).contains("--namespace").contains("DNS-1123 label").contains(HIDDEN);
        assertThat(run.out()).isEmpty();
    }

    @Test
    void clusterCommandsRefuseABadNamespaceBeforeConnecting() {
        InProcessCli.Run run = InProcessCli.run("status", "--target", "kubernetes", "--namespace", "Bad_NS!");
        assertThat(run.exitCode()).as(run.err()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(run.err()).contains("--namespace").contains(HIDDEN);
    }

    @Test
    void lifecycleCommandsRefuseAModelNameOrVersionThatNamesNoObject() {
        InProcessCli.Run history = InProcessCli.run("history", "Iris_Model");
        assertThat(history.exitCode()).as(history.err()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(history.err()).contains("MODEL").contains(HIDDEN);
        InProcessCli.Run undeploy = InProcessCli.run("undeploy", "iris", "--version", "1.2.0");
        assertThat(undeploy.exitCode()).as(undeploy.err()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(undeploy.err()).contains("--version").contains("1-2-0");
        InProcessCli.Run promote = InProcessCli.run("promote", "iris", "v_2");
        assertThat(promote.exitCode()).as(promote.err()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(promote.err()).contains("VERSION").contains(HIDDEN);
    }

    @Test
    void smokeAndEventsTailRefuseNamesThatNameNoObjectBeforeSendingOrListening() {
        InProcessCli.Run smoke = InProcessCli.run(
                "smoke",
                "--url",
                "http://127.0.0.1:9/predict",
                "--model",
                TestModels.examplesRoot().resolve("iris-python").toString(),
                "--model-version",
                "v_2");
        assertThat(smoke.exitCode()).as(smoke.err()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(smoke.err()).contains("--model-version").contains(HIDDEN);
        InProcessCli.Run tail =
                InProcessCli.run("events", "tail", "--amqp", "amqp://127.0.0.1:9/", "--model", "Iris_Model");
        assertThat(tail.exitCode()).as(tail.err()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(tail.err()).contains("--model").contains(HIDDEN);
    }
}
