package io.jenkins.plugins.modeldeploy.abtest;

import java.time.Duration;
import java.util.OptionalDouble;
import java.util.SplittableRandom;

/**
 * Simulates many experiments with known true rates and runs them through {@link Analysis} exactly as a live
 * experiment does (one reading per simulated second), to measure the false decision rate of A/A experiments and
 * the samples the sequential test needs compared with the fixed-horizon one. Used by {@code bench/abtest.sh} and,
 * with fewer experiments, by the tests.
 */
public final class ExperimentSimulator {
    private final double baseErrorRate;
    private final double baseSloRate;
    private final double minimumDetectableEffect;
    private final double alpha;
    private final long requestsPerSecondPerVariant;

    /** Outcome of many experiments. */
    public record Summary(int experiments, int promoted, int rolledBack, int inconclusive, double meanSamplesPerVariant,
            long fixedHorizonSamplesPerVariant) {
        public double decisionRate() {
            return (promoted + rolledBack) / (double) experiments;
        }

        /** Mean samples per variant to a decision (undecided runs count at their maximum) over the fixed size. */
        public double sampleRatio() {
            return meanSamplesPerVariant / fixedHorizonSamplesPerVariant;
        }
    }

    public ExperimentSimulator(double baseErrorRate, double baseSloRate, double minimumDetectableEffect, double alpha,
            long requestsPerSecondPerVariant) {
        this.baseErrorRate = baseErrorRate;
        this.baseSloRate = baseSloRate;
        this.minimumDetectableEffect = minimumDetectableEffect;
        this.alpha = alpha;
        this.requestsPerSecondPerVariant = requestsPerSecondPerVariant;
    }

    /** The plan every simulated experiment runs: 50/50, no minimum, at most {@code maxSamplesFactor} fixed sizes. */
    ExperimentPlan plan(ExperimentPlan.Method method, Duration max) {
        return new ExperimentPlan("sim", "a", "b", 50, Duration.ZERO, max, 0, alpha, method, OptionalDouble.empty(),
                100, minimumDetectableEffect);
    }

    /**
     * Runs {@code experiments} experiments in which the challenger's error rate is the base rate plus
     * {@code errorEffect}, each up to {@code maxSamplesFactor} times the fixed-horizon sample size.
     */
    public Summary run(ExperimentPlan.Method method, int experiments, double errorEffect, double maxSamplesFactor,
            long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long fixed = new Analysis(plan(method, Duration.ofSeconds(1))).fixedHorizonSamples();
        long maxSeconds = (long) Math.ceil(fixed * maxSamplesFactor / requestsPerSecondPerVariant);
        if (method == ExperimentPlan.Method.FIXED_HORIZON) {
            maxSeconds = (long) Math.ceil((double) fixed / requestsPerSecondPerVariant);
        }
        ExperimentPlan plan = plan(method, Duration.ofSeconds(maxSeconds));
        int promoted = 0;
        int rolledBack = 0;
        int inconclusive = 0;
        double samples = 0;
        for (int i = 0; i < experiments; i++) {
            Analysis analysis = new Analysis(plan);
            long n = 0;
            long errorsA = 0;
            long errorsB = 0;
            long sloA = 0;
            long sloB = 0;
            Analysis.Decision decision = null;
            for (long second = 1; second <= maxSeconds; second++) {
                long k = requestsPerSecondPerVariant;
                n += k;
                errorsA += binomial(k, baseErrorRate, random);
                errorsB += binomial(k, Math.min(1, baseErrorRate + errorEffect), random);
                sloA += binomial(k, baseSloRate, random);
                sloB += binomial(k, baseSloRate, random);
                decision = analysis.update(new VariantStats("a", n, errorsA, sloA, 0, 0),
                        new VariantStats("b", n, errorsB, sloB, 0, 0), Duration.ofSeconds(second),
                        second == maxSeconds);
                if (decision.decided()) {
                    break;
                }
            }
            samples += n;
            switch (decision.verdict()) {
                case PROMOTE -> promoted++;
                case ROLLBACK -> rolledBack++;
                case INCONCLUSIVE -> inconclusive++;
            }
        }
        return new Summary(experiments, promoted, rolledBack, inconclusive, samples / experiments, fixed);
    }

    /** A Binomial(n, p) draw by inversion: one uniform, a walk up the cumulative distribution (about n p steps). */
    static long binomial(long n, double p, SplittableRandom random) {
        if (p <= 0) {
            return 0;
        }
        if (p >= 1) {
            return n;
        }
        double u = random.nextDouble();
        double probability = Math.pow(1 - p, n);
        double cumulative = probability;
        long k = 0;
        double odds = p / (1 - p);
        while (u > cumulative && k < n) {
            probability *= (double) (n - k) / (k + 1) * odds;
            k++;
            cumulative += probability;
        }
        return k;
    }
}
