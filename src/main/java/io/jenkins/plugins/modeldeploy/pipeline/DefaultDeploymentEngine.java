package io.jenkins.plugins.modeldeploy.pipeline;

import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentResult;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentRunner;
import io.jenkins.plugins.modeldeploy.abtest.MetricsException;
import io.jenkins.plugins.modeldeploy.abtest.MetricsSource;
import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.event.EventDetails;
import io.jenkins.plugins.modeldeploy.image.BuiltImage;
import io.jenkins.plugins.modeldeploy.image.ImageBuildException;
import io.jenkins.plugins.modeldeploy.image.ImagePlan;
import io.jenkins.plugins.modeldeploy.image.JibImageBuilder;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.route.RoutingException;
import io.jenkins.plugins.modeldeploy.route.TrafficRouter;
import io.jenkins.plugins.modeldeploy.smoke.LoadProfile;
import io.jenkins.plugins.modeldeploy.smoke.Payload;
import io.jenkins.plugins.modeldeploy.smoke.Payloads;
import io.jenkins.plugins.modeldeploy.smoke.SmokeResult;
import io.jenkins.plugins.modeldeploy.smoke.SmokeTest;
import io.jenkins.plugins.modeldeploy.smoke.SmokeThresholds;
import io.jenkins.plugins.modeldeploy.target.DeployedVersion;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import io.jenkins.plugins.modeldeploy.target.ReleaseState.Phase;
import io.jenkins.plugins.modeldeploy.target.ReleaseStore;
import io.jenkins.plugins.modeldeploy.target.RolloutException;
import io.jenkins.plugins.modeldeploy.target.RolloutRequest;
import io.jenkins.plugins.modeldeploy.target.Stage;
import io.jenkins.plugins.modeldeploy.target.Target;
import io.jenkins.plugins.modeldeploy.target.TargetException;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/** The engine every driver uses: each phase publishes its events and records what it did in the release store. */
public final class DefaultDeploymentEngine implements DeploymentEngine {
    private final Consumer<DeploymentEvent> events;
    private final Path workDir;
    private final Consumer<String> log;
    private final Optional<MetricsSource> clusterMetrics;
    private final Duration checkEvery;

    /**
     * @param workDir        scratch space for image builds
     * @param clusterMetrics where A/B tests read Traefik's metrics when the target's router has no counters of its
     *                       own (Kubernetes: Prometheus)
     */
    public DefaultDeploymentEngine(Consumer<DeploymentEvent> events, Path workDir, Consumer<String> log,
            Optional<MetricsSource> clusterMetrics, Duration checkEvery) {
        this.events = events;
        this.workDir = workDir;
        this.log = log;
        this.clusterMetrics = clusterMetrics;
        this.checkEvery = checkEvery;
    }

    public DefaultDeploymentEngine(Consumer<DeploymentEvent> events, Path workDir, Consumer<String> log) {
        this(events, workDir, log, Optional.empty(), Duration.ofSeconds(1));
    }

    @Override
    public BuiltImage buildImage(ImagePlan plan) throws ImageBuildException, InterruptedException {
        String model = plan.version().name();
        String version = plan.version().version();
        events.accept(DeploymentEvent.of(model, version, "building image " + plan.reference(),
                new EventDetails.BuildStarted(plan.reference())));
        try {
            BuiltImage image = new JibImageBuilder(workDir, log).build(plan);
            events.accept(DeploymentEvent.of(model, version, "built " + image.pinned() + " (" + image.layersPushed()
                    + " layers, " + image.bytesPushed() + " bytes pushed)", new EventDetails.BuildFinished(
                            image.image(), image.digest(), image.layersPushed(), image.bytesPushed())));
            return image;
        } catch (ImageBuildException e) {
            events.accept(DeploymentEvent.of(model, version, "image build failed: " + e.getMessage(),
                    new EventDetails.BuildFailed(e.getMessage())));
            throw e;
        }
    }

    @Override
    public DeployedVersion rollout(Target target, RolloutRequest request) throws RolloutException, RoutingException,
            InterruptedException {
        VersionRef ref = request.ref();
        DeployedVersion deployed = target.rollout(request);
        TrafficRouter router = target.router();
        Set<String> routed = new LinkedHashSet<>(routedVersions(target, ref.model()));
        routed.add(ref.version());
        router.reconcile(ref.model(), routed);
        try {
            ReleaseStore store = target.releases();
            if (!store.stages(ref.model()).containsKey(ref.version())) {
                store.setStage(ref, Stage.CANDIDATE);
            }
            if (request.image().isPresent()) {
                String digest = request.image().get().substring(request.image().get().indexOf('@') + 1);
                Optional<ReleaseState> state = store.load(ref.model());
                if (state.isPresent() && !digest.equals(state.get().digests().get(ref.version()))) {
                    store.save(state, state.get().withDigest(ref.version(), digest));
                }
            }
        } catch (TargetException e) {
            throw new RolloutException(ref.id(), "release state not recorded", e.getMessage(), List.of());
        }
        return deployed;
    }

