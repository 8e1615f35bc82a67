package io.jenkins.plugins.modeldeploy.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.modeldeploy.cleanup.Scratch;
import io.jenkins.plugins.modeldeploy.event.EventBus;
import io.jenkins.plugins.modeldeploy.image.ImagePlan;
import io.jenkins.plugins.modeldeploy.local.LocalClient;
import io.jenkins.plugins.modeldeploy.model.ModelSpec;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.pipeline.DeployOutcome;
import io.jenkins.plugins.modeldeploy.pipeline.DeployPlan;
import io.jenkins.plugins.modeldeploy.pipeline.DeployReport;
import io.jenkins.plugins.modeldeploy.pipeline.DeploymentEngine;
import io.jenkins.plugins.modeldeploy.pipeline.ExperimentJson;
import io.jenkins.plugins.modeldeploy.pipeline.Lifecycle;
import io.jenkins.plugins.modeldeploy.pipeline.SmokeSettings;
import io.jenkins.plugins.modeldeploy.progress.ProgressDisplay;
import io.jenkins.plugins.modeldeploy.smoke.SmokeReports;
import io.jenkins.plugins.modeldeploy.target.Target;
import java.io.IOException;
import java.io.PrintWriter;
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

@Command(
        name = "deploy",
        description = {
            "Deploy a version of a model through its whole lifecycle: roll it out,"
                    + " smoke-test it, A/B test it against production and promote it when the gate and a person (or --approve)"
                    + " let it through; otherwise take it out and leave production as it was. The first version of a model"
                    + " becomes production after its smoke test. On the local target the model directory runs under the harness;"
                    + " on Kubernetes the version runs the --image built by `model-deploy build`.",
            "Exit code: 0 when the version serves production afterwards, 1 otherwise."
        })
final class DeployCommand implements Callable<Integer> {
    @Mixin
    HelpOption help;

    @Mixin
    ModelOptions model;

    @Option(names = "--version", required = true, description = "The model version, e.g. 42.")
    String version;

    @Option(
            names = "--verify",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "Before rolling out an image this command builds (the local target's container runtime), run"
                    + " it with podman (else the model with the harness on this machine) and send it the model's"
                    + " samples, checking each answer (`expected` where a sample gives it). Default: on;"
                    + " --no-verify skips it.")
    boolean verify;

    @Option(
            names = "--image",
            paramLabel = "REPOSITORY@sha256:DIGEST",
            description = "The version's image by digest, as `model-deploy build` printed it (required on Kubernetes).")
    String image;

    @Mixin
    TargetOptions target;

    @Option(
            names = "--annotation",
            paramLabel = "KEY=VALUE",
            description = "Metadata recorded on the version, e.g. --annotation git-commit=4f2a9c1.")
    Map<String, String> annotations = new LinkedHashMap<>();

    @Option(
            names = "--rollout-timeout",
            paramLabel = "DURATION",
            defaultValue = "10m",
            converter = DurationConverter.class,
            description = "Default: ${DEFAULT-VALUE}.")
    Duration rolloutTimeout;

    @Option(names = "--no-smoke", description = "Skip the smoke test.")
    boolean noSmoke;

    @Option(names = "--smoke-rate", paramLabel = "REQ/S", description = "Default: the model's slo.rps.")
    Double smokeRate;

    @Option(
            names = "--smoke-duration",
            paramLabel = "DURATION",
            defaultValue = "30s",
            converter = DurationConverter.class,
            description = "Default: ${DEFAULT-VALUE}.")
    Duration smokeDuration;

    @Option(
            names = "--smoke-warmup",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "Load sent before measuring starts. Default: 5s, or half of a shorter --smoke-duration.")
    Duration smokeWarmup;

    @Mixin
    ExperimentOptions experiment;

    @Option(names = "--approve", description = "Approve a PROMOTE verdict without asking.")
    boolean approve;

    @Option(names = "--reject", description = "Reject the promotion whatever the verdict.")
    boolean reject;

    @Option(
            names = "--approval-timeout",
            paramLabel = "DURATION",
            defaultValue = "30m",
            converter = DurationConverter.class,
            description = "Default: ${DEFAULT-VALUE}.")
    Duration approvalTimeout;

