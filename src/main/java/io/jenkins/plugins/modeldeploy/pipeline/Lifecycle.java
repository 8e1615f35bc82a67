package io.jenkins.plugins.modeldeploy.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentResult;
import io.jenkins.plugins.modeldeploy.abtest.Verdict;
import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.event.EventDetails;
import io.jenkins.plugins.modeldeploy.image.BuiltImage;
import io.jenkins.plugins.modeldeploy.image.ImageBuildException;
import io.jenkins.plugins.modeldeploy.image.ImagePlan;
import io.jenkins.plugins.modeldeploy.image.ImageTarget;
import io.jenkins.plugins.modeldeploy.model.ModelVersion;
import io.jenkins.plugins.modeldeploy.pipeline.VerdictTable.Result;
import io.jenkins.plugins.modeldeploy.pipeline.VerdictTable.Rule;
import io.jenkins.plugins.modeldeploy.route.RoutingException;
import io.jenkins.plugins.modeldeploy.smoke.Payload;
import io.jenkins.plugins.modeldeploy.smoke.SmokeResult;
import io.jenkins.plugins.modeldeploy.target.DeployedVersion;
import io.jenkins.plugins.modeldeploy.target.Outcome;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import io.jenkins.plugins.modeldeploy.target.ReleaseState.Action;
import io.jenkins.plugins.modeldeploy.target.ReleaseState.HistoryEntry;
import io.jenkins.plugins.modeldeploy.target.ReleaseState.Phase;
import io.jenkins.plugins.modeldeploy.target.ReleaseState.Run;
import io.jenkins.plugins.modeldeploy.target.ReleaseStore;
import io.jenkins.plugins.modeldeploy.target.RolloutException;
import io.jenkins.plugins.modeldeploy.target.RolloutRequest;
import io.jenkins.plugins.modeldeploy.target.Stage;
import io.jenkins.plugins.modeldeploy.target.Target;
import io.jenkins.plugins.modeldeploy.target.TargetException;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The lifecycle of a model version — one stored state machine that every driver runs. The CLI's {@code deploy} and
 * the demo call {@link #run}; Jenkins' {@code deployModel} and the freestyle step call {@link #start}, suspend at the
 * approval and call {@link #decide} (or {@link #expire}) when a person answered; the finer steps call the single
 * steps ({@link #rollout}, {@link #smokeTest}, {@link #abTest}, {@link #decide}). What each result leads to is looked
 * up in the {@link VerdictTable}; every transition is stored in the {@link ReleaseStore} before it is acted on
 * ({@link ReleaseActions}), so a run killed anywhere is continued by the next and nothing a run started is left
 * behind by it.
 */
public final class Lifecycle {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where a run stands after a call. */
    public sealed interface Progress permits Finished, Continuing, AwaitingApproval {
        /** What the run did so far (with its outcome once finished). */
        DeployOutcome outcome();
    }

    /** The run ended: {@link DeployOutcome#outcome()} says how. */
    public record Finished(DeployOutcome outcome) implements Progress {}

    /** A finer step succeeded and the run goes on with the next one (the A/B test after a passed smoke test). */
    public record Continuing(DeployOutcome outcome) implements Progress {}

    /** The A/B test found the version fit; a decision is needed ({@link #decide}, {@link #expire}). */
    public record AwaitingApproval(DeployOutcome outcome, PromotionRequest request) implements Progress {}

    private final DeploymentEngine engine;
    private final Target target;
    private final Consumer<DeploymentEvent> events;
    private final ReleaseActions actions;

    public Lifecycle(
            DeploymentEngine engine,
            Target target,
            Consumer<DeploymentEvent> events,
            Clock clock,
            ReleaseActions.StepListener steps) {
        this.engine = engine;
        this.target = target;
        this.events = events;
        this.actions = new ReleaseActions(target, events, clock, steps);
    }

    public Lifecycle(DeploymentEngine engine, Target target, Consumer<DeploymentEvent> events) {
        this(engine, target, events, Clock.systemUTC(), step -> {});
    }

    /** Rollback, undeploy and the keep windows, on the same target and events. */
    public ReleaseActions releases() {
        return actions;
    }

    // --- the whole path ------------------------------------------------------------------------------------------

    /** The whole path, synchronously; {@code approvals} decides when the A/B test found the version fit. */
    public DeployOutcome run(DeployPlan plan, ApprovalGate approvals)
            throws ImageBuildException, TargetException, RoutingException, InterruptedException {
        Progress progress = start(plan);
        if (!(progress instanceof AwaitingApproval waiting)) {
            return progress.outcome();
        }
        String model = plan.version().name();
        String version = plan.version().version();
        events.accept(DeploymentEvent.of(
                model,
                version,
                "waiting for approval to promote " + version + " over "
                        + waiting.request().champion(),
                new EventDetails.ApprovalRequested("")));
        Approval approval;
        try {
            approval = approvals.await(waiting.request(), plan.approvalTimeout());
        } catch (TimeoutException e) {
            return merge(waiting.outcome(), expire(model, version, plan.approvalTimeout()));
        }
        return merge(waiting.outcome(), decide(model, version, approval));
    }

    /**
     * Builds (when the plan says so), rolls out, smoke-tests and A/B-tests the version, stopping where a person must
     * decide. A run of the same version that was stopped (a crash, a restart) is continued from its stored phase; a
     * version that already serves production with the same image is left as it is.
     */
    public Progress start(DeployPlan plan)
            throws ImageBuildException, TargetException, RoutingException, InterruptedException {
        ModelVersion version = plan.version();
        String model = version.name();
        Optional<String> unreachable =
                plan.smoke().isPresent() || plan.experiment().syntheticRate().isPresent()
                        ? target.unreachable()
                        : Optional.empty();
        if (unreachable.isPresent()) {
            // Before building or rolling out anything: the smoke test (or synthetic A/B traffic) could not reach it.
            throw new TargetException("cannot "
                    + (plan.smoke().isPresent() ? "smoke-test" : "send synthetic A/B traffic to") + " version "
                    + version.version() + " of model " + model + " on " + target.describe() + ": "
                    + unreachable.get());
        }
        actions.tidy(model); // the first call to the target: an unreachable cluster fails here, naming its host
        requireMetricsForAbTest(plan);
        DeployOutcome sofar = DeployOutcome.begin(model, version.version());
        Optional<BuiltImage> built = plan.image().isPresent()
                ? Optional.of(engine.buildImage(plan.image().get(), plan.verify()))
                : Optional.empty();
        if (built.isPresent()) {
            sofar = sofar.withImage(built.get());
        }
        Optional<String> image = built.map(BuiltImage::pinned).or(plan::prebuiltImage);
        Optional<String> digest = image.map(Lifecycle::digestOf);

        ReleaseState state = target.releases().load(model).orElse(ReleaseState.empty(model, Instant.now()));
        Optional<Run> run = state.run().filter(r -> r.version().equals(version.version()));
        if (state.phase() != Phase.STABLE && run.isEmpty()) {
            throw new TargetException("cannot deploy version " + version.version() + " of model " + model + ": "
                    + ReleaseActions.describe(state) + "; wait for it, or end it with `model-deploy rollback " + model
                    + "`");
        }
        switch (state.phase()) {
            case AWAITING_APPROVAL -> {
                return new AwaitingApproval(
                        sofar.withVerdict(run.get().verdict()).withProduction(state.production()),
                        request(state, run.get(), sofar));
            }
            case PROMOTING, REMOVING -> {
                return new Finished(merge(sofar, finish(model, version.version(), state)));
            }
            case ROLLING_BACK ->
                throw new TargetException("a rollback of model " + model + " to version "
                        + run.get().version() + " is in progress; run `model-deploy rollback " + model
                        + "` to finish it");
            case EXPERIMENT -> {
                // stopped during the A/B test: give production its route back, without a mirror or stickiness the
                // stopped test may have set (both idempotent), then test again from the start
                target.router().setWeights(model, Map.of(state.production().orElseThrow(), 100));
                target.router().clearMirror(model);
                target.router().setSticky(model, Optional.empty());
                actions.transition(
                        model,
                        current -> current.phase() == Phase.EXPERIMENT
                                        && current.challenger().equals(Optional.of(version.version()))
                                ? Optional.of(current.inPhase(
                                        Phase.DEPLOYING, current.run().orElseThrow(), Instant.now()))
                                : Optional.empty());
            }
            case STABLE -> {
                if (state.production().equals(Optional.of(version.version()))) {
                    refuseNewImageForProduction(state, new VersionRef(model, version.version()), digest);
                    return new Finished(sofar.ended(
                            Outcome.PROMOTED,
                            state.production(),
                            "version " + version.version() + " already serves production"));
                }
                // a kept version (it served production and may again) is brought back by rollback, not redeployed
                Optional<Stage> stage =
                        Optional.ofNullable(target.releases().stages(model).get(version.version()));
                if (stage.isPresent() && (stage.get() == Stage.RETIRED || stage.get() == Stage.PRODUCTION)) {
                    throw new TargetException("version " + version.version() + " of model " + model + " is "
                            + stage.get().value() + " on " + target.describe() + "; bring it back with"
                            + " `model-deploy rollback " + model + " --to " + version.version()
                            + "`, or deploy a new version");
                }
            }
            case DEPLOYING -> {} // stopped before its A/B test: rolled out again (a no-op when it runs) and tested
        }

        Progress progress = rollout(plan, sofar, image, digest);
        if (!(progress instanceof Continuing rolled)) {
            return progress;
        }
        DeployedVersion deployed = rolled.outcome().deployed().orElseThrow();
        progress = plan.smoke().isPresent()
                ? smokeTest(version, deployed.endpoint(), plan.smoke().get(), rolled.outcome())
                : afterSmoke(model, version.version(), rolled.outcome());
        if (!(progress instanceof Continuing tested)) {
            return progress;
        }
        return abTest(version, plan.experiment(), tested.outcome());
    }

    /**
     * A version that will be A/B-tested against production needs a metrics source that answers (Prometheus on
     * Kubernetes): checked, with the source's own preflight (Prometheus reachable, the SLO's histogram bucket exported),
     * before the image is built or anything is rolled out, so that a missing {@code --prometheus} no longer rolls the
     * version out and smoke-tests it first. Here, in the one lifecycle, every driver (CLI, demo, Jenkins steps) gets it.
     */
    private void requireMetricsForAbTest(DeployPlan plan) throws TargetException {
        ModelVersion version = plan.version();
        ReleaseState state = target.releases().load(version.name()).orElse(null);
        boolean testsNext = state != null
                && (state.phase() == Phase.STABLE
                        || ((state.phase() == Phase.DEPLOYING || state.phase() == Phase.EXPERIMENT)
                                && state.run()
                                        .filter(r -> r.version().equals(version.version()))
                                        .isPresent()));
        if (!testsNext) {
            return; // a first version (no A/B test), a run waiting for or finishing a decision, or another's run
        }
        Optional<String> champion = state.production().filter(p -> !p.equals(version.version()));
        if (champion.isEmpty()) {
            return;
        }
        ExperimentPlan experiment = plan.experiment().plan(version, champion.get());
        try {
            DeploymentEngine.metrics(target, experiment).preflight(version.name(), champion.get());
        } catch (TargetException | io.jenkins.plugins.modeldeploy.abtest.MetricsException e) {
            throw new TargetException(
                    "cannot A/B test version " + version.version() + " of model " + version.name()
                            + " against production " + champion.get() + " on " + target.describe()
                            + " (checked before rolling anything out): " + e.getMessage(),
                    e);
        }
    }

    /** The annotation key (unprefixed) under which a rollout names the run that writes the version's objects. */
    static final String ROLLOUT_KEY = "rollout";

    /** One run of one version: the same for every attempt of it (a resumed run keeps its start). */
    static String rolloutId(VersionRef ref, Run run) {
        return ref.id() + "@" + run.started();
    }

    /**
     * The production version's name never gets another image: a failed rollout of it would take production down, and
     * a passed one would change production without an A/B test. Checked before anything is rolled out, on every path
     * (the whole run and the single rollout step). The same image again stays allowed (idempotent).
     */
    static void refuseNewImageForProduction(ReleaseState state, VersionRef ref, Optional<String> digest)
            throws TargetException {
        if (!state.production().equals(Optional.of(ref.version())) || digest.isEmpty()) {
            return;
        }
        Optional<String> serving = Optional.ofNullable(state.digests().get(ref.version()));
        if (serving.isPresent() && !serving.equals(digest)) {
            throw new TargetException("version " + ref.version() + " of model " + ref.model() + " already serves"
                    + " production with image " + serving.get() + "; this image is " + digest.get()
                    + ": deploy it under a new version");
        }
    }

    // --- the single steps ------------------------------------------------------------------------------------------

    /**
     * Rolls the version out (its image: {@code image}, else the plan's prebuilt one) and gives it its own route; the
     * stable route is untouched. A failed rollout ends the run as FAILED. Like {@link #start}, first scales down the
     * versions whose keep window ended.
     */
    public Progress rollout(DeployPlan plan) throws TargetException, RoutingException, InterruptedException {
        actions.tidy(plan.version().name());
        Optional<String> image = plan.prebuiltImage();
        return rollout(
                plan,
                DeployOutcome.begin(plan.version().name(), plan.version().version()),
                image,
                image.map(Lifecycle::digestOf));
    }

    private Progress rollout(DeployPlan plan, DeployOutcome sofar, Optional<String> image, Optional<String> digest)
            throws TargetException, RoutingException, InterruptedException {
        ModelVersion version = plan.version();
        String model = version.name();
        VersionRef ref = new VersionRef(model, version.version());
        ReleaseState state = actions.transition(model, current -> {
            Optional<Run> mine = current.run().filter(r -> r.version().equals(version.version()));
            if (current.phase() == Phase.DEPLOYING && mine.isPresent()) {
                return digest.isEmpty()
                                || digest.equals(
                                        Optional.ofNullable(current.digests().get(ref.version())))
                        ? Optional.empty()
                        : Optional.of(current.withDigest(ref.version(), digest.get(), Instant.now()));
            }
            if (current.phase() != Phase.STABLE) {
                throw new TargetException("cannot roll out version " + version.version() + " of model " + model + ": "
                        + ReleaseActions.describe(current));
            }
            refuseNewImageForProduction(current, ref, digest);
            Run run = new Run(
                    version.version(),
                    digest,
                    current.production(),
                    plan.by(),
                    Instant.now(),
                    plan.keepPrevious(),
                    plan.onFailure(),
                    Optional.empty(),
                    List.of(),
                    Optional.empty(),
                    "",
                    plan.approvalTimeout(),
                    Optional.empty());
            ReleaseState next = current.inPhase(Phase.DEPLOYING, run, Instant.now());
            return Optional.of(digest.isPresent() ? next.withDigest(ref.version(), digest.get(), Instant.now()) : next);
        });
        Optional<Path> archive = plan.image()
                .map(ImagePlan::target)
                .filter(ImageTarget.Tar.class::isInstance)
                .map(t -> ((ImageTarget.Tar) t).path());
        // Which run writes the version's objects: stamped on them, so that a failed rollout retires only what this
        // run (or an earlier attempt of it, resumed) wrote, and puts back what was there before.
        Map<String, String> annotations = new java.util.LinkedHashMap<>(plan.annotations());
        annotations.put(ROLLOUT_KEY, rolloutId(ref, state.run().orElseThrow()));
        return guarded(sofar, ref, Result.ROLLOUT_FAILED, "rollout", () -> {
            DeployedVersion deployed;
            try {
                deployed =
                        target.rollout(new RolloutRequest(version, image, annotations, plan.rolloutTimeout(), archive));
            } catch (RolloutException e) {
                if (e.aftermath() != RolloutException.Aftermath.RETIRED) {
                    // The objects with the version's name were there before this run and are as they were: the run
                    // ends as FAILED, and nothing of them is retired, re-staged or forgotten.
                    ReleaseState done =
                            actions.failedBeforeOwning(model, ref.version(), "rollout failed: " + e.getMessage());
                    return new Finished(
                            sofar.ended(Outcome.FAILED, done.production(), "rollout failed: " + e.getMessage()));
                }
                return takeOut(sofar, ref, Result.ROLLOUT_FAILED, "rollout failed: " + e.getMessage());
            }
            ReleaseStore store = target.releases();
            Stage stage = store.stages(model).get(ref.version());
            if (stage == null || ReleaseActions.OUT.contains(stage)) {
                store.setStage(ref, Stage.CANDIDATE);
            }
            if (!plan.annotations().isEmpty()) {
                store.annotate(ref, plan.annotations());
            }
            target.router().reconcile(model, actions.routed(model, state.production(), java.util.Set.of()));
            return new Continuing(sofar.withDeployed(deployed).withProduction(state.production()));
        });
    }

    /** A step of a run whose version may already run: the work that can fail after the run was stored. */
    @FunctionalInterface
    private interface Step {
        Progress run() throws TargetException, RoutingException, InterruptedException;
    }

    /**
     * Runs {@code step}; when it fails in a way the table does not name (an error from the cluster, a bug), the run
     * ends as {@code result} says and the version is taken out, so nothing half-done stays behind; when the driver is
     * stopped (interrupted), the run is ended as ABORTED and the interruption passes on. A run that lost its state to
     * another (a concurrent change) is left to that other run. If taking the version out fails too, the original
     * error is thrown with that failure attached, and the stored run can be finished by re-running or by rollback.
     */
    private Progress guarded(DeployOutcome sofar, VersionRef ref, Result result, String step, Step work)
            throws TargetException, RoutingException, InterruptedException {
        try {
            return work.run();
        } catch (io.jenkins.plugins.modeldeploy.target.ConcurrentReleaseException e) {
            throw e;
        } catch (InterruptedException e) {
            try {
                takeOut(sofar, ref, Result.ABORTED, step + " interrupted: the run was stopped");
            } catch (TargetException | RoutingException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        } catch (TargetException | RoutingException | RuntimeException e) {
            try {
                return takeOut(sofar, ref, result, step + " failed: " + e.getMessage());
            } catch (TargetException | RoutingException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
                throw e;
            }
        }
    }

    /**
     * Smoke-tests the version being deployed at {@code endpoint} (the path kept): a failure ends the run as FAILED; a
     * pass promotes a first version at once and otherwise leads to the A/B test.
     */
    public Progress smokeTest(ModelVersion version, URI endpoint, SmokeSettings settings, DeployOutcome sofar)
            throws TargetException, RoutingException, InterruptedException {
        String model = version.name();
        VersionRef ref = new VersionRef(model, version.version());
        requireRun(model, version.version(), Phase.DEPLOYING, "smoke-test");
        return guarded(sofar, ref, Result.SMOKE_FAILED, "smoke test", () -> {
            SmokeResult smoke = engine.smokeTest(version, endpoint, settings);
            target.releases().annotate(ref, Map.of("smoke", smokeJson(smoke)));
            DeployOutcome tested = sofar.withSmoke(smoke);
            if (!smoke.passed()) {
                return takeOut(
                        tested,
                        ref,
                        Result.SMOKE_FAILED,
                        "smoke test failed: "
                                + String.join("; ", smoke.verdict().reasons()));
            }
            return afterSmoke(model, version.version(), tested);
        });
    }

    private Progress afterSmoke(String model, String version, DeployOutcome sofar)
            throws TargetException, RoutingException {
        ReleaseState state = requireRun(model, version, Phase.DEPLOYING, "continue");
        Rule rule = VerdictTable.on(state.production().isPresent() ? Result.SMOKE_PASSED : Result.FIRST_RELEASE);
        return switch (rule.action()) {
            case AB_TEST -> new Continuing(sofar.withProduction(state.production()));
            case PROMOTE -> {
                ReleaseState promoted = actions.promote(
                        model, version, state.run().orElseThrow().by(), "first release");
                yield new Finished(sofar.ended(rule.outcome().orElseThrow(), promoted.production(), "first release"));
            }
            default -> throw new IllegalStateException(rule + " after a smoke test");
        };
    }

    /**
     * A/B-tests the version being deployed against production: a ROLLBACK or INCONCLUSIVE verdict ends the run (the
     * version is taken out); a PROMOTE verdict is stored and waits for a decision.
     */
    public Progress abTest(ModelVersion challenger, DeployPlan.ExperimentSettings settings, DeployOutcome sofar)
            throws TargetException, RoutingException, InterruptedException {
        String model = challenger.name();
        VersionRef ref = new VersionRef(model, challenger.version());
        ReleaseState state = requireRun(model, challenger.version(), Phase.DEPLOYING, "A/B test");
        String champion = state.production()
                .orElseThrow(() -> new TargetException("cannot A/B test version " + challenger.version() + " of model "
                        + model + ": no version serves production"));
        ExperimentPlan plan = settings.plan(challenger, champion);
        List<Payload> samples = AbTestInputs.trafficFiles(challenger.spec()).isEmpty()
                ? List.of()
                : DeploymentEngine.samples(challenger);
        if (plan.syntheticRate().isPresent() && samples.isEmpty()) {
            throw new TargetException("model " + model + " has no samples in model.yaml: synthetic A/B traffic"
                    + " sends the model's sample requests");
        }
        actions.transition(
                model,
                current -> current.phase() == Phase.DEPLOYING
                                && current.challenger().equals(Optional.of(challenger.version()))
                        ? Optional.of(
                                current.inPhase(Phase.EXPERIMENT, current.run().orElseThrow(), Instant.now()))
                        : Optional.empty());
        return guarded(sofar, ref, Result.AB_TEST_FAILED, "A/B test", () -> {
            target.releases().setStage(ref, Stage.CHALLENGER);
            ExperimentResult experiment = engine.abTest(target, plan, samples);
            target.releases().annotate(ref, Map.of("verdict", verdictJson(experiment)));
            DeployOutcome tested = sofar.withExperiment(experiment).withProduction(state.production());
            Result result =
                    switch (experiment.verdict()) {
                        case PROMOTE -> Result.VERDICT_PROMOTE;
                        case ROLLBACK -> Result.VERDICT_ROLLBACK;
                        case INCONCLUSIVE -> Result.VERDICT_INCONCLUSIVE;
                    };
            ReleaseState judged = actions.transition(model, current -> {
                if (current.phase() != Phase.EXPERIMENT || !current.challenger().equals(Optional.of(ref.version()))) {
                    throw new io.jenkins.plugins.modeldeploy.target.ConcurrentReleaseException(
                            model,
                            "the A/B test of version " + ref.version() + " (EXPERIMENT)",
                            ReleaseActions.describe(current));
                }
                Run judgedRun = current.run().orElseThrow().withVerdict(experiment.verdict(), experiment.reasons());
                Phase next = VerdictTable.on(result).action() == VerdictTable.Action.AWAIT_APPROVAL
                        ? Phase.AWAITING_APPROVAL
                        : Phase.EXPERIMENT;
                if (next == Phase.AWAITING_APPROVAL) {
                    judgedRun = judgedRun.awaitingFrom(actions.now());
                }
                return Optional.of(current.inPhase(next, judgedRun, Instant.now()));
            });
            if (VerdictTable.on(result).action() == VerdictTable.Action.TAKE_OUT) {
                return takeOut(tested, ref, result, "A/B verdict " + experiment.summary());
            }
            return new AwaitingApproval(tested, request(judged, judged.run().orElseThrow(), tested));
        });
    }

    // --- the decision --------------------------------------------------------------------------------------------

    /**
     * Carries out a decision on a version waiting for approval: approved → promoted, rejected → taken out. Safe to
     * repeat: a run already decided (here or by another process) returns how it ended.
     */
    public DeployOutcome decide(String model, String version, Approval approval)
            throws TargetException, RoutingException {
        ReleaseState state = target.releases()
                .load(model)
                .orElseThrow(() -> new TargetException(
                        "model " + model + " has no release on " + target.describe() + " (was it undeployed?)"));
        DeployOutcome sofar = DeployOutcome.begin(model, version).withApproval(approval);
        Optional<Run> run = state.run().filter(r -> r.version().equals(version));
        if (state.phase() == Phase.AWAITING_APPROVAL
                && run.isPresent()
                && run.get()
                        .decideBy()
                        .filter(due -> due.isBefore(actions.now()))
                        .isPresent()) {
            return merge(sofar, expire(model, version, run.get().approvalTimeout())); // decided too late
        }
        if (state.phase() == Phase.AWAITING_APPROVAL && run.isPresent()) {
            events.accept(DeploymentEvent.of(
                    model,
                    version,
                    (approval.approved() ? "approved" : "rejected") + " by " + approval.approver()
                            + (approval.comment().isEmpty() ? "" : ": " + approval.comment()),
                    new EventDetails.ApprovalGiven(approval.approver(), approval.approved(), approval.comment())));
            target.releases()
                    .annotate(
                            new VersionRef(model, version),
                            Map.of(
                                    approval.approved() ? "approved-by" : "rejected-by",
                                    approval.approver(),
                                    "decided-at",
                                    approval.at().toString(),
                                    "decision-comment",
                                    approval.comment()));
            sofar = sofar.withVerdict(run.get().verdict());
            Rule rule = VerdictTable.on(approval.approved() ? Result.APPROVED : Result.REJECTED);
            String reason = (approval.approved() ? "approved by " : "rejected by ")
                    + approval.approver()
                    + (approval.comment().isEmpty() ? "" : ": " + approval.comment());
            if (rule.action() == VerdictTable.Action.PROMOTE) {
                ReleaseState promoted = actions.promote(model, version, approval.approver(), reason);
                return sofar.ended(rule.outcome().orElseThrow(), promoted.production(), reason);
            }
            return takeOut(sofar, new VersionRef(model, version), rule.result(), reason)
                    .outcome();
        }
        return settledOrResumed(model, version, state, sofar, "decide on");
    }

    /** Nobody decided within {@code waited}: the version is taken out, production stays. Safe to repeat. */
    public DeployOutcome expire(String model, String version, Duration waited)
            throws TargetException, RoutingException {
        ReleaseState state = target.releases()
                .load(model)
                .orElseThrow(() -> new TargetException(
                        "model " + model + " has no release on " + target.describe() + " (was it undeployed?)"));
        DeployOutcome sofar = DeployOutcome.begin(model, version);
        if (state.phase() == Phase.AWAITING_APPROVAL && state.challenger().equals(Optional.of(version))) {
            return takeOut(
                            sofar.withVerdict(state.run().orElseThrow().verdict()),
                            new VersionRef(model, version),
                            Result.APPROVAL_TIMED_OUT,
                            "no decision within " + humanize(waited))
                    .outcome();
        }
        return settledOrResumed(model, version, state, sofar, "time out");
    }

    /** A decision for a run that is past its approval: finish what is stored, or report how it ended. */
    private DeployOutcome settledOrResumed(
            String model, String version, ReleaseState state, DeployOutcome sofar, String doing)
            throws TargetException, RoutingException {
        if ((state.phase() == Phase.PROMOTING || state.phase() == Phase.REMOVING)
                && state.challenger().equals(Optional.of(version))) {
            return merge(sofar, finish(model, version, state));
        }
        Optional<HistoryEntry> ended = lastRun(state, version);
        if (state.phase() == Phase.STABLE && ended.isPresent()) {
            return sofar.withVerdict(ended.get().verdict())
                    .ended(
                            ended.get().outcome().orElseThrow(),
                            state.production(),
                            ended.get().reason());
        }
        throw new TargetException("cannot " + doing + " version " + version + " of model " + model + ": it is not"
                + " waiting for approval (" + ReleaseActions.describe(state) + ")");
    }

    /** What a person decides on, when {@code version} waits for approval (as stored: the verdict and its reasons). */
    public Optional<PromotionRequest> awaiting(String model, String version) throws TargetException {
        Optional<ReleaseState> state = target.releases().load(model);
        if (state.isEmpty()
                || state.get().phase() != Phase.AWAITING_APPROVAL
                || !state.get().challenger().equals(Optional.of(version))) {
            return Optional.empty();
        }
        return Optional.of(request(state.get(), state.get().run().orElseThrow(), DeployOutcome.begin(model, version)));
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    /** Finishes a stored PROMOTING or REMOVING. */
    private DeployOutcome finish(String model, String version, ReleaseState state)
            throws TargetException, RoutingException {
        Run run = state.run().orElseThrow();
        DeployOutcome sofar = DeployOutcome.begin(model, version).withVerdict(run.verdict());
        if (state.phase() == Phase.PROMOTING) {
            ReleaseState done = actions.promote(model, version, run.by(), run.reason());
            return sofar.ended(Outcome.PROMOTED, done.production(), run.reason());
        }
        Outcome outcome = run.outcome().orElseThrow();
        Rule rule = VerdictTable.rules().stream()
                .filter(r -> r.outcome().equals(Optional.of(outcome)) && r.action() == VerdictTable.Action.TAKE_OUT)
                .findFirst()
                .orElseThrow();
        ReleaseState done = actions.takeOut(model, version, rule, run.reason());
        return sofar.ended(outcome, done.production(), run.reason());
    }

    private Finished takeOut(DeployOutcome sofar, VersionRef ref, Result result, String reason)
            throws TargetException, RoutingException {
        Rule rule = VerdictTable.on(result);
        ReleaseState done = actions.takeOut(ref.model(), ref.version(), rule, reason);
        return new Finished(sofar.ended(rule.outcome().orElseThrow(), done.production(), reason));
    }

    private ReleaseState requireRun(String model, String version, Phase phase, String doing) throws TargetException {
        ReleaseState state = target.releases()
                .load(model)
                .orElseThrow(() -> new TargetException("cannot " + doing
                        + " version " + version + " of model " + model + ": it was not rolled out (no release on "
                        + target.describe() + ")"));
        if (state.phase() != phase || !state.challenger().equals(Optional.of(version))) {
            throw new TargetException("cannot " + doing + " version " + version + " of model " + model + ": "
                    + ReleaseActions.describe(state) + (state.phase() == Phase.STABLE ? "; roll it out first" : ""));
        }
        return state;
    }

    private PromotionRequest request(ReleaseState state, Run run, DeployOutcome sofar) {
        String champion = state.production().orElse("");
        return new PromotionRequest(
                state.model(),
                champion,
                run.version(),
                Optional.ofNullable(state.digests().get(champion)),
                run.digest(),
                sofar.smoke(),
                sofar.experiment(),
                run.verdict().orElse(Verdict.PROMOTE),
                run.reasons());
    }

    private static Optional<HistoryEntry> lastRun(ReleaseState state, String version) {
        List<HistoryEntry> history = new ArrayList<>(state.history());
        for (int i = history.size() - 1; i >= 0; i--) {
            HistoryEntry entry = history.get(i);
            if (entry.action() == Action.DEPLOY && entry.version().equals(version)) {
                return Optional.of(entry);
            }
        }
        return Optional.empty();
    }

    /** The end of a run with what an earlier part of it gathered (image, rollout, smoke test, A/B test). */
    static DeployOutcome merge(DeployOutcome earlier, DeployOutcome end) {
        DeployOutcome merged = end;
        if (merged.image().isEmpty() && earlier.image().isPresent()) {
            merged = merged.withImage(earlier.image().get());
        }
        if (merged.deployed().isEmpty() && earlier.deployed().isPresent()) {
            merged = merged.withDeployed(earlier.deployed().get());
        }
        if (merged.smoke().isEmpty() && earlier.smoke().isPresent()) {
            merged = merged.withSmoke(earlier.smoke().get());
        }
        if (merged.experiment().isEmpty() && earlier.experiment().isPresent()) {
            Optional<Verdict> verdict = merged.verdict();
            merged = merged.withExperiment(earlier.experiment().get())
                    .withVerdict(verdict.or(
                            () -> Optional.of(earlier.experiment().get().verdict())));
        }
        if (merged.verdict().isEmpty()) {
            merged = merged.withVerdict(earlier.verdict());
        }
        if (merged.approval().isEmpty() && earlier.approval().isPresent()) {
            merged = merged.withApproval(earlier.approval().get());
        }
        return merged;
    }

    /** {@code sha256:…} of {@code repo@sha256:…}. */
    static String digestOf(String pinned) {
        return pinned.substring(pinned.indexOf('@') + 1);
    }

    /** The smoke test's summary as recorded on the version. */
    static String smokeJson(SmokeResult smoke) {
        ObjectNode node = JSON.createObjectNode();
        var load = smoke.load();
        node.put("passed", smoke.passed());
        node.put("requests", load.requests());
        node.put("rate", round(load.achievedRate()));
        node.put("p50Ms", round(load.latencyMs(50)));
        node.put("p99Ms", round(load.latencyMs(99)));
        node.put("errorRate", round(load.errorRate()));
        ArrayNode reasons = node.putArray("reasons");
        smoke.verdict().reasons().forEach(reasons::add);
        return node.toString();
    }

    /** The A/B test's verdict and figures as recorded on the version. */
    static String verdictJson(ExperimentResult experiment) {
        ObjectNode node = JSON.createObjectNode();
        node.put("verdict", experiment.verdict().name());
        node.put("champion", experiment.plan().champion());
        node.put("gate", experiment.plan().gate().kind().name());
        node.put("championRequests", experiment.champion().requests());
        node.put("challengerRequests", experiment.challenger().requests());
        node.put("championErrorRate", round(experiment.champion().errorRate()));
        node.put("challengerErrorRate", round(experiment.challenger().errorRate()));
        node.put("championSloViolationRate", round(experiment.champion().sloViolationRate()));
        node.put("challengerSloViolationRate", round(experiment.challenger().sloViolationRate()));
        node.put("seconds", round(experiment.took().toMillis() / 1000.0));
        ArrayNode reasons = node.putArray("reasons");
        experiment.reasons().forEach(reasons::add);
        return node.toString();
    }

    /** Six significant digits; a figure that could not be measured (no requests) is recorded as 0. */
    private static double round(double value) {
        return Double.isFinite(value) ? Double.parseDouble(String.format(Locale.ROOT, "%.6g", value)) : 0;
    }

    static String humanize(Duration duration) {
        return duration.toString().substring(2).toLowerCase(Locale.ROOT);
    }
}
