package io.jenkins.plugins.modeldeploy.pipeline;

import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentResult;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentRunner;
import io.jenkins.plugins.modeldeploy.abtest.MetricsException;
import io.jenkins.plugins.modeldeploy.abtest.MetricsSource;
import io.jenkins.plugins.modeldeploy.cleanup.Scratch;
import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.event.EventDetails;
import io.jenkins.plugins.modeldeploy.image.BuiltImage;
import io.jenkins.plugins.modeldeploy.image.ImageBuildException;
import io.jenkins.plugins.modeldeploy.image.ImageBuilder;
import io.jenkins.plugins.modeldeploy.image.ImagePlan;
import io.jenkins.plugins.modeldeploy.image.ImageTarget;
import io.jenkins.plugins.modeldeploy.image.JibImageBuilder;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.progress.ProgressSink;
import io.jenkins.plugins.modeldeploy.route.Endpoints;
import io.jenkins.plugins.modeldeploy.route.RoutingException;
import io.jenkins.plugins.modeldeploy.smoke.LoadProfile;
import io.jenkins.plugins.modeldeploy.smoke.Payload;
import io.jenkins.plugins.modeldeploy.smoke.SmokeResult;
import io.jenkins.plugins.modeldeploy.smoke.SmokeTest;
import io.jenkins.plugins.modeldeploy.smoke.SmokeThresholds;
import io.jenkins.plugins.modeldeploy.target.Target;
import io.jenkins.plugins.modeldeploy.target.TargetException;
import io.jenkins.plugins.modeldeploy.verify.ImageVerificationException;
import io.jenkins.plugins.modeldeploy.verify.ImageVerifier;
import io.jenkins.plugins.modeldeploy.verify.VerificationResult;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The stages of a deployment that do work but store nothing: build the image, smoke-test a version, run an A/B test.
 * Each publishes its events. What a stage's result means for the release — and every stored state — belongs to the
 * {@link Lifecycle}, which calls these.
 */
public final class DeploymentEngine {
    /** How long the engine waits to see that a version answers at all before a smoke test. */
    static final Duration REACH_TIMEOUT = Duration.ofSeconds(10);

    private final Consumer<DeploymentEvent> events;
    private final ImageBuilder images;
    private final ImageVerifier verifier;
    private final Duration checkEvery;
    private final ProgressSink progress;

    /**
     * @param images     builds the versions' images
     * @param verifier   runs a built image and sends it the model's samples, when a build asks for it
     * @param checkEvery how often an A/B test reads its metrics and decides
     */
    public DeploymentEngine(
            Consumer<DeploymentEvent> events,
            ImageBuilder images,
            ImageVerifier verifier,
            Duration checkEvery,
            ProgressSink progress) {
        this.events = events;
        this.images = images;
        this.verifier = verifier;
        this.checkEvery = checkEvery;
        this.progress = progress;
    }

    /** Without progress display. */
    public DeploymentEngine(
            Consumer<DeploymentEvent> events, ImageBuilder images, ImageVerifier verifier, Duration checkEvery) {
        this(events, images, verifier, checkEvery, ProgressSink.NONE);
    }

    /** The engine with the default verifier (podman, else the local harness; its output discarded). */
    public DeploymentEngine(Consumer<DeploymentEvent> events, ImageBuilder images, Duration checkEvery) {
        this(events, images, checkEvery, ProgressSink.NONE);
    }

    /** @param progress where smoke and A/B tests show how far they got (the image builder has its own) */
    public DeploymentEngine(
            Consumer<DeploymentEvent> events, ImageBuilder images, Duration checkEvery, ProgressSink progress) {
        this(events, images, new ImageVerifier(line -> {}), checkEvery, progress);
    }

    /** The engine with Jib building images in {@code workDir}, deciding A/B tests every second. */
    public DeploymentEngine(Consumer<DeploymentEvent> events, Path workDir, Consumer<String> log) {
        this(events, workDir, log, ProgressSink.NONE);
    }

    /** The same, showing the image build's, smoke test's and A/B test's progress on {@code progress}. */
    public DeploymentEngine(
            Consumer<DeploymentEvent> events, Path workDir, Consumer<String> log, ProgressSink progress) {
        this(
                events,
                new JibImageBuilder(workDir, log).withProgress(progress),
                new ImageVerifier(log),
                Duration.ofSeconds(1),
                progress);
    }

    /** Builds the image to the plan's target, unverified. */
    public BuiltImage buildImage(ImagePlan plan) throws ImageBuildException, InterruptedException {
        return buildImage(plan, false);
    }

