package io.jenkins.plugins.modeldeploy.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentResult;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentRunner;
import io.jenkins.plugins.modeldeploy.abtest.MetricsException;
import io.jenkins.plugins.modeldeploy.abtest.ShadowStats;
import io.jenkins.plugins.modeldeploy.cleanup.Scratch;
import io.jenkins.plugins.modeldeploy.container.Podman;
import io.jenkins.plugins.modeldeploy.event.EventBus;
import io.jenkins.plugins.modeldeploy.harness.HarnessOptions;
import io.jenkins.plugins.modeldeploy.harness.HarnessProcess;
import io.jenkins.plugins.modeldeploy.image.BaseImage;
import io.jenkins.plugins.modeldeploy.image.BaseImages;
import io.jenkins.plugins.modeldeploy.image.ImagePlan;
import io.jenkins.plugins.modeldeploy.image.ImageTarget;
import io.jenkins.plugins.modeldeploy.model.ModelSpec;
import io.jenkins.plugins.modeldeploy.model.ModelSpecLoader;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.pipeline.Approval;
import io.jenkins.plugins.modeldeploy.pipeline.ApprovalGate;
import io.jenkins.plugins.modeldeploy.pipeline.DeployOutcome;
import io.jenkins.plugins.modeldeploy.pipeline.DeployPlan;
import io.jenkins.plugins.modeldeploy.pipeline.DeployReport;
import io.jenkins.plugins.modeldeploy.pipeline.DeploymentEngine;
import io.jenkins.plugins.modeldeploy.pipeline.Lifecycle;
import io.jenkins.plugins.modeldeploy.pipeline.QualityReport;
import io.jenkins.plugins.modeldeploy.pipeline.SmokeSettings;
import io.jenkins.plugins.modeldeploy.progress.ProgressSink;
import io.jenkins.plugins.modeldeploy.route.Endpoints;
import io.jenkins.plugins.modeldeploy.route.RoutingException;
import io.jenkins.plugins.modeldeploy.target.RetireMode;
import io.jenkins.plugins.modeldeploy.target.TargetException;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Consumer;

/**
 * The end-to-end demo on this machine, through the same {@link Lifecycle} every driver runs: train the iris example
 * twice — v1 on the sepal measurements only, v2 on all four (both on the same 105 training rows; 45 held-out rows are
 * never trained on) — build images of v1 and v2 (OCI tars), release v1, smoke-test v2, A/B test it against v1 with
 * synthetic traffic that includes the held-out rows with their species ({@code abTest.labelled} in the example's
 * model.yaml, gated on {@code accuracy} by {@code abTest.metrics}), promote it once its accuracy is shown not worse
 * (it is far better) and its error and SLO-violation rates not worse (approved automatically), and write one HTML
 * report. Every non-2xx answer through the gateway counts as a failure; no fault is injected.
 */
public final class LocalDemo {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    /** One sample request and the answer through the stable route. */
    public record SampleResult(String sample, int status, JsonNode response, double latencyMs) {}

    /** What the demo did. */
    public record Result(
            String model,
            DeployOutcome first,
            DeployOutcome second,
            long failedRequests,
            long injectedFaults,
            long gatewayRequests,
            Path report,
            List<SampleResult> samples,
            double seconds,
            Optional<ExperimentResult> shadow) {
        public boolean allSucceeded() {
            return second.succeeded()
                    && failedRequests == 0
                    && !samples.isEmpty()
                    && samples.stream().allMatch(s -> s.status() == 200);
        }
    }

    /** How the demo runs; the defaults keep it under three minutes on two cores. */
    public record Options(
            boolean buildImages,
            boolean containers,
            Path reportDir,
            SmokeSettings smoke,
            DeployPlan.ExperimentSettings experiment) {
        public Options {
            if (containers && !buildImages) {
                throw new IllegalArgumentException(
                        "the container runtime runs the versions' images, so it cannot" + " skip building them");
            }
        }

        public static Options defaults(Path reportDir) {
            return new Options(
                    true,
                    false,
                    reportDir,
                    new SmokeSettings(
                            OptionalDouble.empty(),
                            Duration.ofSeconds(10),
                            Duration.ofSeconds(2),
                            OptionalDouble.empty(),
                            OptionalDouble.empty()),
                    new DeployPlan.ExperimentSettings(
                            30,
                            Duration.ofSeconds(10),
                            Duration.ofSeconds(90),
                            300,
                            0.05,
                            ExperimentPlan.Method.SEQUENTIAL,
                            OptionalDouble.of(200),
                            0.02,
                            ExperimentPlan.Gate.DEFAULT));
        }
    }

    /** The demo's shadow phase: this share of v1's requests is mirrored to v2 for this long. */
    static final int SHADOW_PERCENT = 50;

    static final Duration SHADOW_DURATION = Duration.ofSeconds(10);

    /** What {@code train.py} is given for v1: the sepal measurements only. */
    static final List<String> PARTIAL_TRAINING = List.of("--partial");

    private final Path examplesRoot;
    private final HarnessOptions harnessOptions;
    private final EventBus events;
    private final Consumer<String> progress;
    private final ProgressSink display;

