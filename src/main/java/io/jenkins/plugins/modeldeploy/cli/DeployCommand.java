package io.jenkins.plugins.modeldeploy.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan;
import io.jenkins.plugins.modeldeploy.abtest.PrometheusMetricsSource;
import io.jenkins.plugins.modeldeploy.event.EventBus;
import io.jenkins.plugins.modeldeploy.kube.KubernetesSettings;
import io.jenkins.plugins.modeldeploy.kube.KubernetesTarget;
import io.jenkins.plugins.modeldeploy.model.ModelSpec;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.pipeline.DefaultDeploymentEngine;
import io.jenkins.plugins.modeldeploy.pipeline.DeployOutcome;
import io.jenkins.plugins.modeldeploy.pipeline.DeployPlan;
import io.jenkins.plugins.modeldeploy.pipeline.DeployReport;
import io.jenkins.plugins.modeldeploy.pipeline.ModelDeployment;
import io.jenkins.plugins.modeldeploy.pipeline.SmokeSettings;
import io.jenkins.plugins.modeldeploy.smoke.SmokeReports;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "deploy", description = {"Roll a built image of a model version out to Kubernetes, smoke-test it,"
        + " A/B test it against production, and promote it when approved (or keep it out and leave production as"
        + " it was). The first version of a model becomes production after its smoke test."})
final class DeployCommand implements Callable<Integer> {
    @Mixin
    HelpOption help;

    @Mixin
    ModelOptions model;

    @Option(names = "--version", required = true, description = "The model version, e.g. 42.")
    String version;

