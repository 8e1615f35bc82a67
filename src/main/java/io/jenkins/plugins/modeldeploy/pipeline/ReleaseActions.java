package io.jenkins.plugins.modeldeploy.pipeline;

import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.event.EventDetails;
import io.jenkins.plugins.modeldeploy.route.RoutingException;
import io.jenkins.plugins.modeldeploy.route.TrafficRouter;
import io.jenkins.plugins.modeldeploy.target.ConcurrentReleaseException;
import io.jenkins.plugins.modeldeploy.target.Outcome;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import io.jenkins.plugins.modeldeploy.target.ReleaseState.Action;
import io.jenkins.plugins.modeldeploy.target.ReleaseState.HistoryEntry;
import io.jenkins.plugins.modeldeploy.target.ReleaseState.Phase;
import io.jenkins.plugins.modeldeploy.target.ReleaseState.Run;
import io.jenkins.plugins.modeldeploy.target.ReleaseStore;
import io.jenkins.plugins.modeldeploy.target.RetireMode;
import io.jenkins.plugins.modeldeploy.target.Stage;
import io.jenkins.plugins.modeldeploy.target.Target;
import io.jenkins.plugins.modeldeploy.target.TargetException;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The stored, resumable actions on a model's release: promote, take a version out, roll production back to a kept
 * version, scale down versions whose keep window ended, undeploy. Each stores its intent ({@link ReleaseState}
 * phase and run) with compare-and-swap before acting, every step after that is idempotent, and the state is settled
 * (phase STABLE, a history entry) only at the end — so a run killed at any point is finished by the next one, and a
 * finished action run again changes nothing.
 */
public final class ReleaseActions {
    /** Called after each stored step; the crash-safety tests stop the engine here. */
    public interface StepListener {
        void reached(String step);
    }

    /** Versions with these stages have no route and serve nothing. */
    static final Set<Stage> OUT = EnumSet.of(Stage.FAILED, Stage.ROLLED_BACK, Stage.REJECTED);

    private static final Set<Phase> RUN_IN_PROGRESS =
            EnumSet.of(Phase.DEPLOYING, Phase.EXPERIMENT, Phase.AWAITING_APPROVAL);
    static final Duration RESTORE_TIMEOUT = Duration.ofMinutes(5);
    private static final int CONFLICT_RETRIES = 5;

    private final Target target;
    private final Consumer<DeploymentEvent> events;
    private final Clock clock;
    private final StepListener steps;

    public ReleaseActions(Target target, Consumer<DeploymentEvent> events, Clock clock, StepListener steps) {
        this.target = target;
        this.events = events;
        this.clock = clock;
        this.steps = steps;
    }

    public ReleaseActions(Target target, Consumer<DeploymentEvent> events) {
        this(target, events, Clock.systemUTC(), step -> {});
    }

    // --- stored transitions ------------------------------------------------------------------------------------

    /** Computes the next state from the stored one; empty: nothing to store. */
    @FunctionalInterface
    interface Change {
        Optional<ReleaseState> apply(ReleaseState current) throws TargetException;
    }

    /**
     * Applies {@code change} to the freshly loaded state and stores the result with compare-and-swap, again on a
     * concurrent write: a change that checks its preconditions (phase, version) stays correct whatever another run
     * stored in between. Returns what is stored afterwards.
     */
    ReleaseState transition(String model, Change change) throws TargetException {
        ReleaseStore store = target.releases();
        for (int attempt = 0; ; attempt++) {
            Optional<ReleaseState> stored = store.load(model);
            ReleaseState current = stored.orElse(ReleaseState.empty(model, clock.instant()));
            Optional<ReleaseState> next = change.apply(current);
            if (next.isEmpty()) {
                return current;
            }
            try {
                store.save(stored, next.get());
                return next.get();
            } catch (ConcurrentReleaseException e) {
                if (attempt >= CONFLICT_RETRIES) {
                    throw e;
                }
            }
        }
    }

