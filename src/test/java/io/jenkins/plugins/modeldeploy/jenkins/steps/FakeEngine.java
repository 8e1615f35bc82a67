package io.jenkins.plugins.modeldeploy.jenkins.steps;

import io.jenkins.plugins.modeldeploy.smoke.Payload;

import io.jenkins.plugins.modeldeploy.model.ModelVersion;

import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentResult;
import io.jenkins.plugins.modeldeploy.abtest.VariantStats;
import io.jenkins.plugins.modeldeploy.abtest.Verdict;
import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.event.EventDetails;
import io.jenkins.plugins.modeldeploy.image.BuiltImage;
import io.jenkins.plugins.modeldeploy.image.ImagePlan;
import io.jenkins.plugins.modeldeploy.jenkins.engine.EngineFactory;
import io.jenkins.plugins.modeldeploy.kube.KubernetesSettings;
import io.jenkins.plugins.modeldeploy.model.Slo;
import io.jenkins.plugins.modeldeploy.pipeline.Approval;
import io.jenkins.plugins.modeldeploy.pipeline.DeploymentEngine;
import io.jenkins.plugins.modeldeploy.pipeline.SmokeSettings;
import io.jenkins.plugins.modeldeploy.route.TrafficRouter;
import io.jenkins.plugins.modeldeploy.smoke.LoadProfile;
import io.jenkins.plugins.modeldeploy.smoke.LoadResult;
import io.jenkins.plugins.modeldeploy.smoke.SmokeResult;
import io.jenkins.plugins.modeldeploy.smoke.SmokeThresholds;
import io.jenkins.plugins.modeldeploy.smoke.SmokeVerdict;
import io.jenkins.plugins.modeldeploy.target.DeployedVersion;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import io.jenkins.plugins.modeldeploy.target.ReleaseStore;
import io.jenkins.plugins.modeldeploy.target.RetireMode;
import io.jenkins.plugins.modeldeploy.target.RolloutRequest;
import io.jenkins.plugins.modeldeploy.target.Stage;
import io.jenkins.plugins.modeldeploy.target.Target;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * The engine, a target and their factory as one scripted double: records every call (as "phase args") and the
 * plans it was given, and answers with the configured verdict, smoke outcome and production version.
 */
class FakeEngine implements DeploymentEngine, EngineFactory {
    final List<String> calls = new CopyOnWriteArrayList<>();
    volatile ImagePlan imagePlan;
    volatile KubernetesSettings settings;
    volatile ExperimentPlan experimentPlan;
    volatile SmokeSettings smokeSettings;
    volatile Verdict verdict = Verdict.PROMOTE;
    volatile boolean smokePasses = true;
    volatile String production = "1";
    volatile Consumer<DeploymentEvent> events;
    /** Text the engine "logs" as an event while building: tests put secrets in it. */
    volatile String buildMessage = "building";

    @Override
    public DeploymentEngine engine(Path workDir, Consumer<DeploymentEvent> events) {
        this.events = events;
        return this;
    }

    @Override
    public Target target(KubernetesSettings settings, Consumer<DeploymentEvent> events) {
        this.settings = settings;
        calls.add("connect " + settings.namespace());
        return new FakeTarget();
    }

    @Override
    public BuiltImage buildImage(ImagePlan plan) {
        imagePlan = plan;
        calls.add("build " + plan.reference());
        events.accept(DeploymentEvent.of(plan.version().name(), plan.version().version(), buildMessage,
                new EventDetails.BuildStarted(plan.reference())));
        return new BuiltImage(plan.reference(), "sha256:" + "ab".repeat(32), 3, 1234);
    }

    @Override
    public DeployedVersion rollout(Target target, RolloutRequest request) {
        calls.add("rollout " + request.version().id() + " " + request.image().orElse(""));
        return new DeployedVersion(request.ref(), URI.create("http://" + request.version().id() + ".ml:8080"),
                request.image(), 2, Duration.ofSeconds(3));
    }

