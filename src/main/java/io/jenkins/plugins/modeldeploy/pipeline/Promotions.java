package io.jenkins.plugins.modeldeploy.pipeline;

import io.jenkins.plugins.modeldeploy.event.DeploymentEvent;
import io.jenkins.plugins.modeldeploy.event.EventDetails;
import io.jenkins.plugins.modeldeploy.route.RoutingException;
import io.jenkins.plugins.modeldeploy.target.ReleaseState;
import io.jenkins.plugins.modeldeploy.target.ReleaseState.Phase;
import io.jenkins.plugins.modeldeploy.target.ReleaseStore;
import io.jenkins.plugins.modeldeploy.target.RetireMode;
import io.jenkins.plugins.modeldeploy.target.Stage;
import io.jenkins.plugins.modeldeploy.target.Target;
import io.jenkins.plugins.modeldeploy.target.TargetException;
import io.jenkins.plugins.modeldeploy.target.VersionRef;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Promotion and rollback as small state machines whose state is stored before every step ({@link ReleaseStore}),
 * so a run killed at any point continues from the stored step when started again: each step is idempotent, the
 * intent is saved with compare-and-swap, and a finished promotion is a no-op, never a second promotion.
 */
public final class Promotions {
    /** Called after each stored step; the crash-safety tests stop the engine here. */
    public interface StepListener {
        void reached(String step);
    }

    private final Target target;
    private final Consumer<DeploymentEvent> events;
    private final StepListener steps;

    public Promotions(Target target, Consumer<DeploymentEvent> events, StepListener steps) {
        this.target = target;
        this.events = events;
        this.steps = steps;
    }

    public Promotions(Target target, Consumer<DeploymentEvent> events) {
        this(target, events, step -> { });
    }

    /** Makes the first version of a model its production version (nothing to test it against). */
    public ReleaseState bootstrap(String model, String version, Optional<String> digest) throws TargetException,
            RoutingException {
        ReleaseStore store = target.releases();
        Optional<ReleaseState> current = store.load(model);
        if (current.isPresent() && current.get().production().isPresent()) {
            throw new TargetException("model " + model + " already has production version "
                    + current.get().production().get() + "; promote a new version through an A/B test instead");
        }
        target.router().setWeights(model, Map.of(version, 100));
        store.setStage(new VersionRef(model, version), Stage.PRODUCTION);
        Map<String, String> digests = new LinkedHashMap<>(current.map(ReleaseState::digests).orElse(Map.of()));
        digest.ifPresent(d -> digests.put(version, d));
        ReleaseState stable = new ReleaseState(model, Phase.STABLE, Optional.of(version), Optional.empty(),
                Optional.empty(), Map.of(version, 100), Map.of(), digests, Instant.now());
        store.save(current, stable);
        events.accept(DeploymentEvent.of(model, version, version + " is the first production version of " + model,
                new EventDetails.Promoted("", digest.orElse(""))));
        return stable;
    }

    /**
     * Sends 100% of the stable route to {@code challenger}, marks it {@code production} and the version it replaces
     * {@code retired}. The replaced version keeps running for instant rollback until {@link #retireExpired}.
     */
    public ReleaseState promote(String model, String challenger, Approval approval) throws TargetException,
            RoutingException {
        ReleaseStore store = target.releases();
        Optional<ReleaseState> stored = store.load(model);
        if (stored.isPresent() && stored.get().production().equals(Optional.of(challenger))
                && stored.get().phase() != Phase.PROMOTING && stored.get().phase() != Phase.ROLLING_BACK) {
            return stored.get(); // already serves production: promoting again changes nothing
        }
        if (!approval.approved()) {
            throw new TargetException("promotion of " + model + " " + challenger + " was rejected by "
                    + approval.approver() + (approval.comment().isEmpty() ? "" : ": " + approval.comment()));
        }
        ReleaseState promoting;
        if (stored.isPresent() && stored.get().phase() == Phase.PROMOTING
                && stored.get().challenger().equals(Optional.of(challenger))) {
            promoting = stored.get(); // a promotion stopped half-way: continue it
        } else {
            Optional<String> production = stored.flatMap(ReleaseState::production);
            Map<String, Integer> weights = production.map(p -> Map.of(p, 100)).orElse(Map.of());
            promoting = new ReleaseState(model, Phase.PROMOTING, production, Optional.of(challenger), production,
                    weights, weights, stored.map(ReleaseState::digests).orElse(Map.of()), Instant.now());
            store.save(stored, promoting);
        }
        steps.reached("intent");
        target.router().setWeights(model, Map.of(challenger, 100));
        steps.reached("weights");
        store.setStage(new VersionRef(model, challenger), Stage.PRODUCTION);
        if (promoting.previous().isPresent()) {
            store.setStage(new VersionRef(model, promoting.previous().get()), Stage.RETIRED);
        }
        steps.reached("stages");
        ReleaseState promoted = new ReleaseState(model, Phase.PROMOTED, Optional.of(challenger), Optional.empty(),
                promoting.previous(), Map.of(challenger, 100), promoting.previousWeights(), promoting.digests(),
                Instant.now());
        store.save(Optional.of(promoting), promoted);
        steps.reached("done");
        events.accept(DeploymentEvent.of(model, challenger, challenger + " promoted to production of " + model
                + " by " + approval.approver() + promoting.previous().map(p -> " (replacing " + p + ")").orElse(""),
                new EventDetails.Promoted(promoting.previous().orElse(""),
                        promoting.digests().getOrDefault(challenger, ""))));
        return promoted;
    }

