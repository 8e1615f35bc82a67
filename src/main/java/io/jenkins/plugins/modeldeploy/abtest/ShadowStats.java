package io.jenkins.plugins.modeldeploy.abtest;

import java.util.List;

/**
 * How a shadow (a version sent copies of production's requests, its answers discarded) agreed with production on the
 * same inputs.
 *
 * @param compared  mirrored requests whose two answers were both 2xx and compared
 * @param agreed    of those, how many gave the same predictions
 * @param failed    mirrored requests the shadow failed (non-2xx or no answer) while production answered
 * @param examples  some of the disagreeing inputs with both answers, oldest first, bounded by the source
 */
public record ShadowStats(long compared, long agreed, long failed, List<Disagreement> examples) {
    public static final ShadowStats NONE = new ShadowStats(0, 0, 0, List.of());

    public ShadowStats {
        examples = List.copyOf(examples);
    }

    /** One input on which the shadow's prediction differed from production's; texts bounded by the source. */
    public record Disagreement(String request, String production, String shadow) {}

    public double agreementRate() {
        return compared == 0 ? 0 : (double) agreed / compared;
    }
}
