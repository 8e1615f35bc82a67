package io.jenkins.plugins.modeldeploy.route;

import java.net.URI;
import java.util.Collection;
import java.util.Map;

/**
 * Routes {@code /models/m/v} to exactly version v and {@code /models/m} to the versions by weight. One
 * implementation per provider (Traefik CRDs, plain Ingress, the local gateway); weights always sum to 100.
 */
public interface TrafficRouter {
    /** Makes the per-version routes for {@code versions} exist (and no others); keeps the current weights. */
    void reconcile(String model, Collection<String> versions) throws RoutingException;

    /** Sets the stable route's split in one change; versions not named get weight 0. */
    void setWeights(String model, Map<String, Integer> weights) throws RoutingException;

    /** The stable route's split as the router serves it now (empty when the model has no stable route). */
    Map<String, Integer> currentWeights(String model) throws RoutingException;

    /** The stable URL of the model ({@code …/models/m}), as clients call it. */
    URI stableEndpoint(String model);

    /** The URL of exactly one version ({@code …/models/m/v}), as clients call it. */
    URI versionEndpoint(String model, String version);

    /**
     * Sends a copy of {@code percent} percent of the stable route's requests to {@code shadow} (a version with its own
     * route), as well as to the version that serves them; the copies' answers are discarded, clients get production's.
     * Replaces an earlier mirror of the model.
     *
     * @throws RoutingException when this router cannot mirror (plain Ingress) or the shadow has no route
     */
    default void setMirror(String model, String shadow, int percent) throws RoutingException {
        throw new RoutingException(getClass().getSimpleName() + " cannot mirror traffic: shadow tests of " + model
                + " need Traefik or" + " the local gateway");
    }

    /** Stops mirroring the model's stable route; nothing to do when it is not mirrored. */
    default void clearMirror(String model) throws RoutingException {}

    /**
     * Keeps each client of the stable route on one variant while the split lasts: by a hash of {@code header}'s value
     * (the local gateway), or by a sticky cookie (Traefik's weighted service sets it at a client's first answer);
     * empty: every request drawn by weight. Requests naming a version in {@code X-Model-Version} go to it regardless.
     *
     * @throws RoutingException when this router cannot keep clients on one variant
     */
    default void setSticky(String model, java.util.Optional<String> header) throws RoutingException {
        if (header.isPresent()) {
            throw new RoutingException(getClass().getSimpleName() + " cannot keep a client on one variant of " + model);
        }
    }

    /**
     * Removes every route of the model (per-version routes, the stable route and what they use). Idempotent; the
     * caller has already taken the versions out.
     */
    void remove(String model) throws RoutingException;
}
