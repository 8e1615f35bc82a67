import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan;
import io.jenkins.plugins.modeldeploy.abtest.GatedMetric;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentPlan.Gate;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentSimulator;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentSimulator.Scenario;
import io.jenkins.plugins.modeldeploy.abtest.ExperimentSimulator.Summary;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

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
 *
 * <p>3. Quality metrics (issue 17): A/A experiments gated on three metrics (error rate, SLO violations, accuracy)
 * read every second at the acceptance traffic with every request labelled, under both gates: false decisions (any
 * decision under superiority, a ROLLBACK under non-inferiority) with their 95% Wilson interval (goal <= alpha). Then
 * the samples to a decision at a true difference of twice the margin (the mixture's scale) against the fixed-horizon
 * size planned to detect the margin with 80% power, for a proportion (accuracy 90% vs 86%, margin 2 points) and a mean
 * (normal observations, sd 1, mean absolute error 0.5 vs 0.7, margin 0.1), superiority gate, alpha 0.05 over three
 * metrics (goal <= 0.6x).
 */
public class AbTestBench {
    private static final double ALPHA = 0.05;
    private static final double MARGIN = Gate.DEFAULT_MARGIN;

    record Traffic(String name, long champion, long challenger, Duration min, Duration max, long minSamples,
            double mde) {}

    public static void main(String[] args) {
        int experiments = Integer.parseInt(args.length > 0 ? args[0] : "10000");
        if (args.length > 1 && args[1].equals("quality")) { // part 3 only
            quality(experiments);
            return;
        }
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
        quality(experiments);
        System.out.printf(Locale.ROOT, "%nsimulated in %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    private static String percent(double rate) {
        return String.format(Locale.ROOT, "%.1f%%", rate * 100);
    }

    private static String verdict(double rate, boolean met) {
        return String.format(Locale.ROOT, "%.1f%%%s", rate * 100, met ? "" : " (goal missed)");
    }

    /** Part 3: quality metrics. {@code experiments / 5} A/A runs per gate, {@code experiments / 20} effect runs. */
    static void quality(int experiments) {
        long started = System.nanoTime();
        int aaRuns = Math.max(200, experiments / 5);
        int effectRuns = Math.max(100, experiments / 20);
        System.out.printf(Locale.ROOT, "%nQuality metrics: A/A with three gated metrics (error rate 0.5%%, SLO violations"
                + " 1%%, accuracy 90%% with every request labelled), 90 + 10 req/s read every second, min 60 s, max"
                + " 10 min, min 500 samples, alpha %s split over 3; %d experiments per gate%n%n", ALPHA, aaRuns);
        System.out.printf(Locale.ROOT, "| gate | false decisions | 95%% interval | promoted | goal |%n|---|---|---|---|---|%n");
        for (Gate.Kind kind : Gate.Kind.values()) {
            Gate gate = new Gate(kind, MARGIN, MARGIN);
            Scenario scenario = new Scenario(90, 10, Duration.ofSeconds(60), Duration.ofMinutes(10), 500, 0.005, 0.01,
                    0.01, ALPHA, ExperimentPlan.Method.SEQUENTIAL, gate);
            GatedMetric accuracy = GatedMetric.builtIn(GatedMetric.ACCURACY, OptionalDouble.of(MARGIN), kind);
            Summary aa = ExperimentSimulator.run(scenario, 0, 0,
                    List.of(new ExperimentSimulator.Quality(accuracy, 1.0, 0.9, 0.9, 0)), aaRuns, 17 + kind.ordinal());
            int wrong = kind == Gate.Kind.SUPERIORITY ? aa.promoted() + aa.rolledBack() : aa.rolledBack();
            double[] interval = ExperimentSimulator.wilson95(wrong, aa.experiments());
            System.out.printf(Locale.ROOT, "| %s (%s) | %.2f%% (%d of %d) | [%.2f%%, %.2f%%] | %.1f%% | <= %.0f%% |%n",
                    kind == Gate.Kind.SUPERIORITY ? "superiority" : "non-inferiority",
                    kind == Gate.Kind.SUPERIORITY ? "any decision is false" : "a ROLLBACK is false",
                    100.0 * wrong / aa.experiments(), wrong, aa.experiments(), interval[0] * 100, interval[1] * 100,
                    aa.promotedRate() * 100, ALPHA * 100);
        }

        System.out.printf(Locale.ROOT, "%nDecision time at twice the margin vs the fixed horizon (superiority gate,"
                + " 20 + 20 observations/s read every second, alpha %s over 3 metrics, fixed horizon sized for the"
                + " margin at 80%% power; %d experiments each)%n%n", ALPHA, effectRuns);
        System.out.printf(Locale.ROOT, "| metric | true values (champion / challenger) | margin | fixed-horizon n per variant"
                + " | sequential: mean n at decision | ratio | rolled back | goal |%n|---|---|---|---|---|---|---|---|%n");
        Gate superiority = new Gate(Gate.Kind.SUPERIORITY, MARGIN, MARGIN);
        double perMetric = ALPHA / 3;
        {
            double margin = 0.02;
            long fixed = fixedProportion(0.10, margin, perMetric);
            Scenario scenario = new Scenario(20, 20, Duration.ZERO, Duration.ofSeconds(3 * fixed / 20 + 1), 0, 0.005,
                    0.01, 0.01, ALPHA, ExperimentPlan.Method.SEQUENTIAL, superiority);
            GatedMetric accuracy = GatedMetric.builtIn(GatedMetric.ACCURACY, OptionalDouble.of(margin),
                    Gate.Kind.SUPERIORITY);
            Summary s = ExperimentSimulator.run(scenario, 0, 0,
                    List.of(new ExperimentSimulator.Quality(accuracy, 1.0, 0.90, 0.90 - 2 * margin, 0)), effectRuns, 31);
            row("accuracy (proportion)", "90% / 86%", "2 pp", fixed, s);
        }
        {
            double margin = 0.1;
            long fixed = fixedMean(1.0, margin, perMetric);
            Scenario scenario = new Scenario(20, 20, Duration.ZERO, Duration.ofSeconds(3 * fixed / 20 + 1), 0, 0.005,
                    0.01, 0.01, ALPHA, ExperimentPlan.Method.SEQUENTIAL, superiority);
            GatedMetric mae = GatedMetric.builtIn(GatedMetric.MAE, OptionalDouble.of(margin), Gate.Kind.SUPERIORITY);
            Summary s = ExperimentSimulator.run(scenario, 0, 0,
                    List.of(new ExperimentSimulator.Quality(mae, 1.0, 0.5, 0.5 + 2 * margin, 1.0)), effectRuns, 32);
            row("mae (mean, normal sd 1)", "0.5 / 0.7", "0.1", fixed, s);
        }
        System.out.printf(Locale.ROOT, "%nquality metrics simulated in %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    private static void row(String metric, String values, String margin, long fixed, Summary s) {
        double ratio = s.meanChallengerObservations() / fixed;
        System.out.printf(Locale.ROOT, "| %s | %s | %s | %d | %.0f | %.2fx%s | %.1f%% | <= 0.6x |%n", metric, values,
                margin, fixed, s.meanChallengerObservations(), ratio, ratio <= 0.6 ? "" : " (goal missed)",
                s.rolledBackRate() * 100);
    }

    /** Two-sided z-test size: 2 (z(1-a/2) + z(0.8))^2 sigma^2 / effect^2 with the variances at p and p + effect. */
    static long fixedProportion(double p, double effect, double alpha) {
        double z = zAlpha(alpha) + 0.8416212335729143;
        double q = p + effect;
        return (long) Math.ceil(z * z * (p * (1 - p) + q * (1 - q)) / (effect * effect));
    }

    static long fixedMean(double sd, double effect, double alpha) {
        double z = zAlpha(alpha) + 0.8416212335729143;
        return (long) Math.ceil(2 * z * z * sd * sd / (effect * effect));
    }

    /** z(1 - alpha/2) by bisection on the normal tail (erfc from Abramowitz-Stegun 7.1.26 is too coarse here). */
    static double zAlpha(double alpha) {
        double low = 0;
        double high = 10;
        for (int i = 0; i < 200; i++) {
            double middle = (low + high) / 2;
            if (tail(middle) > alpha / 2) {
                low = middle;
            } else {
                high = middle;
            }
        }
        return (low + high) / 2;
    }

    /** P(Z > z) by Simpson's rule on the density from 0 to z. */
    private static double tail(double z) {
        int n = 2000;
        double h = z / n;
        double sum = density(0) + density(z);
        for (int i = 1; i < n; i++) {
            sum += density(i * h) * (i % 2 == 0 ? 2 : 4);
        }
        return 0.5 - sum * h / 3;
    }

    private static double density(double x) {
        return Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
    }
}