    @Option(
            names = "--keep-previous",
            paramLabel = "DURATION",
            defaultValue = "1h",
            converter = DurationConverter.class,
            description = "How long the replaced version keeps running for instant rollback; the next command after"
                    + " that scales it to zero. Default: ${DEFAULT-VALUE}.")
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
        CommandLine commandLine = commandSpec.commandLine();
        target.validate(commandLine);
        if (approve && reject) {
            throw new CheckedUsageError(commandLine, "--approve and --reject exclude each other");
        }
        if (image != null && !image.matches("[^@\\s]+@sha256:[0-9a-f]{64}")) {
            throw new CheckedUsageError(
                    commandLine,
                    "--image must name the image by digest"
                            + " (REPOSITORY@sha256:<64 hex>), as `model-deploy build` prints it; was " + image);
        }
        if (image == null && target.kind() == TargetOptions.Kind.kubernetes) {
            throw new CheckedUsageError(
                    commandLine,
                    "--image is required on Kubernetes: build the"
                            + " version's image with `model-deploy build` first");
        }
        ModelSpec spec = model.load();
        ModelVersion modelVersion = ModelVersion.of(spec, version, "--version");
        if (target.kind() == TargetOptions.Kind.kubernetes && target.cluster.host == null) {
            err.println(RenderCommand.NO_HOST_WARNING.formatted("deploy", spec.name()));
        }
        Optional<SmokeSettings> smoke;
        try {
            Duration warmup = smokeWarmup != null
                    ? smokeWarmup
                    : smokeDuration.compareTo(SmokeSettings.DEFAULT_WARMUP.multipliedBy(2)) < 0
                            ? smokeDuration.dividedBy(2)
                            : SmokeSettings.DEFAULT_WARMUP;
            smoke = noSmoke
                    ? Optional.empty()
                    : Optional.of(new SmokeSettings(
                            smokeRate == null ? OptionalDouble.empty() : OptionalDouble.of(smokeRate),
                            smokeDuration,
                            warmup,
                            OptionalDouble.empty(),
                            OptionalDouble.empty()));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(commandLine, "--smoke-duration/--smoke-warmup: " + e.getMessage());
        }
        DeployPlan.ExperimentSettings experimentSettings = experiment.settings(commandLine);
        DeployOutcome outcome;
        Scratch work = Scratch.directory("model-deploy-deploy-");
        StopOnSignal stop = StopOnSignal.install();
        try (EventBus bus = events.open(err);
                Target connected = target.connect(bus::publish);
                ProgressDisplay progress = output.progress(err)) {
            // a local target running containers runs the version's image: built here as a tar it loads
            Optional<ImagePlan> build = image == null
                    ? LocalClient.imagePlan(connected, modelVersion, OutputOption.lines(err))
                    : Optional.empty();
            DeployPlan plan = new DeployPlan(
                    modelVersion,
                    build,
                    Optional.ofNullable(image),
                    annotations,
                    rolloutTimeout,
                    smoke,
                    experimentSettings,
                    approvalTimeout,
                    keepPrevious,
                    target.onFailure(),
                    System.getProperty("user.name", "cli") + " (model-deploy deploy)",
                    verify);
            DeploymentEngine engine =
                    new DeploymentEngine(bus::publish, work.path(), OutputOption.lines(err), progress);
            CliApprovalGate.Decision decision = approve
                    ? CliApprovalGate.Decision.APPROVE
                    : reject ? CliApprovalGate.Decision.REJECT : CliApprovalGate.Decision.ASK;
            outcome = new Lifecycle(engine, connected, bus::publish).run(plan, new CliApprovalGate(decision, err));
        } finally {
            // the image build writes its harness configuration here
            work.delete().forEach(file -> err.println("model-deploy: could not remove " + file));
            stop.done();
        }
        // A report that cannot be written must not hide how the run ended: the outcome is printed either way.
        Optional<Path> report = Optional.empty();
        String reportProblem = null;
        if (reportDir != null) {
            try {
                report = Optional.of(DeployReport.write(outcome, spec.name(), reportDir));
            } catch (IOException e) {
                reportProblem =
                        "the report could not be written to " + reportDir + " (" + SmokeReports.describe(e) + ")";
                err.println(commandSpec.qualifiedName() + ": " + reportProblem + "; the outcome follows");
                err.flush();
            }
        }
        if (output.json()) {
            out.println(json(outcome, report));
        } else {
            out.printf(
                    "%s %s: %s; production is %s%s%n",
                    spec.name(),
                    version,
                    outcome.outcome().map(Enum::name).orElse("?"),
                    outcome.production().orElse("none"),
                    outcome.reason().isEmpty() ? "" : " (" + outcome.reason() + ")");
            outcome.experiment().ifPresent(e -> out.println("A/B test: " + e.summary()));
            report.ifPresent(path -> out.println("report: " + path));
        }
        out.flush();
        return outcome.succeeded() && reportProblem == null ? 0 : 1;
    }

    static ObjectNode json(DeployOutcome outcome, Optional<Path> report) {
        ObjectNode json = new ObjectMapper().createObjectNode();
        json.put("model", outcome.model());
        json.put("version", outcome.version());
        json.put("outcome", outcome.outcome().map(Enum::name).orElse(null));
        json.put("verdict", outcome.verdict().map(Enum::name).orElse(null));
        json.put("production", outcome.production().orElse(null));
        json.put("reason", outcome.reason());
        outcome.experiment().ifPresent(e -> {
            var reasons = json.putArray("reasons");
            e.reasons().forEach(reasons::add);
            json.put("championRequests", e.champion().requests());
            json.put("challengerRequests", e.challenger().requests());
            json.put("abTestSeconds", e.took().toMillis() / 1000.0);
            json.set("abTest", ExperimentJson.of(e));
        });
        outcome.smoke()
                .ifPresent(s -> json.set("smoke", SmokeReports.json(s).without(List.of("histogram", "timeline"))));
        outcome.approval()
                .ifPresent(a -> json.putObject("approval")
                        .put("approved", a.approved())
                        .put("approver", a.approver())
                        .put("comment", a.comment()));
        report.ifPresent(path -> json.put("report", path.toString()));
        return json;
    }
}