    public LocalDemo(Path examplesRoot, HarnessOptions harnessOptions, EventBus events, Consumer<String> progress) {
        this(examplesRoot, harnessOptions, events, progress, ProgressSink.NONE);
    }

    /** @param display where the image builds, smoke test and A/B test show how far they got */
    public LocalDemo(
            Path examplesRoot,
            HarnessOptions harnessOptions,
            EventBus events,
            Consumer<String> progress,
            ProgressSink display) {
        this.examplesRoot = examplesRoot;
        this.harnessOptions = harnessOptions;
        this.events = events;
        this.progress = progress;
        this.display = display;
    }

    public Result run(Options options) throws Exception {
        long started = System.nanoTime();
        // the scratch directory is closed last: the target stops the harnesses that run from it first
        try (Scratch scratch = Scratch.directory("model-deploy-demo-");
                LocalGateway gateway = LocalGateway.start(0);
                LocalTarget target = options.containers()
                        ? LocalTarget.withContainers(
                                gateway, Podman.projectLocal(), scratch.path().resolve("state"), events::publish)
                        : new LocalTarget(
                                gateway,
                                harnessOptions,
                                scratch.path().resolve("state"),
                                events::publish,
                                line -> {})) {
            Path workDir = scratch.path();
            // the same example twice: v1 trained on part of the data (the sepal measurements), v2 on all of it
            Path v1Dir = ExampleModels.copy(examplesRoot, ExampleModels.IRIS_PYTHON, workDir.resolve("v1"));
            Path v2Dir = ExampleModels.copy(examplesRoot, ExampleModels.IRIS_PYTHON, workDir.resolve("v2"));
            progress.accept("training v1 of " + ExampleModels.IRIS_PYTHON + " on part of the data in " + v1Dir);
            List<String> v1Training = ExampleModels.train(
                    v1Dir, harnessOptions.python(), PARTIAL_TRAINING, line -> progress.accept("  " + line));
            progress.accept("training v2 of " + ExampleModels.IRIS_PYTHON + " on all of it in " + v2Dir);
            List<String> v2Training = ExampleModels.train(
                    v2Dir, harnessOptions.python(), List.of(), line -> progress.accept("  " + line));
            heldOut(v1Training, v2Training);
            ModelSpec spec = new ModelSpecLoader().load(v2Dir);
            ModelVersion v1 = ModelVersion.of(new ModelSpecLoader().load(v1Dir), "1", "demo");
            ModelVersion v2 = ModelVersion.of(spec, "2", "demo");
            Optional<Path> base = Optional.empty();
            if (options.buildImages()) {
                base = Optional.of(BaseImages.cachedFor(spec, progress));
            }
            // the verifier's and resolver's lines are kept out of the demo's story; a failure's message carries them
            DeploymentEngine engine =
                    new DeploymentEngine(events::publish, workDir.resolve("build"), line -> {}, display);
            Lifecycle lifecycle = new Lifecycle(engine, target, events::publish);
            ApprovalGate approvals =
                    (request, timeout) -> Approval.automatic("the demo approves a PROMOTE verdict" + " by itself");

            progress.accept("releasing " + v1.id());
            DeployOutcome first = lifecycle.run(plan(v1, base, workDir, Optional.empty(), options), approvals);
            Optional<ExperimentResult> shadow = shadowPhase(v2, gateway, options);
            progress.accept("deploying " + v2.id() + " (trained on all the data): smoke test, then A/B test against "
                    + v1.version() + " on accuracy (labelled held-out rows), error rate and SLO violations");
            DeployOutcome second =
                    lifecycle.run(plan(v2, base, workDir, Optional.of(options.smoke()), options), approvals);
            progress.accept(v2.id() + ": " + second.outcome().map(Enum::name).orElse("?")
                    + second.experiment().map(e -> " - " + e.summary()).orElse(""));
            Path report = DeployReport.write(second, spec.name(), options.reportDir());
            if (shadow.isPresent()) {
                progress.accept(
                        "shadow report: " + QualityReport.writeShadow(shadow.get(), spec.name(), options.reportDir()));
            }
            List<SampleResult> samples = sendSamples(spec, gateway.stableEndpoint(spec.name()));
            return new Result(
                    spec.name(),
                    first,
                    second,
                    gateway.failedRequests(),
                    gateway.injectedFaults(),
                    gateway.requests(),
                    report,
                    samples,
                    (System.nanoTime() - started) / 1e9,
                    shadow);
        }
    }

    /**
     * The two trainings' held-out accuracies, checked: the demo's story needs v2 measurably more accurate than v1.
     *
     * @return v1's and v2's held-out accuracy
     */
    static double[] heldOut(List<String> v1Training, List<String> v2Training) throws IOException {
        OptionalDouble v1 = ExampleModels.heldOutAccuracy(v1Training);
        OptionalDouble v2 = ExampleModels.heldOutAccuracy(v2Training);
        if (v1.isEmpty() || v2.isEmpty()) {
            throw new IOException("train.py printed no held-out accuracy: " + v1Training + " " + v2Training);
        }
        if (!(v2.getAsDouble() > v1.getAsDouble())) {
            throw new IOException(String.format(
                    java.util.Locale.ROOT,
                    "v2 (all the data) is not more accurate than v1 (part of it) on the held-out rows: %.3f vs %.3f",
                    v2.getAsDouble(),
                    v1.getAsDouble()));
        }
        return new double[] {v1.getAsDouble(), v2.getAsDouble()};
    }