    @Option(names = "--image", required = true, paramLabel = "REPOSITORY@sha256:DIGEST",
            description = "The version's image by digest, as `model-deploy build` printed it.")
    String image;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--annotation", paramLabel = "KEY=VALUE",
            description = "Metadata recorded on the version, e.g. --annotation git-commit=4f2a9c1.")
    Map<String, String> annotations = new LinkedHashMap<>();

    @Option(names = "--rollout-timeout", paramLabel = "DURATION", defaultValue = "10m",
            converter = DurationConverter.class, description = "Default: ${DEFAULT-VALUE}.")
    Duration rolloutTimeout;

    @Option(names = "--no-smoke", description = "Skip the smoke test.")
    boolean noSmoke;

    @Option(names = "--smoke-rate", paramLabel = "REQ/S", description = "Default: the model's slo.rps.")
    Double smokeRate;

    @Option(names = "--smoke-duration", paramLabel = "DURATION", defaultValue = "30s",
            converter = DurationConverter.class, description = "Default: ${DEFAULT-VALUE}.")
    Duration smokeDuration;

    @Option(names = "--ab-weight", paramLabel = "PERCENT", defaultValue = "10",
            description = "Share of the stable route sent to the new version. Default: ${DEFAULT-VALUE}.")
    int abWeight;

    @Option(names = "--ab-min", paramLabel = "DURATION", defaultValue = "1m", converter = DurationConverter.class,
            description = "No decision before this. Default: ${DEFAULT-VALUE}.")
    Duration abMin;

    @Option(names = "--ab-max", paramLabel = "DURATION", defaultValue = "30m", converter = DurationConverter.class,
            description = "INCONCLUSIVE after this. Default: ${DEFAULT-VALUE}.")
    Duration abMax;

    @Option(names = "--ab-min-samples", paramLabel = "N", defaultValue = "500",
            description = "Requests per variant before any decision. Default: ${DEFAULT-VALUE}.")
    long abMinSamples;

    @Option(names = "--alpha", defaultValue = "0.05", description = "False decision rate. Default: ${DEFAULT-VALUE}.")
    double alpha;

    @Option(names = "--method", paramLabel = "SEQUENTIAL|FIXED_HORIZON", defaultValue = "SEQUENTIAL",
            description = "Default: ${DEFAULT-VALUE}.")
    ExperimentPlan.Method method;

    @Option(names = "--synthetic-rate", paramLabel = "REQ/S",
            description = "Send the model's samples to the stable route at this rate during the A/B test.")
    Double syntheticRate;

    @Option(names = "--mde", paramLabel = "RATE", defaultValue = "0.01",
            description = "Minimum detectable effect, an absolute difference of rates. Default: ${DEFAULT-VALUE}.")
    double minimumDetectableEffect;

    @Option(names = "--approve", description = "Approve a PROMOTE verdict without asking.")
    boolean approve;

    @Option(names = "--reject", description = "Reject the promotion whatever the verdict.")
    boolean reject;

    @Option(names = "--approval-timeout", paramLabel = "DURATION", defaultValue = "30m",
            converter = DurationConverter.class, description = "Default: ${DEFAULT-VALUE}.")
    Duration approvalTimeout;

    @Option(names = "--keep-previous", paramLabel = "DURATION", defaultValue = "1h",
            converter = DurationConverter.class,
            description = "How long the replaced version keeps running for instant rollback. Default: ${DEFAULT-VALUE}.")
    Duration keepPrevious;

    @Option(names = "--report-dir", paramLabel = "DIR", description = "Write the HTML deployment report here.")
    Path reportDir;

    @Mixin
    OutputOption output;

    @Mixin
    EventOptions events;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = commandSpec.commandLine().getOut();
        PrintWriter err = commandSpec.commandLine().getErr();
        if (approve && reject) {
            throw new CommandLine.ParameterException(commandSpec.commandLine(), "--approve and --reject exclude each"
                    + " other");
        }
        if (!image.matches("[^@\\s]+@sha256:[0-9a-f]{64}")) {
            throw new CommandLine.ParameterException(commandSpec.commandLine(), "--image must name the image by"
                    + " digest (REPOSITORY@sha256:<64 hex>), as `model-deploy build` prints it; was " + image);
        }
        ModelSpec spec = model.load();
        ModelVersion modelVersion = ModelVersion.of(spec, version, "--version");
        DeployPlan.ExperimentSettings experiment = new DeployPlan.ExperimentSettings(abWeight, abMin, abMax,
                abMinSamples, alpha, method, syntheticRate == null ? OptionalDouble.empty()
                        : OptionalDouble.of(syntheticRate), minimumDetectableEffect);
        Optional<SmokeSettings> smoke = noSmoke ? Optional.empty() : Optional.of(new SmokeSettings(
                smokeRate == null ? OptionalDouble.empty() : OptionalDouble.of(smokeRate), smokeDuration,
                SmokeSettings.DEFAULT_WARMUP, OptionalDouble.empty(), OptionalDouble.empty()));
        DeployPlan plan = new DeployPlan(modelVersion, Optional.empty(), Optional.of(image), annotations,
                rolloutTimeout, smoke, experiment, approvalTimeout, keepPrevious);
        KubernetesSettings settings = cluster.settings();
        DeployOutcome outcome;
        Path work = Files.createTempDirectory("model-deploy-deploy-");
        try (EventBus bus = events.open(err); KubernetesTarget target = KubernetesTarget.connect(settings,
                bus::publish)) {
            DefaultDeploymentEngine engine = new DefaultDeploymentEngine(bus::publish, work, OutputOption.lines(err),
                    settings.prometheus().map(url -> new PrometheusMetricsSource(url, settings.namespace(),
                            spec.slo().p99Ms())), Duration.ofSeconds(1));
            CliApprovalGate.Decision decision = approve ? CliApprovalGate.Decision.APPROVE
                    : reject ? CliApprovalGate.Decision.REJECT : CliApprovalGate.Decision.ASK;
            outcome = new ModelDeployment(engine, target, new CliApprovalGate(decision, err), bus::publish)
                    .run(plan);
        }
        Optional<Path> report = reportDir == null ? Optional.empty()
                : Optional.of(DeployReport.write(outcome, spec.name(), reportDir));
        if (output.json()) {
            out.println(json(outcome, report));
        } else {
            out.printf("%s %s: %s; production is %s%n", spec.name(), version, outcome.result(), outcome.production());
            outcome.experiment().ifPresent(e -> out.println("A/B test: " + e.summary()));
            report.ifPresent(path -> out.println("report: " + path));
        }
        out.flush();
        return outcome.succeeded() ? 0 : 1;
    }

    static ObjectNode json(DeployOutcome outcome, Optional<Path> report) {
        ObjectNode json = new ObjectMapper().createObjectNode();
        json.put("result", outcome.result().name());
        json.put("production", outcome.production());
        json.put("verdict", outcome.experiment().map(e -> e.verdict().name()).orElse("NONE"));
        outcome.experiment().ifPresent(e -> {
            var reasons = json.putArray("reasons");
            e.reasons().forEach(reasons::add);
        });
        outcome.smoke().ifPresent(s -> json.set("smoke", SmokeReports.json(s).without(List.of("histogram",
                "timeline"))));
        outcome.approval().ifPresent(a -> json.putObject("approval").put("approved", a.approved())
                .put("approver", a.approver()).put("comment", a.comment()));
        report.ifPresent(path -> json.put("report", path.toString()));
        return json;
    }
}
