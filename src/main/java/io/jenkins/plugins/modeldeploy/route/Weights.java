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

    /**
     * Positive weights scaled to sum 100 in their proportions (largest remainders first, ties to the earlier entry),
     * e.g. {@code {1: 45, 3: 45}} (version 2's 10 left out) gives {@code {1: 50, 3: 50}}.
     */
    public static Map<String, Integer> redistribute(Map<String, Integer> weights) {
        int total = weights.values().stream().mapToInt(Integer::intValue).sum();
        if (total <= 0) {
            throw new IllegalArgumentException("nothing to scale in " + weights);
        }
        Map<String, Integer> scaled = new LinkedHashMap<>();
        Map<String, Integer> remainders = new LinkedHashMap<>();
        int given = 0;
        for (Map.Entry<String, Integer> entry : weights.entrySet()) {
            int share = entry.getValue() * 100 / total;
            scaled.put(entry.getKey(), share);
            remainders.put(entry.getKey(), entry.getValue() * 100 % total);
            given += share;
        }
        var byRemainder = remainders.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .map(Map.Entry::getKey)
                .toList();
        for (int i = 0; given < 100; i++, given++) {
            scaled.merge(byRemainder.get(i % byRemainder.size()), 1, Integer::sum);
        }
        return scaled;
    }
}
