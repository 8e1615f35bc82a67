import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan.Gate;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentSimulator;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentSimulator.Scenario;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentSimulator.Summary;
import java.time.Duration;
import java.util.Locale;

/**
 * The A/B statistics by simulation (bench/abtest.sh), every experiment run through the same Analysis a live one uses,
 * one reading per simulated second.
 *
 * <p>1. The non-inferiority gate (default: margin one percentage point on both metrics, alpha 0.05) at the demo's
 * traffic (200 req/s synthetic, 30% challenger: 140 + 60 req/s; min 10 s, max 90 s, min 300 samples, minimum
 * detectable effect 2 points as in LocalDemo) and at the acceptance run's (100 req/s, 10% challenger: 90 + 10 req/s;
 * min 60 s, max 120 s, min 500 samples, minimum detectable effect 1 point), and with the defaults' 30 min maximum at
 * the acceptance traffic; base rates realistic (0.5% errors, 1% SLO violations), low (0.1% / 0.1%) and high (5% /
 * 5%). Goals: (a) equal variants PROMOTED >= 95%; (b) error rate worse by twice the margin ROLLED BACK >= 95%; (c)
 * error rate worse by exactly the margin PROMOTED <= alpha (the gate's type-I error). "needed": the challenger
 * requests after which equal variants are shown within the margin on both metrics at the expected counts (no noise).
 *
 * <p>2. The superiority gate (the gate before issue 12), sequential vs fixed horizon, 100 + 100 req/s, base rates
 * 5% / 5%, minimum detectable effect one point: A/A false decisions (goal <= alpha) and samples per variant at twice
 * the minimum detectable effect (goal <= 0.6x the fixed-horizon size).
 */
public class AbTestBench {
    private static final double ALPHA = 0.05;
    private static final double MARGIN = Gate.DEFAULT_MARGIN;

    record Traffic(String name, long champion, long challenger, Duration min, Duration max, long minSamples,
            double mde) {}

    public static void main(String[] args) {
        int experiments = Integer.parseInt(args.length > 0 ? args[0] : "10000");
        int gateExperiments = Math.max(100, experiments / 5);
        long started = System.nanoTime();
        Traffic[] traffic = {
            new Traffic("demo: 140 + 60 req/s, 10-90 s, min 300", 140, 60, Duration.ofSeconds(10),
                    Duration.ofSeconds(90), 300, 0.02),
            new Traffic("acceptance: 90 + 10 req/s, 60-120 s, min 500", 90, 10, Duration.ofSeconds(60),
                    Duration.ofSeconds(120), 500, 0.01),
            new Traffic("defaults: 90 + 10 req/s, 1-30 min, min 500", 90, 10, Duration.ofMinutes(1),
                    Duration.ofMinutes(30), 500, 0.01)};
        double[][] rates = {{0.005, 0.01}, {0.001, 0.001}, {0.05, 0.05}};
        System.out.printf(Locale.ROOT, "Non-inferiority gate, margin %.0f pp on both metrics, alpha %s"
                + " (%d experiments per cell; the worse challenger is worse on the error rate)%n%n", MARGIN * 100,
                ALPHA, gateExperiments);
        System.out.printf(Locale.ROOT, "| traffic (champion + challenger), plan | base errors / SLO violations"
                + " | challenger requests by max / needed | (a) equal: promoted, mean s"
                + " | (b) +2 pp: rolled back, mean s | (c) +1 pp: promoted |%n");
        System.out.printf(Locale.ROOT, "|---|---|---|---|---|---|%n");
        long seed = 100;
        for (Traffic t : traffic) {
            for (double[] rate : rates) {
                if (t.name().startsWith("defaults") && rate[0] != 0.005 && rate[0] != 0.05) {
                    continue;
                }
                Scenario scenario = new Scenario(t.champion(), t.challenger(), t.min(), t.max(), t.minSamples(),
                        rate[0], rate[1], t.mde(), ALPHA, ExperimentPlan.Method.SEQUENTIAL, Gate.DEFAULT);
                Summary equal = ExperimentSimulator.run(scenario, 0, 0, gateExperiments, seed++);
                Summary worse = ExperimentSimulator.run(scenario, 2 * MARGIN, 0, gateExperiments, seed++);
                Summary atMargin = ExperimentSimulator.run(scenario, MARGIN, 0, gateExperiments, seed++);
                System.out.printf(Locale.ROOT, "| %s | %s / %s | %d / %d | %s, %.0f s | %s, %.0f s | %s |%n",
                        t.name(), percent(rate[0]), percent(rate[1]), t.challenger() * t.max().toSeconds(),
                        ExperimentSimulator.challengerSamplesToShowWithinMargin(scenario),
                        verdict(equal.promotedRate(), equal.promotedRate() >= 0.95), equal.meanSeconds(),
                        verdict(worse.rolledBackRate(), worse.rolledBackRate() >= 0.95), worse.meanSeconds(),
                        verdict(atMargin.promotedRate(), atMargin.promotedRate() <= ALPHA));
            }
        }

        Gate superiority = new Gate(Gate.Kind.SUPERIORITY, MARGIN, MARGIN);
        Scenario sequential = Scenario.balanced(100, 0.05, 0.05, 0.01, ALPHA, ExperimentPlan.Method.SEQUENTIAL,
                superiority, 3);
        Scenario fixed = Scenario.balanced(100, 0.05, 0.05, 0.01, ALPHA, ExperimentPlan.Method.FIXED_HORIZON,
                superiority, 1);
        Summary aa = ExperimentSimulator.run(sequential, 0, 0, experiments, 1);
        Summary effect = ExperimentSimulator.run(sequential, 0.02, 0, experiments / 10, 2);
        Summary fixedAa = ExperimentSimulator.run(fixed, 0, 0, experiments, 3);
        Summary fixedPower = ExperimentSimulator.run(fixed, 0.01, 0, experiments / 10, 4);
        System.out.printf(Locale.ROOT, "%nSuperiority gate, 100 + 100 req/s, base rates 5%% / 5%%, minimum detectable"
                + " effect 1 pp%n%n");
        System.out.printf(Locale.ROOT, "| figure | sequential (mSPRT) | fixed horizon | goal |%n|---|---|---|---|%n");
        System.out.printf(Locale.ROOT, "| A/A false decisions (%d experiments) | %.2f%% | %.2f%% | <= 5%% |%n",
                experiments, aa.decisionRate() * 100, fixedAa.decisionRate() * 100);
        System.out.printf(Locale.ROOT, "| samples per variant at 2x MDE (%d experiments) | %.0f (%.2fx) | %d"
                + " (1.00x) | <= 0.6x |%n", effect.experiments(), effect.meanChallengerSamples(),
                effect.sampleRatio(), effect.fixedHorizonSamplesPerVariant());
        System.out.printf(Locale.ROOT, "| decided correctly at 2x MDE | %.1f%% | - | |%n",
                effect.rolledBackRate() * 100);
        System.out.printf(Locale.ROOT, "| power of the fixed-horizon test at 1x MDE | - | %.1f%% | 80%% by design |%n",
                fixedPower.rolledBackRate() * 100);
        System.out.printf(Locale.ROOT, "%nsimulated in %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    private static String percent(double rate) {
        return String.format(Locale.ROOT, "%.1f%%", rate * 100);
    }

    private static String verdict(double rate, boolean met) {
        return String.format(Locale.ROOT, "%.1f%%%s", rate * 100, met ? "" : " (goal missed)");
    }
}
