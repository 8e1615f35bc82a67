package io.jenkins.plugins.modeldeploy.cli;

import io.jenkins.plugins.modeldeploy.harness.HarnessOptions;
import io.jenkins.plugins.modeldeploy.harness.HarnessProcess;
import io.jenkins.plugins.modeldeploy.model.ModelSpec;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "serve",
        description = "Serve a model directory over HTTP with the local interpreter until Ctrl-C or SIGTERM.")
final class ServeCommand implements Callable<Integer> {
    @Mixin
    HelpOption help;

    @Mixin
    ModelOptions model;

    @Option(
            names = "--port",
            defaultValue = "8080",
            description = "Port to listen on (0: any free port). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(
            names = "--host",
            defaultValue = "127.0.0.1",
            description = "Address to listen on. Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(
            names = "--version",
            defaultValue = "dev",
            description = "Model version to report. Default: ${DEFAULT-VALUE}.")
    String version;

    @Option(
            names = "--ready-timeout",
            defaultValue = "2m",
            converter = DurationConverter.class,
            description = "How long the model may take to load. Default: ${DEFAULT-VALUE}.")
    Duration readyTimeout;

    @Option(
            names = "--drain-timeout",
            defaultValue = "10s",
            converter = DurationConverter.class,
            description = "How long in-flight requests may take after Ctrl-C/SIGTERM. Default: ${DEFAULT-VALUE}.")
    Duration drainTimeout;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    @Override
    public Integer call() throws Exception {
        ModelSpec spec = model.load();
        ModelVersion modelVersion = ModelVersion.of(spec, version, "--version");
        PrintWriter out = commandSpec.commandLine().getOut();
        PrintWriter err = commandSpec.commandLine().getErr();
        HarnessOptions options = HarnessOptions.loopback()
                .withHost(host)
                .withPort(port)
                .withReadyTimeout(readyTimeout)
                .withDrainTimeout(drainTimeout);
        HarnessProcess harness = HarnessProcess.start(modelVersion, options, OutputOption.lines(err));
        Thread stopper = new Thread(harness::close, "stop harness");
        Runtime.getRuntime().addShutdownHook(stopper);
        out.printf(
                "Serving %s version %s (%s, %d worker%s) at %s%n",
                spec.name(),
                version,
                spec.runtime().id(),
                harness.workers(),
                harness.workers() == 1 ? "" : "s",
                harness.url());
        out.printf("  POST %s/predict   {\"instances\": [...]}%n", harness.url());
        out.printf("  POST %s/v2/models/%s/infer   (Open Inference Protocol V2)%n", harness.url(), spec.name());
        out.printf("  GET  %s/metrics%n", harness.url());
        out.println("Press Ctrl-C to stop.");
        out.flush();
        int code = harness.waitFor();
        try {
            Runtime.getRuntime().removeShutdownHook(stopper);
        } catch (IllegalStateException shuttingDown) {
            return code; // stopped by a signal: the hook is draining the harness
        }
        if (code != 0) {
            throw new IllegalStateException("harness for " + modelVersion.id() + " exited with code " + code);
        }
        return 0;
    }
}