    Instant now() {
        return clock.instant();
    }

    // --- promote -----------------------------------------------------------------------------------------------

    /**
     * Makes the run's version production: all of the stable route to it, stages, then the settled state with the
     * replaced version kept until the run's keep window ends. Continues a stored PROMOTING; a version that already
     * serves production is left as it is.
     *
     * @param by     who decided (the approver, or the automation for a first release)
     * @param reason recorded in the history
     */
    public ReleaseState promote(String model, String version, String by, String reason)
            throws TargetException, RoutingException {
        ReleaseState state = transition(model, current -> {
            Optional<Run> run = current.run().filter(r -> r.version().equals(version));
            if (current.phase() == Phase.PROMOTING && run.isPresent()) {
                return Optional.empty(); // stopped half-way: continue
            }
            if ((current.phase() == Phase.AWAITING_APPROVAL || current.phase() == Phase.DEPLOYING) && run.isPresent()) {
                return Optional.of(
                        current.inPhase(Phase.PROMOTING, run.get().withOutcome(Outcome.PROMOTED, reason), now()));
            }
            if (current.phase() == Phase.STABLE && current.production().equals(Optional.of(version))) {
                return Optional.empty(); // already production
            }
            throw new TargetException("cannot promote version " + version + " of model " + model + ": "
                    + describe(current)
                    + (current.phase() == Phase.STABLE
                            ? "; deploy it first (promotion follows" + " its A/B test)"
                            : ""));
        });
        if (state.phase() == Phase.STABLE) {
            return state;
        }
        Run run = state.run().orElseThrow();
        steps.reached("intent");
        target.router().setWeights(model, Map.of(version, 100));
        steps.reached("weights");
        ReleaseStore store = target.releases();
        store.setStage(new VersionRef(model, version), Stage.PRODUCTION);
        Optional<String> replaced = run.from().filter(p -> !p.equals(version));
        if (replaced.isPresent()) {
            store.setStage(new VersionRef(model, replaced.get()), Stage.RETIRED);
        }
        store.annotate(
                new VersionRef(model, version),
                Map.of("outcome", Outcome.PROMOTED.name(), "promoted-at", now().toString(), "promoted-by", by));
        steps.reached("stages");
        events.accept(DeploymentEvent.of(
                model,
                version,
                version + " promoted to production of " + model + " by " + by
                        + replaced.map(p -> " (replacing " + p + ", kept " + humanize(run.keepPrevious()) + ")")
                                .orElse(""),
                new EventDetails.Promoted(replaced.orElse(""), run.digest().orElse(""))));
        finished(model, version, Outcome.PROMOTED, run, Optional.of(version), reason);
        ReleaseState done = transition(model, current -> {
            if (current.phase() != Phase.PROMOTING || !current.challenger().equals(Optional.of(version))) {
                return Optional.empty();
            }
            ReleaseState settled = current.settled(
                    Optional.of(version),
                    Map.of(version, 100),
                    entry(Action.DEPLOY, run, Optional.of(Outcome.PROMOTED), Optional.of(version), by, reason),
                    now());
            settled = settled.keeping(version, Optional.empty(), now());
            if (replaced.isPresent()) {
                settled = settled.keeping(replaced.get(), Optional.of(now().plus(run.keepPrevious())), now());
            }
            return Optional.of(settled);
        });
        steps.reached("done");
        if (run.keepPrevious().isZero()) {
            retireExpired(model);
        }
        return done;
    }

    // --- take out ----------------------------------------------------------------------------------------------

