package io.jenkins.plugins.modeldeploy.pipeline;

import io.jenkins.plugins.modeldeploy.abtest.ExperimentResult;
import io.jenkins.plugins.modeldeploy.abtest.Verdict;
import io.jenkins.plugins.modeldeploy.image.BuiltImage;
import io.jenkins.plugins.modeldeploy.smoke.SmokeResult;
import io.jenkins.plugins.modeldeploy.target.DeployedVersion;
import io.jenkins.plugins.modeldeploy.target.Outcome;
import java.util.Objects;
import java.util.Optional;

/**
 * What one run of the lifecycle did, so far or in the end.
 *
 * @param outcome    how the run ended; empty while it is still going (waiting for approval, or between finer steps)
 * @param verdict    the A/B test's verdict; empty when there was none (first release, failure before it)
 * @param production the version serving production at the end (or now), empty when none
 * @param reason     why it ended so, in one line
 * @param deployed   the rolled-out version, when this run rolled it out
 * @param smoke      the smoke test this run ran
 * @param experiment the A/B test this run ran
 * @param approval   the decision on the promotion
 */
public record DeployOutcome(
        String model,
        String version,
        Optional<Outcome> outcome,
        Optional<Verdict> verdict,
        Optional<String> production,
        String reason,
        Optional<BuiltImage> image,
        Optional<DeployedVersion> deployed,
        Optional<SmokeResult> smoke,
        Optional<ExperimentResult> experiment,
        Optional<Approval> approval) {

    public DeployOutcome {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(production, "production");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(deployed, "deployed");
        Objects.requireNonNull(smoke, "smoke");
        Objects.requireNonNull(experiment, "experiment");
        Objects.requireNonNull(approval, "approval");
    }

    /** Nothing done yet. */
    public static DeployOutcome begin(String model, String version) {
        return new DeployOutcome(
                model,
                version,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                "",
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }

    /** True when the version serves production at the end. */
    public boolean succeeded() {
        return outcome.equals(Optional.of(Outcome.PROMOTED));
    }

    public DeployOutcome ended(Outcome how, Optional<String> productionAfter, String why) {
        return new DeployOutcome(
                model,
                version,
                Optional.of(how),
                verdict,
                productionAfter,
                why,
                image,
                deployed,
                smoke,
                experiment,
                approval);
    }

    public DeployOutcome withImage(BuiltImage built) {
        return new DeployOutcome(
                model,
                version,
                outcome,
                verdict,
                production,
                reason,
                Optional.of(built),
                deployed,
                smoke,
                experiment,
                approval);
    }

    public DeployOutcome withDeployed(DeployedVersion rolledOut) {
        return new DeployOutcome(
                model,
                version,
                outcome,
                verdict,
                production,
                reason,
                image,
                Optional.of(rolledOut),
                smoke,
                experiment,
                approval);
    }

    public DeployOutcome withSmoke(SmokeResult result) {
        return new DeployOutcome(
                model,
                version,
                outcome,
                verdict,
                production,
                reason,
                image,
                deployed,
                Optional.of(result),
                experiment,
                approval);
    }

    public DeployOutcome withExperiment(ExperimentResult result) {
        return new DeployOutcome(
                model,
                version,
                outcome,
                Optional.of(result.verdict()),
                production,
                reason,
                image,
                deployed,
                smoke,
                Optional.of(result),
                approval);
    }

    public DeployOutcome withVerdict(Optional<Verdict> stored) {
        return new DeployOutcome(
                model, version, outcome, stored, production, reason, image, deployed, smoke, experiment, approval);
    }

    public DeployOutcome withApproval(Approval decision) {
        return new DeployOutcome(
                model,
                version,
                outcome,
                verdict,
                production,
                reason,
                image,
                deployed,
                smoke,
                experiment,
                Optional.of(decision));
    }

    public DeployOutcome withProduction(Optional<String> now) {
        return new DeployOutcome(
                model, version, outcome, verdict, now, reason, image, deployed, smoke, experiment, approval);
    }
}