    /**
     * The versions that keep a route: every version with a stage but rolled back or failed ones (a retired version
     * keeps its route while scaled to zero, so a rollback needs only its weight back).
     */
    private static List<String> routedVersions(Target target, String model) throws RoutingException {
        Set<String> versions = new LinkedHashSet<>();
        try {
            target.releases().stages(model).forEach((version, stage) -> {
                if (stage != Stage.ROLLED_BACK && stage != Stage.FAILED) {
                    versions.add(version);
                }
            });
        } catch (TargetException e) {
            throw new RoutingException("cannot read the versions of " + model + ": " + e.getMessage(), e);
        }
        return List.copyOf(versions);
    }

    @Override
    public SmokeResult smokeTest(Target target, ModelVersion model, DeployedVersion version, SmokeSettings settings)
            throws TargetException, InterruptedException {
        List<Payload> payloads = samples(model);
        URI url = version.endpoint().resolve("/predict");
        double rate = settings.rate().orElse(model.spec().slo().rps());
        SmokeThresholds thresholds = SmokeThresholds.fromSlo(model.spec().slo(), rate);
        if (settings.p99Ms().isPresent()) {
            thresholds = thresholds.withP99Ms(settings.p99Ms().getAsDouble());
        }
        if (settings.maxErrorRate().isPresent()) {
            thresholds = thresholds.withMaxErrorRate(settings.maxErrorRate().getAsDouble());
        }
        events.accept(DeploymentEvent.of(model.name(), model.version(), String.format(Locale.ROOT,
                "smoke test started: %.0f req/s for %d s against %s", rate, settings.duration().toSeconds(), url),
                new EventDetails.SmokeStarted(url.toString(), rate, settings.duration().toMillis() / 1000.0)));
        SmokeResult result = new SmokeTest().run(url, payloads, LoadProfile.constant(rate, settings.duration(),
                settings.warmup()), thresholds, progress -> { });
        var load = result.load();
        events.accept(DeploymentEvent.of(model.name(), model.version(), String.format(Locale.ROOT,
                "smoke test %s: p50 %.2f ms, p99 %.2f ms, %d errors in %d requests at %.1f req/s",
                result.passed() ? "passed" : "failed", load.latencyMs(50), load.latencyMs(99), load.errorCount(),
                load.requests(), load.achievedRate()),
                new EventDetails.SmokeFinished(result.passed(), load.requests(), load.achievedRate(),
                        load.latencyMs(50), load.latencyMs(99), load.errorRate(), result.verdict().reasons())));
        return result;
    }

    /** The model's sample requests, which smoke tests and synthetic A/B traffic send. */
    public static List<Payload> samples(ModelVersion model) throws TargetException {
        if (model.spec().samples().isEmpty()) {
            throw new TargetException("model " + model.name() + " has no samples in model.yaml: smoke tests and"
                    + " synthetic traffic need at least one sample request");
        }
        try {
            return Payloads.read(model.spec().directory(), model.spec().samples());
        } catch (IOException e) {
            throw new TargetException("cannot read the samples of model " + model.name() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public ExperimentResult abTest(Target target, ExperimentPlan plan, List<Payload> samples) throws TargetException,
            RoutingException, InterruptedException {
        MetricsSource metrics = target.router() instanceof MetricsSource own ? own : target.metrics(plan.sloP99Ms())
                .or(() -> clusterMetrics).orElseThrow(() -> new TargetException("A/B tests on " + target.describe()
                        + " read Traefik's metrics from Prometheus: configure a Prometheus URL for the cluster"));
        ReleaseStore store = target.releases();
        Optional<ReleaseState> stored = store.load(plan.model());
        if (stored.isEmpty() || !stored.get().production().equals(Optional.of(plan.champion()))) {
            throw new TargetException("cannot A/B test " + plan.model() + " " + plan.challenger() + " against "
                    + plan.champion() + ": the production version is "
                    + stored.flatMap(ReleaseState::production).orElse("not set"));
        }
        ReleaseState experiment = new ReleaseState(plan.model(), Phase.EXPERIMENT, Optional.of(plan.champion()),
                Optional.of(plan.challenger()), stored.get().previous(), stored.get().weights(),
                target.router().currentWeights(plan.model()), stored.get().digests(), Instant.now());
        store.save(stored, experiment);
        store.setStage(new VersionRef(plan.model(), plan.challenger()), Stage.CHALLENGER);
        ExperimentResult result;
        try {
            result = new ExperimentRunner(target.router(), metrics, events, checkEvery).run(plan, samples);
        } catch (MetricsException e) {
            throw new TargetException("A/B test of " + plan.model() + " stopped: " + e.getMessage(), e);
        }
        // The runner restored the split; the release is stable again until someone promotes.
        store.save(Optional.of(experiment), new ReleaseState(plan.model(), Phase.STABLE, Optional.of(plan.champion()),
                Optional.empty(), stored.get().previous(), experiment.previousWeights(), Map.of(), experiment.digests(),
                Instant.now()));
        return result;
    }

    @Override
    public ReleaseState promote(Target target, String model, String challenger, Approval approval)
            throws TargetException, RoutingException, InterruptedException {
        return new Promotions(target, events).promote(model, challenger, approval);
    }

    @Override
    public ReleaseState rollback(Target target, String model, String reason) throws TargetException,
            RoutingException, InterruptedException {
        return new Promotions(target, events).rollback(model, reason);
    }
}