    /**
     * Takes the run's version out as {@code rule} says: no weight on the stable route, its stage, its own route
     * dropped, the version removed (a FAILED one as the run's {@code onFailure} says). Production is untouched.
     */
    public ReleaseState takeOut(String model, String version, VerdictTable.Rule rule, String reason)
            throws TargetException, RoutingException {
        Outcome outcome = rule.outcome()
                .orElseThrow(() -> new IllegalArgumentException(rule.result() + " does not take a version out"));
        ReleaseState state = transition(model, current -> {
            Optional<Run> run = current.run().filter(r -> r.version().equals(version));
            if (current.phase() == Phase.REMOVING && run.isPresent()) {
                return Optional.empty();
            }
            if (RUN_IN_PROGRESS.contains(current.phase()) && run.isPresent()) {
                return Optional.of(current.inPhase(Phase.REMOVING, run.get().withOutcome(outcome, reason), now()));
            }
            throw new TargetException(
                    "cannot take version " + version + " of model " + model + " out: " + describe(current));
        });
        Run run = state.run().orElseThrow();
        Outcome storedOutcome = run.outcome().orElse(outcome);
        Stage stage = rule.stage().orElseThrow();
        VersionRef ref = new VersionRef(model, version);
        steps.reached("intent");
        TrafficRouter router = target.router();
        if (router.currentWeights(model).getOrDefault(version, 0) > 0
                && state.production().isPresent()) {
            router.setWeights(model, Map.of(state.production().get(), 100));
        }
        steps.reached("weights");
        ReleaseStore store = target.releases();
        // Objects that name another run as their writer were there before this run and were put back (e.g. after
        // an interrupted rollout): not this run's to mark or retire. (No name at all: a target that does not record
        // it, or objects from before runs were named; retired as before.)
        Map<String, String> found = store.annotations(ref);
        Optional<String> writer = Optional.ofNullable(found.get(Lifecycle.ROLLOUT_KEY));
        boolean others = writer.isPresent() && !writer.get().equals(Lifecycle.rolloutId(ref, run));
        boolean hasObjects = !others && store.stages(model).containsKey(version);
        if (hasObjects) {
            store.setStage(ref, stage);
            store.annotate(ref, Map.of("outcome", storedOutcome.name(), "reason", reason));
        }
        unroute(model, state.production(), version);
        steps.reached("routes");
        RetireMode mode = storedOutcome == Outcome.FAILED ? run.onFailure() : RetireMode.REMOVE;
        if (!others) {
            target.retire(ref, mode);
            events.accept(DeploymentEvent.of(
                    model,
                    version,
                    version + " of " + model + " " + (mode == RetireMode.REMOVE ? "removed" : "scaled to zero") + " ("
                            + stage.value() + "): " + reason,
                    new EventDetails.VersionRemoved(stage.value(), mode.name(), reason)));
        }
        steps.reached("removed");
        Optional<String> theirs = others ? Optional.ofNullable(found.get("image")) : Optional.empty();
        finished(model, version, storedOutcome, run, state.production(), run.reason());
        ReleaseState done = transition(model, current -> {
            if (current.phase() != Phase.REMOVING || !current.challenger().equals(Optional.of(version))) {
                return Optional.empty();
            }
            ReleaseState settled = current.settled(
                    current.production(),
                    current.weights(),
                    entry(Action.DEPLOY, run, Optional.of(storedOutcome), current.production(), run.by(), run.reason()),
                    now());
            if (others) {
                return Optional.of(
                        theirs.isPresent()
                                ? settled.withDigest(
                                        version,
                                        theirs.get().substring(theirs.get().indexOf('@') + 1),
                                        now())
                                : settled);
            }
            return Optional.of(mode == RetireMode.REMOVE ? settled.without(version, now()) : settled);
        });
        steps.reached("done");
        return done;
    }

