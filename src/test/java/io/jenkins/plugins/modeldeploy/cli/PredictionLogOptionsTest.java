package io.jenkins.plugins.modeldeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code local start}'s prediction-log options are checked before a daemon is launched; errors name the option. */
class PredictionLogOptionsTest {
    private static String usageError(String... args) {
        InProcessCli.Run run = InProcessCli.run(args);
        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        return run.err();
    }

    @Test
    void wrongValuesAreUsageErrorsNamingTheOption() {
        assertThat(usageError("local", "start", "--prediction-log", "http://u:PW9@h/x"))
                .contains("--prediction-log must be file:DIR or amqp://")
                .doesNotContain("PW9");
        assertThat(usageError("local", "start", "--prediction-log", "file:/tmp/p", "--log-sample", "1.5"))
                .contains("--log-sample must be in (0, 1], was 1.5");
        assertThat(usageError("local", "start", "--prediction-log", "file:/tmp/p", "--log-exclude", "version"))
                .contains("--log-exclude version: the record's model and version cannot be excluded");
        assertThat(usageError("local", "start", "--prediction-log", "file:/tmp/p", "--log-exclude", "request.a.b"))
                .contains("--log-exclude request.a.b: name one top-level key");
        assertThat(usageError("local", "start", "--log-sample", "0.5"))
                .contains("--log-sample and --log-exclude need --prediction-log");
    }

    @Test
    void theDaemonGetsTheOptionsButNotTheDestinationOnItsCommandLine() {
        LocalCommand.PredictionLogOptions options = new LocalCommand.PredictionLogOptions();
        options.destination = "amqp://u:secret@127.0.0.1:5672";
        options.sample = 0.25;
        options.exclude.add("request.user");
        assertThat(options.forDaemon())
                .containsExactly("--log-sample", "0.25", "--log-exclude", "request.user")
                .noneMatch(arg -> arg.contains("secret"));
        var settings = options.settings(ModelDeployCommand.commandLine(), null).orElseThrow();
        assertThat(settings.sampleRate()).isEqualTo(0.25);
        assertThat(settings.exclude()).containsExactly("request.user");
        LocalCommand.PredictionLogOptions inherited = new LocalCommand.PredictionLogOptions();
        assertThat(inherited
                        .settings(ModelDeployCommand.commandLine(), "file:/tmp/p")
                        .orElseThrow()
                        .destination())
                .isEqualTo("file:/tmp/p");
        assertThat(inherited.settings(ModelDeployCommand.commandLine(), null)).isEmpty();
    }
}
