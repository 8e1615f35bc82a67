package io.jenkins.plugins.modeldeploy.jenkins;

import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentResult;
import io.jenkins.plugins.modeldeploy.abtest.VariantStats;
import io.jenkins.plugins.modeldeploy.abtest.Verdict;
import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.image.BuiltImage;
import io.jenkins.plugins.modeldeploy.image.ImagePlan;
import io.jenkins.plugins.modeldeploy.jenkins.engine.EngineFactory;
import io.jenkins.plugins.modeldeploy.kube.KubernetesSettings;
import io.jenkins.plugins.modeldeploy.pipeline.Approval;
import io.jenkins.plugins.modeldeploy.pipeline.DeploymentEngine;
import io.jenkins.plugins.modeldeploy.pipeline.SmokeSettings;
import io.jenkins.plugins.modeldeploy.smoke.SmokeResult;
import io.jenkins.plugins.modeldeploy.target.DeployedVersion;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import io.jenkins.plugins.modeldeploy.target.RolloutRequest;
import io.jenkins.plugins.modeldeploy.target.Target;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * An engine that only records calls, for the JenkinsRule tests of the Jenkins side (approval by HTTP, restart while
 * waiting); selected with the {@link EngineFactory#PROPERTY} system property. {@code promoteModel} is the only step
 * these tests drive through it, so only promote, rollback and the release state are scripted.
 */
public final class ScriptedEngineFactory implements EngineFactory, DeploymentEngine {
    public static final List<String> CALLS = new CopyOnWriteArrayList<>();

    @Override
    public DeploymentEngine engine(Path workDir, Consumer<DeploymentEvent> events) {
        return this;
    }

    @Override
    public Target target(KubernetesSettings settings, Consumer<DeploymentEvent> events) {
        return new ScriptedTarget();
    }

    @Override
    public ReleaseState promote(Target target, String model, String challenger, Approval approval) {
        CALLS.add("promote " + model + " " + challenger + " by " + approval.approver());
        return state(model, challenger);
    }

    @Override
    public ReleaseState rollback(Target target, String model, String reason) {
        CALLS.add("rollback " + model + ": " + reason);
        return state(model, "1");
    }

    static ReleaseState state(String model, String production) {
        return new ReleaseState(model, ReleaseState.Phase.STABLE, Optional.of(production), Optional.empty(),
                Optional.empty(), Map.of(), Map.of(), Map.of(production, "sha256:" + "0".repeat(64)), Instant.now());
    }

    @Override
    public BuiltImage buildImage(ImagePlan plan) {
        throw new UnsupportedOperationException("not scripted");
    }

    @Override
    public DeployedVersion rollout(Target target, RolloutRequest request) {
        throw new UnsupportedOperationException("not scripted");
    }

    @Override
    public SmokeResult smokeTest(Target target, DeployedVersion version, SmokeSettings settings) {
        throw new UnsupportedOperationException("not scripted");
    }

    @Override
    public ExperimentResult abTest(Target target, ExperimentPlan plan) {
        return new ExperimentResult(plan, Verdict.PROMOTE, List.of("scripted"), new VariantStats(plan.champion(), 1,
                0, 0, 1, 1), new VariantStats(plan.challenger(), 1, 0, 0, 1, 1), 1, 1, 1, Duration.ZERO, List.of(),
                List.of());
    }

    /** A target whose release store reports version 1 in production. */
    static final class ScriptedTarget implements Target {
        @Override
        public String describe() {
            return "scripted";
        }

        @Override
        public DeployedVersion rollout(RolloutRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void retire(io.jenkins.plugins.modeldeploy.target.VersionRef version,
                io.jenkins.plugins.modeldeploy.target.RetireMode mode) {
            CALLS.add("retire " + version);
        }

        @Override
        public DeployedVersion restore(io.jenkins.plugins.modeldeploy.target.VersionRef version, Duration timeout) {
            throw new UnsupportedOperationException();
        }

        @Override
        public io.jenkins.plugins.modeldeploy.route.TrafficRouter router() {
            throw new UnsupportedOperationException();
        }

        @Override
        public io.jenkins.plugins.modeldeploy.target.ReleaseStore releases() {
            return new io.jenkins.plugins.modeldeploy.target.ReleaseStore() {
                @Override
                public Optional<ReleaseState> load(String model) {
                    return Optional.of(state(model, "1"));
                }

                @Override
                public void save(Optional<ReleaseState> expected, ReleaseState next) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public Map<String, io.jenkins.plugins.modeldeploy.target.Stage> stages(String model) {
                    return Map.of();
                }

                @Override
                public void setStage(io.jenkins.plugins.modeldeploy.target.VersionRef version,
                        io.jenkins.plugins.modeldeploy.target.Stage stage) {
                    throw new UnsupportedOperationException();
                }
            };
        }

        @Override
        public void close() {}
    }
}
