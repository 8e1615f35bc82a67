package io.jenkins.plugins.modeldeploy.abtest;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The evidence of a running experiment at one reading, for a progress display: what each variant served and what
 * each gated metric's interval shows so far.
 *
 * @param comparisons per gated metric at this reading (the interval, its margin, the finding)
 * @param decided     true at the reading that decided (the last)
 */
public record ExperimentProgress(
        Duration elapsed,
        Duration maxDuration,
        VariantStats champion,
        VariantStats challenger,
        List<MetricComparison> comparisons,
        boolean decided,
        Verdict verdict) {

    public ExperimentProgress {
        comparisons = List.copyOf(comparisons);
    }

    /**
     * One line, e.g. {@code 42/1800 s: champion 1 3800 req 0.11% err, challenger 2 420 req 0.24% err; error rate
     * [-0.40, +0.81] pp undecided; SLO violations (> 50 ms) [-0.90, +0.60] pp not worse}, and the verdict at the
     * deciding reading.
     */
    public String describe() {
        StringBuilder line = new StringBuilder(String.format(
                Locale.ROOT,
                "%d/%d s: champion %s %s, challenger %s %s",
                elapsed.toSeconds(),
                maxDuration.toSeconds(),
                champion.version(),
                served(champion),
                challenger.version(),
                served(challenger)));
        for (MetricComparison comparison : comparisons) {
            line.append("; ").append(comparison.metric()).append(' ');
            if (!comparison.read()) {
                line.append(String.format(
                        Locale.ROOT,
                        "interval read at %d %s per variant",
                        comparison.samplesNeeded(),
                        comparison.quality() ? "observations" : "requests"));
                continue;
            }
            // the margins are in the experiment's start event; the finding says what the interval shows against them
            line.append(comparison.intervalText())
                    .append(' ')
                    .append(comparison.finding().name().toLowerCase(Locale.ROOT).replace('_', ' '));
        }
        if (decided) {
            line.append("; ").append(verdict);
        }
        return line.toString();
    }

    private static String served(VariantStats stats) {
        return String.format(Locale.ROOT, "%d req %.2f%% err", stats.requests(), stats.errorRate() * 100);
    }
}
