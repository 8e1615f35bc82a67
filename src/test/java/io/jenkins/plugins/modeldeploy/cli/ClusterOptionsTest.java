package io.jenkins.plugins.modeldeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.modeldeploy.abtest.LabelMatchers;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ClusterOptionsTest {
    @Test
    void prometheusMatchersReachTheClusterSettings() throws Exception {
        Holder holder = new Holder();
        new CommandLine(holder).parseArgs("--namespace", "ml", "--prometheus-matchers", "cluster=\"prod\"");

        assertThat(holder.options.settings().prometheusMatchers())
                .isEqualTo(LabelMatchers.parse("x", "cluster=\"prod\""));
    }

    @Test
    void badPrometheusMatchersFailBeforeAnythingRunsNamingTheOption() {
        CommandLine commandLine = ModelDeployCommand.commandLine();
        StringWriter err = new StringWriter();
        commandLine.setErr(new PrintWriter(err));

        int exit = commandLine.execute("status", "--namespace", "ml", "--prometheus-matchers", "cluster=prod");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString())
                .contains("--prometheus-matchers (value not shown) is not a list of PromQL label matchers: expected a"
                        + " double-quoted value after cluster=");
    }

    /** A command the options are mixed into, as every cluster command does (the route flags read the mixee). */
    @CommandLine.Command(name = "holder")
    static final class Holder {
        @CommandLine.Mixin
        ClusterOptions options;
    }
}
