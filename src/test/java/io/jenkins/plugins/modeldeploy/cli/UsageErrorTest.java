package io.jenkins.plugins.modeldeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A usage error names the options involved and never repeats a value typed after one (it may be a password). */
class UsageErrorTest {
    private static String usageError(String... args) {
        InProcessCli.Run run = InProcessCli.run(args);
        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        return run.err();
    }

    @Test
    void anUnknownOptionIsNamedWithoutItsValue() {
        String message = usageError("smoke", "--url", "http://127.0.0.1:1/", "--event", "amqp://u:PW1@127.0.0.1:1");
        assertThat(message)
                .contains("unknown option --event and 1 unexpected value (not shown); did you mean --events")
                .doesNotContain("PW1")
                .doesNotContain("amqp://");
        assertThat(usageError("smoke", "--url", "http://127.0.0.1:1/", "--bogus=amqp://u:PW3@h"))
                .contains("unknown option --bogus=(value not shown)")
                .doesNotContain("PW3");
        assertThat(usageError("validate", "a", "b", "--x", "amqp://u:PW4@h"))
                .contains("unknown option --x and unexpected argument 'b' and 1 unexpected value (not shown)")
                .doesNotContain("PW4");
    }

    @Test
    void aMistypedCommandIsShown() {
        assertThat(usageError("launch")).startsWith("model-deploy: unexpected argument 'launch'");
        assertThat(usageError("smoke", "--url", "http://127.0.0.1:1/", "--pasword", "hunter2"))
                .contains("unknown option --pasword and 1 unexpected value (not shown)")
                .doesNotContain("hunter2");
    }

    @Test
    void anInvalidValueIsNotRepeated() {
        String message = usageError("smoke", "--url", "http://127.0.0.1:1/", "--rate", "s3cret-rate");
        assertThat(message)
                .contains("Invalid value for option '--rate': (value not shown) is not a double")
                .doesNotContain("s3cret");
        assertThat(usageError("smoke", "--url", "http://127.0.0.1:1/", "--duration=pw-9x"))
                .contains("invalid duration (value not shown)")
                .doesNotContain("pw-9x");
    }

    @Test
    void aValueAConverterRepeatsUnquotedIsNotShownEither() {
        // java.net.URI's parse error quotes the whole input unquoted, and a URL that does not parse cannot be redacted
        assertThat(usageError("smoke", "--url", "http://h/p q?token=tokRSECRET"))
                .contains("--url")
                .doesNotContain("tokRSECRET");
        assertThat(usageError("smoke", "--url", "http://u:pw SECRET@h/p"))
                .contains("--url")
                .doesNotContain("SECRET");
    }

    @Test
    void aMessageOurOwnCheckComposedKeepsTheWordsItShows() {
        // the typed "container" is also a word of the message: hiding values must not blank the message's own text
        assertThat(usageError("demo", "--runtime", "container", "--no-images"))
                .contains("--runtime container runs the versions' images: it cannot be combined with --no-images")
                .doesNotContain("value not shown");
        assertThat(usageError("local", "start", "--port", "70000")).contains("--port must be 0..65535, was 70000");
    }
}
