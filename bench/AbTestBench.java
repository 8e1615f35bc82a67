import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentSimulator;
import java.util.Locale;

/**
 * The A/B statistics by simulation (bench/abtest.sh): 10,000 A/A experiments read every simulated second (false
 * decision rate, goal <= alpha = 0.05), and experiments with a true effect of twice the minimum detectable effect
 * (mean samples per variant to a decision, sequential vs the fixed-horizon size, goal <= 0.6x). Base rates 5% errors
 * and 5% SLO violations, 100 requests per variant per second, minimum detectable effect one percentage point.
 */
public class AbTestBench {
    public static void main(String[] args) {
        int experiments = Integer.parseInt(args.length > 0 ? args[0] : "10000");
        ExperimentSimulator simulator = new ExperimentSimulator(0.05, 0.05, 0.01, 0.05, 100);
        long started = System.nanoTime();
        ExperimentSimulator.Summary aa = simulator.run(ExperimentPlan.Method.SEQUENTIAL, experiments, 0, 3, 1);
        ExperimentSimulator.Summary effect = simulator.run(ExperimentPlan.Method.SEQUENTIAL, experiments / 10, 0.02,
                3, 2);
        ExperimentSimulator.Summary fixedAa = simulator.run(ExperimentPlan.Method.FIXED_HORIZON, experiments, 0, 1,
                3);
        ExperimentSimulator.Summary fixedPower = simulator.run(ExperimentPlan.Method.FIXED_HORIZON, experiments / 10,
                0.01, 1, 4);
        System.out.printf(Locale.ROOT, "| figure | sequential (mSPRT) | fixed horizon | goal |%n|---|---|---|---|%n");
        System.out.printf(Locale.ROOT, "| A/A false decisions (%d experiments) | %.2f%% | %.2f%% | <= 5%% |%n",
                experiments, aa.decisionRate() * 100, fixedAa.decisionRate() * 100);
        System.out.printf(Locale.ROOT, "| samples per variant at 2x MDE (%d experiments) | %.0f (%.2fx) | %d"
                + " (1.00x) | <= 0.6x |%n", effect.experiments(), effect.meanSamplesPerVariant(), effect.sampleRatio(),
                effect.fixedHorizonSamplesPerVariant());
        System.out.printf(Locale.ROOT, "| decided correctly at 2x MDE | %.1f%% | - | |%n",
                effect.rolledBack() * 100.0 / effect.experiments());
        System.out.printf(Locale.ROOT, "| power of the fixed-horizon test at 1x MDE | - | %.1f%% | 80%% by design |%n",
                fixedPower.rolledBack() * 100.0 / fixedPower.experiments());
        System.out.printf(Locale.ROOT, "%nsimulated in %.1f s%n", (System.nanoTime() - started) / 1e9);
    }
}
