package io.jenkins.plugins.modeldeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code --verify}: off unless asked on {@code build}, on unless refused ({@code --no-verify}) on {@code deploy}. */
class VerifyOptionTest {
    private static <T> T parsed(Class<T> type, String... args) {
        List<CommandLine> parsed =
                ModelDeployCommand.commandLine().parseArgs(args).asCommandLineList();
        return type.cast(parsed.get(parsed.size() - 1).getCommand());
    }

    @Test
    void buildVerifiesOnlyWhenAsked() {
        assertThat(parsed(BuildCommand.class, "build", "m", "--version", "1", "--image", "r/m").verify)
                .isFalse();
        assertThat(parsed(BuildCommand.class, "build", "m", "--version", "1", "--image", "r/m", "--verify").verify)
                .isTrue();
    }

    @Test
    void deployVerifiesUnlessRefused() {
        assertThat(parsed(DeployCommand.class, "deploy", "m", "--version", "1").verify)
                .isTrue();
        assertThat(parsed(DeployCommand.class, "deploy", "m", "--version", "1", "--no-verify").verify)
                .isFalse();
        assertThat(parsed(DeployCommand.class, "deploy", "m", "--version", "1", "--verify").verify)
                .isTrue();
    }
}