    /**
     * Ends a run whose rollout failed without taking ownership of anything: the target reported that the objects with
     * the version's name were there before this run (another run's version, or objects model-deploy did not create)
     * and are as they were, or that nothing exists. So nothing is retired, no stage or outcome is written on those
     * objects and no route changes; the run is settled as FAILED in one stored step (nothing to resume), and the
     * version's digest is the one its objects carry again (forgotten when there are none).
     */
    ReleaseState failedBeforeOwning(String model, String version, String reason) throws TargetException {
        VersionRef ref = new VersionRef(model, version);
        Optional<String> image =
                Optional.ofNullable(target.releases().annotations(ref).get("image"));
        java.util.concurrent.atomic.AtomicReference<Run> ended = new java.util.concurrent.atomic.AtomicReference<>();
        ReleaseState done = transition(model, current -> {
            Optional<Run> run = current.run().filter(r -> r.version().equals(version));
            if (!RUN_IN_PROGRESS.contains(current.phase()) || run.isEmpty()) {
                throw new TargetException(
                        "cannot end the run of version " + version + " of model " + model + ": " + describe(current));
            }
            Run failed = run.get().withOutcome(Outcome.FAILED, reason);
            ended.set(failed);
            ReleaseState settled = current.settled(
                    current.production(),
                    current.weights(),
                    entry(
                            Action.DEPLOY,
                            failed,
                            Optional.of(Outcome.FAILED),
                            current.production(),
                            failed.by(),
                            reason),
                    now());
            return Optional.of(
                    image.isPresent()
                            ? settled.withDigest(
                                    version, image.get().substring(image.get().indexOf('@') + 1), now())
                            : settled.without(version, now()));
        });
        steps.reached("done");
        finished(model, version, Outcome.FAILED, ended.get(), done.production(), reason);
        return done;
    }

    /** Drops the version's own route; without production or other routed versions, the model's routes go too. */
    private void unroute(String model, Optional<String> production, String version)
            throws TargetException, RoutingException {
        List<String> others = routed(model, production, Set.of(version));
        TrafficRouter router = target.router();
        if (others.isEmpty()) {
            router.remove(model);
            return;
        }
        if (production.isEmpty() && router.currentWeights(model).getOrDefault(version, 0) > 0) {
            throw new TargetException("cannot take version " + version + " of model " + model + " off its stable"
                    + " route: no version serves production to take its traffic (other versions: " + others + ");"
                    + " roll one back with `rollback " + model + " --to VERSION` first");
        }
        router.reconcile(model, others);
    }

    /** The versions that keep their own route: production first, then every other one that serves or is kept. */
    List<String> routed(String model, Optional<String> production, Set<String> excluded) throws TargetException {
        Set<String> versions = new LinkedHashSet<>();
        production.filter(p -> !excluded.contains(p)).ifPresent(versions::add);
        target.releases().stages(model).forEach((version, stage) -> {
            if (!OUT.contains(stage) && !excluded.contains(version)) {
                versions.add(version);
            }
        });
        return List.copyOf(versions);
    }

    // --- rollback ----------------------------------------------------------------------------------------------

