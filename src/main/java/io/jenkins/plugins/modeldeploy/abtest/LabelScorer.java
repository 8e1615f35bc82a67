package io.jenkins.plugins.modeldeploy.abtest;

import io.jenkins.plugins.modeldeploy.smoke.LabelScore;
import io.jenkins.plugins.modeldeploy.smoke.Payload;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Scores a model's answer against a labelled payload's {@code "expected"} ({@link LabelScore}) as quality
 * observations, one per instance: for {@value GatedMetric#ACCURACY} 1 when the prediction equals the label and 0
 * otherwise; when both are numbers, the absolute error for {@value GatedMetric#MAE} and the squared error for
 * {@value GatedMetric#RMSE}.
 */
public final class LabelScorer {
    private LabelScorer() {}

    /** The answer's observations by metric name; empty when the payload carries no labels. */
    public static Map<String, Moments> score(Payload payload, byte[] answer) {
        return moments(LabelScore.of(payload, answer));
    }

    /**
     * A score as observations: accuracy 0/1 per instance (its squares are itself), mae the absolute errors, rmse the
     * squared errors (the metric is gated as the mean squared error); mae and rmse only when some were numeric.
     */
    public static Map<String, Moments> moments(LabelScore score) {
        if (score.instances() == 0) {
            return Map.of();
        }
        Map<String, Moments> scores = new LinkedHashMap<>();
        scores.put(GatedMetric.ACCURACY, new Moments(score.instances(), score.correct(), score.correct()));
        if (score.numeric() > 0) {
            scores.put(
                    GatedMetric.MAE, new Moments(score.numeric(), score.absoluteError(), score.absoluteErrorSquares()));
            scores.put(
                    GatedMetric.RMSE,
                    new Moments(score.numeric(), score.absoluteErrorSquares(), score.squaredErrorSquares()));
        }
        return scores;
    }

    /** {@code a} plus {@code b}, metric by metric. */
    public static Map<String, Moments> add(Map<String, Moments> a, Map<String, Moments> b) {
        Map<String, Moments> sum = new LinkedHashMap<>(a);
        b.forEach((name, moments) -> sum.merge(name, moments, Moments::plus));
        return sum;
    }

    /** {@code now} less {@code earlier}, metric by metric ({@link Moments#minus}); metrics with no new observation are left out. */
    public static Map<String, Moments> minus(Map<String, Moments> now, Map<String, Moments> earlier) {
        Map<String, Moments> difference = new LinkedHashMap<>();
        now.forEach((name, moments) -> {
            Moments since = moments.minus(earlier.getOrDefault(name, Moments.NONE));
            if (since.count() > 0) {
                difference.put(name, since);
            }
        });
        return difference;
    }
}