    /**
     * Builds the image to the plan's target. With {@code verify}, the image is first built to an OCI tar in a scratch
     * directory, run and sent the model's samples ({@link ImageVerifier}); only when it answers them all is it built
     * to the target (the same inputs give the same image), so nothing is pushed, written or rolled out before.
     *
     * @throws ImageBuildException also when the image did not prove it serves: then its message starts with
     *     {@code verification failed:} and its cause is the {@link ImageVerificationException}
     */
    public BuiltImage buildImage(ImagePlan plan, boolean verify) throws ImageBuildException, InterruptedException {
        String model = plan.version().name();
        String version = plan.version().version();
        events.accept(DeploymentEvent.of(
                model, version, "building image " + plan.reference(), new EventDetails.BuildStarted(plan.reference())));
        try {
            if (verify) {
                verify(plan);
            }
            BuiltImage image = images.build(plan);
            events.accept(DeploymentEvent.of(
                    model,
                    version,
                    "built " + image.pinned() + " (" + image.layersPushed() + " layers, " + image.bytesPushed()
                            + " bytes pushed)",
                    new EventDetails.BuildFinished(
                            image.image(), image.digest(), image.layersPushed(), image.bytesPushed())));
            return image;
        } catch (ImageBuildException e) {
            events.accept(DeploymentEvent.of(
                    model,
                    version,
                    e.getCause() instanceof ImageVerificationException
                            ? e.getMessage() // "verification failed: image … cannot serve: …"
                            : "image build failed: " + e.getMessage(),
                    new EventDetails.BuildFailed(e.getMessage())));
            throw e;
        }
    }

    /** Builds {@code plan} to a tar in a scratch directory and verifies it there; the scratch goes either way. */
    private void verify(ImagePlan plan) throws ImageBuildException, InterruptedException {
        String model = plan.version().name();
        String version = plan.version().version();
        String image = plan.reference();
        try (Scratch scratch = Scratch.directory("model-deploy-verify-")) {
            Path tar = scratch.path().resolve("image.tar");
            String runner = verifier.runner();
            if (runner.equals(VerificationResult.PODMAN)) { // the local harness runs the model directory instead
                images.build(new ImagePlan(
                        plan.version(),
                        plan.base(),
                        plan.repository(),
                        new ImageTarget.Tar(tar),
                        plan.revision(),
                        plan.source(),
                        plan.createdAt()));
            }
            int samples = ImageVerifier.samples(plan.version()).size();
            events.accept(DeploymentEvent.of(
                    model,
                    version,
                    "verifying " + image + ": " + samples + " samples (" + runner + ")",
                    new EventDetails.VerifyStarted(image, samples, runner)));
            VerificationResult result = verifier.verify(tar, image, plan.version());
            events.accept(DeploymentEvent.of(
                    model,
                    version,
                    "verified " + image + ": " + result.passed() + " of " + result.sent() + " samples answered ("
                            + result.runner() + ")",
                    new EventDetails.VerifyFinished(image, result.sent(), result.passed(), result.runner())));
        } catch (ImageVerificationException e) {
            throw new ImageBuildException("verification failed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ImageBuildException(
                    "cannot make a scratch directory to verify " + image + ": " + e.getMessage(), e);
        }
    }

    /**
     * Sends the model's sample requests to {@code endpoint/predict} (the path of the endpoint kept) at the SLO rate
     * and judges the result against the SLO or the settings' limits.
     */
    public SmokeResult smokeTest(ModelVersion model, URI endpoint, SmokeSettings settings)
            throws TargetException, InterruptedException {
        List<Payload> payloads = samples(model);
        URI url = Endpoints.under(endpoint, "predict");
        requireReachable(model, endpoint);
        double rate = settings.rate().orElse(model.spec().slo().rps());
        SmokeThresholds thresholds = SmokeThresholds.fromSlo(model.spec().slo(), rate);
        if (settings.p99Ms().isPresent()) {
            thresholds = thresholds.withP99Ms(settings.p99Ms().getAsDouble());
        }
        if (settings.maxErrorRate().isPresent()) {
            thresholds = thresholds.withMaxErrorRate(settings.maxErrorRate().getAsDouble());
        }
        events.accept(DeploymentEvent.of(
                model.name(),
                model.version(),
                String.format(
                        Locale.ROOT,
                        "smoke test started: %.0f req/s for %d s against %s",
                        rate,
                        settings.duration().toSeconds(),
                        url),
                new EventDetails.SmokeStarted(
                        url.toString(), rate, settings.duration().toMillis() / 1000.0)));
        String stage = "smoke " + model.id();
        SmokeResult result;
        try {
            result = new SmokeTest()
                    .run(
                            url,
                            payloads,
                            LoadProfile.constant(rate, settings.duration(), settings.warmup()),
                            thresholds,
                            reading -> progress.update(stage, reading.describe()));
        } finally {
            progress.finish(stage); // before the verdict's event, so the last reading stays above it
        }
        var load = result.load();
        events.accept(DeploymentEvent.of(
                model.name(),
                model.version(),
                String.format(
                        Locale.ROOT,
                        "smoke test %s: p50 %.2f ms, p99 %.2f ms, %d errors in %d requests at %.1f req/s%s",
                        result.passed() ? "passed" : "failed",
                        load.latencyMs(50),
                        load.latencyMs(99),
                        load.errorCount(),
                        load.requests(),
                        load.achievedRate(),
                        result.labels().instances() > 0 ? "; " + result.labels().describe() : ""),
                new EventDetails.SmokeFinished(
                        result.passed(),
                        load.requests(),
                        load.achievedRate(),
                        load.latencyMs(50),
                        load.latencyMs(99),
                        load.errorRate(),
                        result.verdict().reasons())));
        return result;
    }

