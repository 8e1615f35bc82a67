package io.jenkins.plugins.modeldeploy.local;

import io.jenkins.plugins.modeldeploy.abtest.GatedMetric;
import io.jenkins.plugins.modeldeploy.abtest.Moments;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The built-in quality metrics of one version from its harness's {@code /metrics} text: the
 * {@code model_deploy_feedback_*} counters (summed over lines whose {@code version} label is the version's) as the
 * {@link Moments} of each metric's per-observation value. A metric whose counters are missing is left out.
 */
final class FeedbackMetrics {
    private static final String PREFIX = "model_deploy_feedback_";

    private FeedbackMetrics() {}

    static Map<String, Moments> read(String metricsText, String version, Collection<String> metrics) {
        Map<String, Double> counters = new HashMap<>();
        String versionLabel = "version=\"" + version + "\"";
        for (String line : metricsText.split("\n")) {
            if (!line.startsWith(PREFIX)) {
                continue;
            }
            int brace = line.indexOf('{');
            int close = line.lastIndexOf('}');
            int space = line.lastIndexOf(' ');
            if (space < 0) {
                continue;
            }
            String name = line.substring(PREFIX.length(), brace < 0 ? space : brace);
            if (brace >= 0
                    && close > brace
                    && line.substring(brace, close).contains("version=\"")
                    && !line.substring(brace, close).contains(versionLabel)) {
                continue;
            }
            try {
                counters.merge(
                        name, Double.parseDouble(line.substring(space + 1).strip()), Double::sum);
            } catch (NumberFormatException e) {
                // not a sample line this reader knows: skipped
            }
        }
        Map<String, Moments> quality = new LinkedHashMap<>();
        for (String metric : metrics) {
            String[] names =
                    switch (metric) {
                        case GatedMetric.ACCURACY -> new String[] {"labelled_total", "correct_total", "correct_total"};
                        case GatedMetric.MAE ->
                            new String[] {"numeric_labelled_total", "absolute_error_total", "squared_error_total"};
                        case GatedMetric.RMSE ->
                            new String[] {"numeric_labelled_total", "squared_error_total", "squared_error_squares_total"
                            };
                        case GatedMetric.REWARD -> new String[] {"rewards_total", "reward_sum", "reward_squares_total"};
                        default -> null;
                    };
            if (names != null
                    && counters.containsKey(names[0])
                    && counters.containsKey(names[1])
                    && counters.containsKey(names[2])) {
                quality.put(
                        metric,
                        new Moments(
                                Math.round(counters.get(names[0])), counters.get(names[1]), counters.get(names[2])));
            }
        }
        return quality;
    }
}