    /**
     * Moves production back to a kept version (default: the one that served before the current production): its
     * objects scaled back up and ready first, then one routing change. While a deployment is in progress, rolling
     * back means ending it: its version is taken out and production stays as it is.
     */
    public ReleaseState rollBack(String model, Optional<String> to, String reason, String by, Duration keep)
            throws TargetException, RoutingException, InterruptedException {
        tidy(model);
        Optional<ReleaseState> stored = target.releases().load(model);
        if (stored.isEmpty()) {
            throw new TargetException(
                    "model " + model + " has no release on " + target.describe() + ": nothing to roll back");
        }
        ReleaseState state = stored.get();
        if (RUN_IN_PROGRESS.contains(state.phase()) || state.phase() == Phase.REMOVING) {
            String running = state.challenger().orElseThrow();
            if (to.isPresent() && !to.equals(state.production())) {
                throw new TargetException("a deployment of version " + running + " of model " + model + " is in"
                        + " progress (" + state.phase() + "); roll it back first (without --to), then roll back to "
                        + to.get());
            }
            return takeOut(model, running, VerdictTable.on(VerdictTable.Result.ABORTED), "rolled back: " + reason);
        }
        if (state.phase() == Phase.PROMOTING) {
            state = promote(
                    model,
                    state.challenger().orElseThrow(),
                    state.run().orElseThrow().by(),
                    "promotion finished before the rollback");
        }
        final String restore;
        if (state.phase() == Phase.ROLLING_BACK) {
            restore = state.challenger().orElseThrow();
            if (to.isPresent() && !to.get().equals(restore)) {
                throw new TargetException("a rollback of model " + model + " to version " + restore + " is in"
                        + " progress; run rollback again without --to to finish it first");
            }
        } else {
            List<String> kept = keptVersions(model);
            Optional<String> wanted = to.isPresent() ? to : previousProduction(state, kept);
            if (wanted.isEmpty()) {
                throw new TargetException("model " + model + " has no earlier production version that is still kept"
                        + " (kept: " + (kept.isEmpty() ? "none" : String.join(", ", kept)) + "); name one with --to");
            }
            restore = wanted.get();
            if (state.production().equals(Optional.of(restore))) {
                return state; // it serves production already
            }
            if (!kept.contains(restore)) {
                throw new TargetException("cannot roll model " + model + " back to version " + restore + ": it is not"
                        + " kept on " + target.describe() + " (versions that can be restored: "
                        + (kept.isEmpty() ? "none" : String.join(", ", kept)) + ")");
            }
            Run run = new Run(
                    restore,
                    Optional.ofNullable(state.digests().get(restore)),
                    state.production(),
                    by,
                    now(),
                    keep,
                    RetireMode.REMOVE,
                    Optional.empty(),
                    List.of(),
                    Optional.empty(),
                    reason);
            state = transition(model, current -> {
                if (current.phase() == Phase.ROLLING_BACK
                        && current.challenger().equals(Optional.of(restore))) {
                    return Optional.empty();
                }
                if (current.phase() != Phase.STABLE) {
                    throw new TargetException("cannot roll model " + model + " back: " + describe(current));
                }
                return Optional.of(current.inPhase(Phase.ROLLING_BACK, run, now()));
            });
        }
        Run run = state.run().orElseThrow();
        VersionRef ref = new VersionRef(model, restore);
        steps.reached("intent");
        target.restore(ref, RESTORE_TIMEOUT);
        steps.reached("restored");
        TrafficRouter router = target.router();
        List<String> routes = new ArrayList<>(routed(model, Optional.of(restore), Set.of()));
        router.reconcile(model, routes);
        router.setWeights(model, Map.of(restore, 100));
        steps.reached("weights");
        ReleaseStore store = target.releases();
        store.setStage(ref, Stage.PRODUCTION);
        Optional<String> replaced = run.from().filter(p -> !p.equals(restore));
        if (replaced.isPresent()) {
            store.setStage(new VersionRef(model, replaced.get()), Stage.RETIRED);
        }
        steps.reached("stages");
        events.accept(DeploymentEvent.of(
                model,
                restore,
                "rolled back " + model + " to " + restore
                        + replaced.map(p -> " (from " + p + ")").orElse("") + ": " + run.reason(),
                new EventDetails.RolledBack(restore, run.digest().orElse(""), run.reason())));
        ReleaseState done = transition(model, current -> {
            if (current.phase() != Phase.ROLLING_BACK || !current.challenger().equals(Optional.of(restore))) {
                return Optional.empty();
            }
            ReleaseState settled = current.settled(
                    Optional.of(restore),
                    Map.of(restore, 100),
                    entry(Action.ROLLBACK, run, Optional.empty(), Optional.of(restore), run.by(), run.reason()),
                    now());
            settled = settled.keeping(restore, Optional.empty(), now());
            if (replaced.isPresent()) {
                settled = settled.keeping(replaced.get(), Optional.of(now().plus(run.keepPrevious())), now());
            }
            return Optional.of(settled);
        });
        steps.reached("done");
        if (run.keepPrevious().isZero()) {
            retireExpired(model);
        }
        return done;
    }

    /** The production version before the current one that is still kept, newest first. */
    private static Optional<String> previousProduction(ReleaseState state, List<String> kept) {
        List<HistoryEntry> history = state.history();
        for (int i = history.size() - 1; i >= 0; i--) {
            Optional<String> production = history.get(i).production();
            if (production.isPresent() && !production.equals(state.production()) && kept.contains(production.get())) {
                return production;
            }
        }
        return Optional.empty();
    }