    /**
     * Before v2's A/B test: v2 runs as a harness process next to v1, unrouted, and gets a copy of
     * {@link #SHADOW_PERCENT}% of v1's requests (synthetic traffic with the labelled rows) for
     * {@link #SHADOW_DURATION}; its answers are discarded and compared with v1's. The agreement is reported and
     * written to {@code shadow.html}; the phase decides nothing. A gateway that cannot mirror (a RoutingException)
     * skips the phase with a line saying why.
     */
    private Optional<ExperimentResult> shadowPhase(ModelVersion v2, LocalGateway gateway, Options options)
            throws IOException, InterruptedException, TargetException,
                    io.jenkins.plugins.modeldeploy.harness.HarnessStartException {
        DeployPlan.ExperimentSettings ab = options.experiment();
        ExperimentPlan plan = new ExperimentPlan(
                v2.name(),
                "1",
                v2.version(),
                SHADOW_PERCENT,
                SHADOW_DURATION,
                SHADOW_DURATION,
                0,
                ab.alpha(),
                ab.method(),
                ab.syntheticRate(),
                v2.spec().slo().p99Ms(),
                ab.minimumDetectableEffect(),
                ab.gate(),
                List.of(),
                ExperimentPlan.Mode.SHADOW,
                Optional.empty());
        progress.accept("shadow phase: " + v2.id() + " gets a copy of " + SHADOW_PERCENT + "% of " + v2.name()
                + "'s requests for " + SHADOW_DURATION.toSeconds() + " s; its answers are compared, not returned");
        VersionRef ref = new VersionRef(v2.name(), v2.version());
        try (HarnessProcess harness = HarnessProcess.start(v2, harnessOptions, line -> {})) {
            gateway.register(ref, harness.url(), v2.spec().slo().p99Ms());
            try {
                // a shadow needs a route of its own (no weight on the stable route: v1 keeps all of it)
                gateway.reconcile(v2.name(), List.of(plan.champion(), v2.version()));
                ExperimentResult result = new ExperimentRunner(gateway, gateway, events::publish, Duration.ofSeconds(1))
                        .run(plan, DeploymentEngine.samples(v2));
                ShadowStats stats = result.shadow();
                progress.accept(String.format(
                        java.util.Locale.ROOT,
                        "shadow phase: %d mirrored answers compared, %.1f%% agreed with %s, %d failed on the shadow",
                        stats.compared(),
                        stats.agreementRate() * 100,
                        plan.champion(),
                        stats.failed()));
                return Optional.of(result);
            } catch (RoutingException | MetricsException e) {
                progress.accept("shadow phase skipped: " + e.getMessage());
                return Optional.empty();
            } finally {
                try {
                    gateway.reconcile(v2.name(), List.of(plan.champion()));
                    gateway.unregister(ref, Duration.ofSeconds(2));
                } catch (RoutingException e) {
                    progress.accept("cannot take the shadow out of the gateway: " + e.getMessage());
                }
            }
        }
    }

    private static DeployPlan plan(
            ModelVersion version, Optional<Path> base, Path workDir, Optional<SmokeSettings> smoke, Options options) {
        Optional<ImagePlan> image = base.map(tar -> new ImagePlan(
                version,
                new BaseImage.Tar(tar),
                "localhost/models/" + version.name(),
                new ImageTarget.Tar(workDir.resolve("images").resolve(version.id() + ".tar"))));
        return new DeployPlan(
                version,
                image,
                Optional.empty(),
                Map.of("created-by", "model-deploy demo"),
                Duration.ofMinutes(2),
                smoke,
                options.experiment(),
                Duration.ofSeconds(10),
                Duration.ofMinutes(10),
                RetireMode.REMOVE,
                "model-deploy demo",
                // each image proves it serves before it is rolled out, as deploy's and deployModel's do by default
                image.isPresent());
    }

    private List<SampleResult> sendSamples(ModelSpec spec, URI stable) throws IOException, InterruptedException {
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();
        List<SampleResult> results = new ArrayList<>();
        for (Path sample : spec.samples()) {
            byte[] body = Files.readAllBytes(spec.directory().resolve(sample));
            HttpRequest request = HttpRequest.newBuilder(Endpoints.under(stable, "predict"))
                    .timeout(REQUEST_TIMEOUT)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            long start = System.nanoTime();
            HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            double latencyMs = (System.nanoTime() - start) / 1e6;
            JsonNode answer = JSON.readTree(response.body());
            results.add(new SampleResult(sample.toString(), response.statusCode(), answer, latencyMs));
        }
        return results;
    }
}
