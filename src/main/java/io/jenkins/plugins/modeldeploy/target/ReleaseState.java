package io.jenkins.plugins.modeldeploy.target;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One model's release, stored as one JSON value (an annotation on Kubernetes, a file locally).
 *
 * @param phase           where the release is
 * @param production      the version serving the stable route when no experiment runs
 * @param challenger      the version under test or being promoted
 * @param weights         the stable route's split as last set
 * @param previousWeights the split to restore on rollback
 * @param digests         image digest per version, when versions run images (what rollback restores)
 */
public record ReleaseState(String model, Phase phase, Optional<String> production, Optional<String> challenger,
        Map<String, Integer> weights, Map<String, Integer> previousWeights, Map<String, String> digests,
        Instant updated) {

    public enum Phase { STABLE, EXPERIMENT, PROMOTING, PROMOTED, ROLLING_BACK, ROLLED_BACK }

    public ReleaseState {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(production, "production");
        Objects.requireNonNull(challenger, "challenger");
        weights = Map.copyOf(weights);
        previousWeights = Map.copyOf(previousWeights);
        digests = Map.copyOf(digests);
        Objects.requireNonNull(updated, "updated");
    }

    public ReleaseState withPhase(Phase next) {
        return new ReleaseState(model, next, production, challenger, weights, previousWeights, digests, Instant.now());
    }

    public ReleaseState withDigest(String version, String digest) {
        Map<String, String> all = new LinkedHashMap<>(digests);
        all.put(version, digest);
        return new ReleaseState(model, phase, production, challenger, weights, previousWeights, all, Instant.now());
    }
}