    /**
     * Restores the version that served before the last promotion — the same digest, brought back if it was scaled
     * to zero — and its weights, in one routing change; or ends an experiment that was left running.
     */
    public ReleaseState rollback(String model, String reason) throws TargetException, RoutingException,
            InterruptedException {
        ReleaseStore store = target.releases();
        ReleaseState stored = store.load(model).orElseThrow(() -> new TargetException("nothing to roll back: model "
                + model + " has no release state on " + target.describe()));
        ReleaseState rolling;
        switch (stored.phase()) {
            case ROLLED_BACK, STABLE -> {
                return stored; // nothing in progress and nothing newer than the production version
            }
            case ROLLING_BACK -> rolling = stored;
            case EXPERIMENT -> rolling = rollingBack(stored, stored.production(), stored.challenger(), store);
            case PROMOTED, PROMOTING -> rolling = rollingBack(stored, stored.previous(),
                    stored.phase() == Phase.PROMOTED ? stored.production() : stored.challenger(), store);
            default -> throw new IllegalStateException("unknown phase " + stored.phase());
        }
        steps.reached("intent");
        String restore = rolling.production().orElseThrow();
        target.restore(new VersionRef(model, restore), Duration.ofMinutes(5));
        steps.reached("restored");
        target.router().setWeights(model, rolling.weights());
        steps.reached("weights");
        store.setStage(new VersionRef(model, restore), Stage.PRODUCTION);
        if (rolling.challenger().isPresent()) {
            store.setStage(new VersionRef(model, rolling.challenger().get()), Stage.ROLLED_BACK);
        }
        steps.reached("stages");
        ReleaseState done = new ReleaseState(model, Phase.ROLLED_BACK, Optional.of(restore), rolling.challenger(),
                Optional.empty(), rolling.weights(), Map.of(), rolling.digests(), Instant.now());
        store.save(Optional.of(rolling), done);
        steps.reached("done");
        events.accept(DeploymentEvent.of(model, rolling.challenger().orElse(restore), "rolled back " + model + " to "
                + restore + ": " + reason, new EventDetails.RolledBack(restore,
                        rolling.digests().getOrDefault(restore, ""), reason)));
        return done;
    }

    private ReleaseState rollingBack(ReleaseState stored, Optional<String> restore, Optional<String> undone,
            ReleaseStore store) throws TargetException {
        if (restore.isEmpty()) {
            throw new TargetException("cannot roll back model " + stored.model() + ": no version served before "
                    + stored.production().orElse("the current one"));
        }
        Map<String, Integer> weights = stored.previousWeights().isEmpty() ? Map.of(restore.get(), 100)
                : stored.previousWeights();
        ReleaseState rolling = new ReleaseState(stored.model(), Phase.ROLLING_BACK, restore, undone, Optional.empty(),
                weights, Map.of(), stored.digests(), Instant.now());
        store.save(Optional.of(stored), rolling);
        return rolling;
    }

    /** Scales the version replaced by the last promotion to zero once {@code keep} has passed since it. */
    public boolean retireExpired(String model, Duration keep) throws TargetException {
        Optional<ReleaseState> stored = target.releases().load(model);
        if (stored.isEmpty() || stored.get().phase() != Phase.PROMOTED || stored.get().previous().isEmpty()
                || stored.get().updated().plus(keep).isAfter(Instant.now())) {
            return false;
        }
        target.retire(new VersionRef(model, stored.get().previous().get()), RetireMode.SCALE_TO_ZERO);
        return true;
    }
}
