package io.jenkins.plugins.modeldeploy.target;

import io.jenkins.plugins.modeldeploy.abtest.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One model's release, stored as one JSON value (an annotation of a ConfigMap on Kubernetes, a file locally): the
 * version that serves production, the deployment in progress with the step it reached, the versions kept for rollback
 * and until when, and the history of what every run did. The lifecycle ({@code pipeline.Lifecycle}) stores each
 * transition here before acting on it, so any driver can resume a run after a crash and a re-run is a no-op.
 *
 * @param phase      where the model's release is; {@link Phase#STABLE} when nothing is in progress
 * @param production the version the stable route serves when no experiment runs
 * @param run        the deployment, rollback or removal in progress (present exactly when the phase is not STABLE)
 * @param weights    the stable route's split as last set
 * @param digests    image digest per version, when versions run images (what a rollback brings back)
 * @param keepUntil  versions replaced in production that keep running for instant rollback, and until when; the next
 *                   command after that instant scales them to zero
 * @param history    what happened, oldest first, at most {@link #HISTORY_LIMIT} entries
 */
public record ReleaseState(
        String model,
        Phase phase,
        Optional<String> production,
        Optional<Run> run,
        Map<String, Integer> weights,
        Map<String, String> digests,
        Map<String, Instant> keepUntil,
        List<HistoryEntry> history,
        Instant updated) {

    /** Older entries are dropped: the state must fit an annotation (256 KiB for all of an object's annotations). */
    public static final int HISTORY_LIMIT = 100;

    /** The steps of the lifecycle that are stored (see docs/lifecycle.md for the table of transitions). */
    public enum Phase {
        /** Nothing in progress. */
        STABLE,
        /** The run's version is rolled out (its own route only) and being smoke-tested. */
        DEPLOYING,
        /** The stable route is split between production and the run's version. */
        EXPERIMENT,
        /** The A/B test found the run's version fit for production; a person decides. */
        AWAITING_APPROVAL,
        /** The run's version is being made production. */
        PROMOTING,
        /** The run's version is being taken out ({@link Run#outcome()} says why). */
        REMOVING,
        /** Production is being moved back to the run's version. */
        ROLLING_BACK
    }

    /**
     * What is in progress.
     *
     * @param version     the version being deployed, removed, or (ROLLING_BACK) brought back
     * @param digest      its image digest, when it runs an image
     * @param from        the production version when the run started
     * @param by          who or what started it (a build URL, a user)
     * @param keepPrevious how long the version it replaces in production keeps running
     * @param onFailure   what happens to the version when it fails (REMOVE, or SCALE_TO_ZERO to keep it inspectable)
     * @param verdict     the A/B test's verdict, once there is one
     * @param reasons     the figures behind the verdict
     * @param outcome     how the run ends, once decided (REMOVING, PROMOTING)
     * @param reason      why, in one line
     * @param approvalTimeout how long a person may take once the A/B test found the version fit; zero: no limit
     *                    kept in the state (the driver keeps its own)
     * @param decideBy    while AWAITING_APPROVAL: when the decision is due; after it, the next command that touches
     *                    the model takes the version out as APPROVAL_TIMED_OUT, whichever driver started the run
     */
    public record Run(
            String version,
            Optional<String> digest,
            Optional<String> from,
            String by,
            Instant started,
            Duration keepPrevious,
            RetireMode onFailure,
            Optional<Verdict> verdict,
            List<String> reasons,
            Optional<Outcome> outcome,
            String reason,
            Duration approvalTimeout,
            Optional<Instant> decideBy) {
        /** A run without an approval deadline in the state. */
        public Run(
                String version,
                Optional<String> digest,
                Optional<String> from,
                String by,
                Instant started,
                Duration keepPrevious,
                RetireMode onFailure,
                Optional<Verdict> verdict,
                List<String> reasons,
                Optional<Outcome> outcome,
                String reason) {
            this(
                    version,
                    digest,
                    from,
                    by,
                    started,
                    keepPrevious,
                    onFailure,
                    verdict,
                    reasons,
                    outcome,
                    reason,
                    Duration.ZERO,
                    Optional.empty());
        }

        public Run {
            // absent in states stored before these fields existed
            approvalTimeout = approvalTimeout == null ? Duration.ZERO : approvalTimeout;
            decideBy = decideBy == null ? Optional.empty() : decideBy;
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(digest, "digest");
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(by, "by");
            Objects.requireNonNull(started, "started");
            Objects.requireNonNull(keepPrevious, "keepPrevious");
            Objects.requireNonNull(onFailure, "onFailure");
            Objects.requireNonNull(verdict, "verdict");
            reasons = List.copyOf(reasons);
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(reason, "reason");
        }

        public Run withVerdict(Verdict verdict, List<String> reasons) {
            return new Run(
                    version,
                    digest,
                    from,
                    by,
                    started,
                    keepPrevious,
                    onFailure,
                    Optional.of(verdict),
                    reasons,
                    outcome,
                    reason,
                    approvalTimeout,
                    decideBy);
        }

        public Run withOutcome(Outcome outcome, String reason) {
            return new Run(
                    version,
                    digest,
                    from,
                    by,
                    started,
                    keepPrevious,
                    onFailure,
                    verdict,
                    reasons,
                    Optional.of(outcome),
                    reason,
                    approvalTimeout,
                    decideBy);
        }

        /** Waiting for a decision from {@code now}: due after the approval timeout, when one is set. */
        public Run awaitingFrom(Instant now) {
            return new Run(
                    version,
                    digest,
                    from,
                    by,
                    started,
                    keepPrevious,
                    onFailure,
                    verdict,
                    reasons,
                    outcome,
                    reason,
                    approvalTimeout,
                    approvalTimeout.isZero() ? Optional.empty() : Optional.of(now.plus(approvalTimeout)));
        }
    }

    /** One line of the model's history. */
    public enum Action {
        DEPLOY,
        ROLLBACK,
        UNDEPLOY
    }

    /**
     * @param production the version serving production afterwards (empty: none)
     * @param outcome    for DEPLOY: how the run ended
     */
    public record HistoryEntry(
            Instant at,
            Action action,
            String version,
            Optional<Outcome> outcome,
            Optional<Verdict> verdict,
            Optional<String> production,
            Optional<String> digest,
            String by,
            String reason) {
        public HistoryEntry {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(action, "action");
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(verdict, "verdict");
            Objects.requireNonNull(production, "production");
            Objects.requireNonNull(digest, "digest");
            Objects.requireNonNull(by, "by");
            Objects.requireNonNull(reason, "reason");
        }
    }

    public ReleaseState {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(production, "production");
        Objects.requireNonNull(run, "run");
        if (run.isPresent() == (phase == Phase.STABLE)) {
            throw new IllegalArgumentException(
                    "a release in phase " + phase + (run.isPresent() ? " has no run" : " needs the run it belongs to"));
        }
        weights = Map.copyOf(weights);
        digests = Map.copyOf(digests);
        keepUntil = Map.copyOf(keepUntil);
        history = List.copyOf(
                history.size() > HISTORY_LIMIT
                        ? history.subList(history.size() - HISTORY_LIMIT, history.size())
                        : history);
        Objects.requireNonNull(updated, "updated");
    }

    /** A model nothing was released of yet. */
    public static ReleaseState empty(String model, Instant now) {
        return new ReleaseState(
                model, Phase.STABLE, Optional.empty(), Optional.empty(), Map.of(), Map.of(), Map.of(), List.of(), now);
    }

    /** The same release in {@code phase} with {@code run} in progress. */
    public ReleaseState inPhase(Phase next, Run nextRun, Instant now) {
        return new ReleaseState(
                model, next, production, Optional.of(nextRun), weights, digests, keepUntil, history, now);
    }

    /** Nothing in progress any more; {@code entry} is added to the history. */
    public ReleaseState settled(
            Optional<String> nextProduction, Map<String, Integer> nextWeights, HistoryEntry entry, Instant now) {
        List<HistoryEntry> all = new ArrayList<>(history);
        all.add(entry);
        return new ReleaseState(
                model, Phase.STABLE, nextProduction, Optional.empty(), nextWeights, digests, keepUntil, all, now);
    }

    public ReleaseState withDigest(String version, String digest, Instant now) {
        Map<String, String> all = new LinkedHashMap<>(digests);
        all.put(version, digest);
        return new ReleaseState(model, phase, production, run, weights, all, keepUntil, history, now);
    }

    public ReleaseState withWeights(Map<String, Integer> next, Instant now) {
        return new ReleaseState(model, phase, production, run, next, digests, keepUntil, history, now);
    }

    /** Keeps {@code version} running until {@code until} (empty: no longer kept, it was scaled down or removed). */
    public ReleaseState keeping(String version, Optional<Instant> until, Instant now) {
        Map<String, Instant> all = new LinkedHashMap<>(keepUntil);
        until.ifPresentOrElse(u -> all.put(version, u), () -> all.remove(version));
        return new ReleaseState(model, phase, production, run, weights, digests, all, history, now);
    }

    /** Forgets a removed version's digest and keep window. */
    public ReleaseState without(String version, Instant now) {
        Map<String, String> digestsLeft = new LinkedHashMap<>(digests);
        digestsLeft.remove(version);
        Map<String, Instant> keptLeft = new LinkedHashMap<>(keepUntil);
        keptLeft.remove(version);
        return new ReleaseState(model, phase, production, run, weights, digestsLeft, keptLeft, history, now);
    }

    public ReleaseState withHistory(HistoryEntry entry, Instant now) {
        List<HistoryEntry> all = new ArrayList<>(history);
        all.add(entry);
        return new ReleaseState(model, phase, production, run, weights, digests, keepUntil, all, now);
    }

    public ReleaseState withProduction(Optional<String> next, Instant now) {
        return new ReleaseState(model, phase, next, run, weights, digests, keepUntil, history, now);
    }

    /** The version in progress, if any. */
    public Optional<String> challenger() {
        return run.map(Run::version);
    }
}