    @Override
    public SmokeResult smokeTest(Target target, ModelVersion model, DeployedVersion version,
            SmokeSettings settings) {
        smokeSettings = settings;
        calls.add("smoke " + version.ref());
        return smoke(smokePasses);
    }

    @Override
    public ExperimentResult abTest(Target target, ExperimentPlan plan, List<Payload> samples) {
        experimentPlan = plan;
        calls.add("abtest " + plan.champion() + " vs " + plan.challenger());
        return new ExperimentResult(plan, verdict, List.of("error rate 0.1% vs 0.1%"),
                new VariantStats(plan.champion(), 9000, 9, 10, 3, 20),
                new VariantStats(plan.challenger(), 1000, 1, 1, 3, 19), 0.7, 0.8, 0.5, Duration.ofMinutes(5),
                List.of(), List.of());
    }

    @Override
    public ReleaseState promote(Target target, String model, String challenger, Approval approval) {
        calls.add("promote " + model + " " + challenger + " by " + approval.approver());
        return state(model, challenger, ReleaseState.Phase.PROMOTED);
    }

    @Override
    public ReleaseState rollback(Target target, String model, String reason) {
        calls.add("rollback " + model + ": " + reason);
        return state(model, production, ReleaseState.Phase.ROLLED_BACK);
    }

    ReleaseState state(String model, String prod, ReleaseState.Phase phase) {
        return new ReleaseState(model, phase, Optional.ofNullable(prod), Optional.empty(), Optional.empty(),
                Map.of(), Map.of(), prod == null ? Map.of() : Map.of(prod, "sha256:" + "cd".repeat(32)),
                Instant.now());
    }

    static SmokeResult smoke(boolean passes) {
        Histogram latency = new Histogram(3);
        for (int i = 1; i <= 1000; i++) {
            latency.recordValue(passes ? 1000 + i : 90_000 + i); // microseconds: ~1-2 ms, or ~90 ms
        }
        LoadResult load = new LoadResult(1000, Map.of(), 100, 99.5, 10, 0, 4, 0.1, latency, new Histogram(3),
                List.of());
        SmokeThresholds thresholds = SmokeThresholds.fromSlo(Slo.DEFAULT, 100);
        return new SmokeResult(URI.create("http://iris-2.ml:8080"), LoadProfile.constant(100, Duration.ofSeconds(15),
                Duration.ofSeconds(5)), thresholds, Instant.now(), load, SmokeVerdict.of(load, thresholds));
    }

    final class FakeTarget implements Target {
        @Override
        public String describe() {
            return "fake";
        }

        @Override
        public DeployedVersion rollout(RolloutRequest request) {
            throw new AssertionError("steps roll out through the engine, never the target directly");
        }

        @Override
        public void retire(VersionRef version, RetireMode mode) {
            calls.add("retire " + version + " " + mode);
        }

        @Override
        public DeployedVersion restore(VersionRef version, Duration timeout) {
            throw new AssertionError("steps restore versions through the engine's rollback, never directly");
        }

        @Override
        public TrafficRouter router() {
            throw new AssertionError("steps change routes through the engine, never the router directly");
        }

        @Override
        public ReleaseStore releases() {
            return new ReleaseStore() {
                @Override
                public Optional<ReleaseState> load(String model) {
                    return production == null ? Optional.empty()
                            : Optional.of(state(model, production, ReleaseState.Phase.STABLE));
                }

                @Override
                public void save(Optional<ReleaseState> expected, ReleaseState next) {
                    throw new AssertionError("steps record release state through the engine, never directly");
                }

                @Override
                public Map<String, Stage> stages(String model) {
                    return Map.of();
                }

                @Override
                public void setStage(VersionRef version, Stage stage) {
                    throw new AssertionError("steps record stages through the engine, never directly");
                }
            };
        }

        @Override
        public void close() {
            calls.add("close target");
        }
    }
}