    /** Versions a rollback can bring back: their objects still exist (running, or scaled to zero). */
    List<String> keptVersions(String model) throws TargetException {
        List<String> kept = new ArrayList<>();
        target.releases().stages(model).forEach((version, stage) -> {
            if (stage == Stage.RETIRED || stage == Stage.PRODUCTION) {
                kept.add(version);
            }
        });
        return kept;
    }

    // --- housekeeping ------------------------------------------------------------------------------------------

    /**
     * What every command does first, whatever phase the release is in: versions whose keep window ended are scaled to
     * zero, and a version whose approval is overdue is taken out (nobody decided in time, whichever driver waited).
     */
    public void tidy(String model) throws TargetException, RoutingException {
        retireExpired(model);
        Optional<ReleaseState> stored = target.releases().load(model);
        if (stored.isPresent() && stored.get().phase() == Phase.AWAITING_APPROVAL) {
            Run run = stored.get().run().orElseThrow();
            if (run.decideBy().filter(due -> due.isBefore(now())).isPresent()) {
                takeOut(
                        model,
                        run.version(),
                        VerdictTable.on(VerdictTable.Result.APPROVAL_TIMED_OUT),
                        "no decision by " + run.decideBy().get());
            }
        }
    }

    // --- keep windows ------------------------------------------------------------------------------------------

    /**
     * Scales to zero every version whose keep window has ended (they stay restorable), whatever phase the release is
     * in; returns them. What every command runs first.
     */
    public List<String> retireExpired(String model) throws TargetException {
        Optional<ReleaseState> stored = target.releases().load(model);
        if (stored.isEmpty()) {
            return List.of();
        }
        List<String> retired = new ArrayList<>();
        for (Map.Entry<String, Instant> kept : stored.get().keepUntil().entrySet()) {
            String version = kept.getKey();
            if (kept.getValue().isAfter(now())
                    || stored.get().production().equals(Optional.of(version))
                    || stored.get().challenger().equals(Optional.of(version))) {
                continue;
            }
            target.retire(new VersionRef(model, version), RetireMode.SCALE_TO_ZERO);
            events.accept(DeploymentEvent.of(
                    model,
                    version,
                    version + " of " + model + " scaled to zero: its keep" + " window ended at " + kept.getValue(),
                    new EventDetails.VersionRemoved(
                            Stage.RETIRED.value(), RetireMode.SCALE_TO_ZERO.name(), "keep window ended")));
            transition(
                    model,
                    current -> current.keepUntil().containsKey(version)
                            ? Optional.of(current.keeping(version, Optional.empty(), now()))
                            : Optional.empty());
            retired.add(version);
        }
        return retired;
    }

    // --- undeploy ----------------------------------------------------------------------------------------------

