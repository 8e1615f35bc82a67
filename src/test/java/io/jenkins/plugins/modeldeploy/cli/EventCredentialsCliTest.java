package io.jenkins.plugins.modeldeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** The RabbitMQ options of smoke and events tail: never silently ignored, and a password in a URI is warned about. */
class EventCredentialsCliTest {
    @Test
    void smokeRefusesEventsWithoutAModelInsteadOfIgnoringThem() {
        InProcessCli.Run run = InProcessCli.run(
                "smoke", "--url", "http://127.0.0.1:9/predict", "--payload", "x.json", "--events", "amqp://h/");
        assertThat(run.exitCode()).as(run.err()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(run.err()).contains("--events needs --model DIR");
    }

    @Test
    @Timeout(60)
    void eventsTailWarnsAboutAPasswordInItsOwnOption() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort(); // closed again: the broker is unreachable and tail fails after the warning
        }
        InProcessCli.Run run = InProcessCli.run(
                "events", "tail", "--amqp", "amqp://u:PWsecret@127.0.0.1:" + port + "/", "--count", "1");
        assertThat(run.exitCode()).as(run.err()).isNotZero();
        assertThat(run.err())
                .contains("the password in the --amqp URI is visible to other users")
                .contains("--amqp-password-stdin")
                .doesNotContain("PWsecret");
    }
}
