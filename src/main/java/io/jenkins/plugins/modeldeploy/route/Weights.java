package io.jenkins.plugins.modeldeploy.route;

import java.util.LinkedHashMap;
import java.util.Map;

/** Checks a stable-route split before any router applies it: every router accepts exactly the same splits. */
public final class Weights {
    private Weights() {}

    /** Returns an ordered copy, or throws naming the model and the bad entry: weights are 0..100 and sum to 100. */
    public static Map<String, Integer> checked(String model, Map<String, Integer> weights) throws RoutingException {
        int sum = 0;
        for (Map.Entry<String, Integer> entry : weights.entrySet()) {
            Integer weight = entry.getValue();
            if (weight == null || weight < 0 || weight > 100) {
                throw new RoutingException("weight of " + model + " version " + entry.getKey()
                        + " must be between 0 and 100, was " + weight);
            }
            sum += weight;
        }
        if (sum != 100) {
            throw new RoutingException(
                    "weights of " + model + " must sum to 100, were " + weights + " (sum " + sum + ")");
        }
        return new LinkedHashMap<>(weights);
    }
}