    /**
     * Removes one version (its objects, its route, what the release state knew of it), or the whole model (every
     * version, every route and the release state). The production version is only removed with {@code force} (or
     * with the whole model); a version being deployed is taken out as an aborted run.
     */
    public void undeploy(String model, Optional<String> version, boolean force, String by)
            throws TargetException, RoutingException {
        if (version.isPresent()) {
            tidy(model);
        }
        ReleaseStore store = target.releases();
        Optional<ReleaseState> stored = store.load(model);
        Set<String> versions = new LinkedHashSet<>(store.stages(model).keySet());
        stored.ifPresent(s -> {
            versions.addAll(s.digests().keySet());
            s.challenger().ifPresent(versions::add);
            s.production().ifPresent(versions::add);
        });
        if (stored.isEmpty() && versions.isEmpty()) {
            throw new TargetException(
                    "model " + model + " is not deployed on " + target.describe() + ": nothing to undeploy");
        }
        if (version.isEmpty()) {
            target.router().remove(model);
            steps.reached("routes");
            for (String each : versions) {
                target.retire(new VersionRef(model, each), RetireMode.REMOVE);
                events.accept(DeploymentEvent.of(
                        model,
                        each,
                        each + " of " + model + " removed: the model was" + " undeployed by " + by,
                        new EventDetails.VersionRemoved("", RetireMode.REMOVE.name(), "model undeployed")));
            }
            steps.reached("versions");
            store.delete(model);
            steps.reached("done");
            return;
        }
        String one = version.get();
        if (!versions.contains(one)) {
            throw new TargetException("version " + one + " of model " + model + " is not deployed on "
                    + target.describe() + " (deployed: " + String.join(", ", versions) + ")");
        }
        ReleaseState state = stored.orElse(ReleaseState.empty(model, now()));
        if (state.challenger().equals(Optional.of(one))
                && state.phase() != Phase.ROLLING_BACK
                && state.phase() != Phase.PROMOTING) {
            takeOut(model, one, VerdictTable.on(VerdictTable.Result.ABORTED), "undeployed by " + by);
            return;
        }
        if (state.phase() != Phase.STABLE) {
            throw new TargetException("cannot undeploy version " + one + " of model " + model + ": " + describe(state)
                    + "; wait for it to finish, or roll it back");
        }
        boolean production = state.production().equals(Optional.of(one));
        if (production && !force) {
            throw new TargetException("version " + one + " serves production of model " + model + "; undeploy the"
                    + " whole model, roll back to another version first, or pass --force (the model is then left"
                    + " without production)");
        }
        if (production) {
            target.router().remove(model); // nothing may take its traffic: the model has no stable route any more
        } else {
            unroute(model, state.production(), one);
        }
        steps.reached("routes");
        target.retire(new VersionRef(model, one), RetireMode.REMOVE);
        events.accept(DeploymentEvent.of(
                model,
                one,
                one + " of " + model + " removed by " + by,
                new EventDetails.VersionRemoved("", RetireMode.REMOVE.name(), "undeployed by " + by)));
        steps.reached("removed");
        transition(model, current -> {
            Optional<String> nextProduction = production ? Optional.empty() : current.production();
            Map<String, Integer> weights = production ? Map.of() : current.weights();
            HistoryEntry entry = new HistoryEntry(
                    now(),
                    Action.UNDEPLOY,
                    one,
                    Optional.empty(),
                    Optional.empty(),
                    nextProduction,
                    Optional.ofNullable(current.digests().get(one)),
                    by,
                    production ? "production version removed with --force" : "version removed");
            return Optional.of(current.withHistory(entry, now())
                    .withProduction(nextProduction, now())
                    .withWeights(weights, now())
                    .without(one, now()));
        });
        steps.reached("done");
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    private void finished(
            String model, String version, Outcome outcome, Run run, Optional<String> production, String reason) {
        events.accept(DeploymentEvent.of(
                model,
                version,
                version + " of " + model + ": " + outcome
                        + production.map(p -> ", production is " + p).orElse(", no production version") + " (" + reason
                        + ")",
                new EventDetails.DeployFinished(
                        outcome.name(), run.verdict().map(Enum::name).orElse(""), production.orElse(""), reason)));
    }

    private HistoryEntry entry(
            Action action, Run run, Optional<Outcome> outcome, Optional<String> production, String by, String reason) {
        return new HistoryEntry(
                now(), action, run.version(), outcome, run.verdict(), production, run.digest(), by, reason);
    }

    static String describe(ReleaseState state) {
        if (state.phase() == Phase.STABLE) {
            return "nothing is in progress (production: " + state.production().orElse("none") + ")";
        }
        Run run = state.run().orElseThrow();
        return "version " + run.version() + " is in phase " + state.phase() + " since " + state.updated()
                + " (started by " + run.by() + ")";
    }

    static String humanize(Duration duration) {
        return duration.isZero()
                ? "no longer"
                : "for " + duration.toString().substring(2).toLowerCase();
    }
}
