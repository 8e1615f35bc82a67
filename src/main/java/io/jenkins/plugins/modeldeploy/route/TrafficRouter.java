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
     * Removes every route of the model (per-version routes, the stable route and what they use). Idempotent; the
     * caller has already taken the versions out.
     */
    void remove(String model) throws RoutingException;
}