    /**
     * Fails at once, naming the address and what to configure, when this machine cannot reach the version at all —
     * rather than after a smoke test of nothing but connection errors.
     */
    private static void requireReachable(ModelVersion model, URI endpoint)
            throws TargetException, InterruptedException {
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(REACH_TIMEOUT).build();
        try {
            client.send(
                    HttpRequest.newBuilder(Endpoints.under(endpoint, "v2", "health", "live"))
                            .timeout(REACH_TIMEOUT)
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof ConnectException
                        || cause instanceof HttpConnectTimeoutException
                        || cause instanceof UnknownHostException
                        || cause instanceof java.nio.channels.UnresolvedAddressException) {
                    throw unreachable(model, endpoint, e);
                }
            }
            // anything else (a reset, a slow answer while the model warms up) is for the smoke test to measure
        }
    }

    private static TargetException unreachable(ModelVersion model, URI endpoint, Exception cause) {
        return new TargetException(
                "cannot reach " + model.id() + " at " + endpoint + " from this machine ("
                        + cause.getClass().getSimpleName()
                        + (cause.getMessage() == null ? "" : ": " + cause.getMessage())
                        + "); on Kubernetes, set the gateway URL (Traefik's entry point, e.g. --gateway-url"
                        + " https://models.example.com) so tests go through the routes clients use",
                cause);
    }

    /**
     * What smoke tests and synthetic A/B traffic send: the model's labelled files ({@code abTest.labelled}) when it
     * declares some, else its sample requests; entries with {@code "expected"} are scored per instance.
     */
    public static List<Payload> samples(ModelVersion model) throws TargetException {
        if (AbTestInputs.trafficFiles(model.spec()).isEmpty()) {
            throw new TargetException("model " + model.name() + " has no samples in model.yaml: smoke tests and"
                    + " synthetic traffic need at least one sample request");
        }
        try {
            return AbTestInputs.trafficPayloads(model.spec());
        } catch (IOException e) {
            throw new TargetException("cannot read the samples of model " + model.name() + ": " + e.getMessage(), e);
        }
    }

    /** The target's metrics source for {@code plan}, or an error naming what to configure. */
    static MetricsSource metrics(Target target, ExperimentPlan plan) throws TargetException {
        return target.metrics(plan.sloP99Ms())
                .orElseThrow(() -> new TargetException("A/B tests on "
                        + target.describe()
                        + " read Traefik's metrics from Prometheus: configure a Prometheus URL for the"
                        + " cluster"));
    }

    /**
     * Splits the stable route, measures both variants with the target's metrics and decides; leaves the split as it
     * found it.
     *
     * @param samples what synthetic traffic sends, when the plan asks for it (the challenger's sample requests)
     */
    public ExperimentResult abTest(Target target, ExperimentPlan plan, List<Payload> samples)
            throws TargetException, RoutingException, InterruptedException {
        MetricsSource metrics = metrics(target, plan);
        try {
            String stage = "A/B " + plan.model() + " " + plan.challenger() + " vs " + plan.champion();
            try {
                return new ExperimentRunner(target.router(), metrics, events, checkEvery, reading -> {
                            progress.update(stage, reading.describe());
                            if (reading.decided()) {
                                progress.finish(stage); // the last reading stays above the decision's event
                            }
                        })
                        .run(plan, samples);
            } finally {
                progress.finish(stage);
            }
        } catch (MetricsException e) {
            throw new TargetException("A/B test of " + plan.model() + " stopped: " + e.getMessage(), e);
        }
    }
}
