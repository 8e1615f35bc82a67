package io.jenkins.plugins.modeldeploy.abtest;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SplittableRandom;

/**
 * Simulates many experiments with known true rates and runs them through {@link Analysis} exactly as a live
 * experiment does (one reading per simulated second, the final one at the maximum duration), to measure how often
 * each gate promotes, rolls back or gives up: the false decision rate of A/A experiments, the samples the sequential
 * test needs compared with the fixed-horizon one, and the non-inferiority gate's behaviour at the demo's and the
 * acceptance run's traffic; with {@link Quality} metrics (issue 17) also the A/A false decision rate with several
 * gated metrics and the decision time of the proportion and mean sequential tests. Used by {@code bench/abtest.sh}
 * and, with fewer experiments, by the tests.
 */
public final class ExperimentSimulator {
    private ExperimentSimulator() {}

    /**
     * The traffic and the plan of one kind of experiment. Each simulated second the champion serves
     * {@code championPerSecond} requests and the challenger {@code challengerPerSecond} (the split is the plan's
     * challenger weight, rounded to a whole percent), each failing with its error rate and violating the SLO with its
     * SLO-violation rate, independently.
     */
    public record Scenario(
            long championPerSecond,
            long challengerPerSecond,
            Duration minDuration,
            Duration maxDuration,
            long minSamples,
            double baseErrorRate,
            double baseSloRate,
            double minimumDetectableEffect,
            double alpha,
            ExperimentPlan.Method method,
            ExperimentPlan.Gate gate) {
        public Scenario {
            if (championPerSecond <= 0 || challengerPerSecond <= 0) {
                throw new IllegalArgumentException("both variants need traffic");
            }
        }

        /**
         * 50/50 at {@code perSecondPerVariant}, no minimum, up to {@code maxSamplesFactor} times the fixed-horizon
         * size (exactly that size for the fixed-horizon method, which is read once): the set-up of the sequential vs
         * fixed-horizon comparison.
         */
        public static Scenario balanced(
                long perSecondPerVariant,
                double baseErrorRate,
                double baseSloRate,
                double minimumDetectableEffect,
                double alpha,
                ExperimentPlan.Method method,
                ExperimentPlan.Gate gate,
                double maxSamplesFactor) {
            Scenario sizing = new Scenario(
                    perSecondPerVariant,
                    perSecondPerVariant,
                    Duration.ZERO,
                    Duration.ofSeconds(1),
                    0,
                    baseErrorRate,
                    baseSloRate,
                    minimumDetectableEffect,
                    alpha,
                    method,
                    gate);
            long fixed = new Analysis(sizing.plan()).fixedHorizonSamples();
            double factor = method == ExperimentPlan.Method.FIXED_HORIZON ? 1 : maxSamplesFactor;
            long seconds = (long) Math.ceil(fixed * factor / perSecondPerVariant);
            return new Scenario(
                    perSecondPerVariant,
                    perSecondPerVariant,
                    Duration.ZERO,
                    Duration.ofSeconds(seconds),
                    0,
                    baseErrorRate,
                    baseSloRate,
                    minimumDetectableEffect,
                    alpha,
                    method,
                    gate);
        }

        public int challengerWeight() {
            return (int) Math.round(100.0 * challengerPerSecond / (championPerSecond + challengerPerSecond));
        }

        public ExperimentPlan plan() {
            return plan(List.of());
        }

        /** The plan gating also on {@code quality}. */
        public ExperimentPlan plan(List<GatedMetric> quality) {
            return new ExperimentPlan(
                    "sim",
                    "a",
                    "b",
                    challengerWeight(),
                    minDuration,
                    maxDuration,
                    minSamples,
                    alpha,
                    method,
                    OptionalDouble.empty(),
                    100,
                    minimumDetectableEffect,
                    gate,
                    quality,
                    ExperimentPlan.Mode.AB,
                    Optional.empty());
        }
    }

    /**
     * A simulated quality metric: each request of a variant is observed (labelled, or answered with feedback) with
     * chance {@code observedShare}; an observation of a proportion is 1 with the variant's value as its chance, one
     * of a mean is normal with the variant's value as its mean and standard deviation {@code sd}.
     */
    public record Quality(GatedMetric metric, double observedShare, double champion, double challenger, double sd) {}

    /** Outcome of many experiments. */
    public record Summary(
            int experiments,
            int promoted,
            int rolledBack,
            int inconclusive,
            double meanChallengerSamples,
            double meanSeconds,
            long fixedHorizonSamplesPerVariant,
            double meanChallengerObservations) {
        public Summary(
                int experiments,
                int promoted,
                int rolledBack,
                int inconclusive,
                double meanChallengerSamples,
                double meanSeconds,
                long fixedHorizonSamplesPerVariant) {
            this(
                    experiments,
                    promoted,
                    rolledBack,
                    inconclusive,
                    meanChallengerSamples,
                    meanSeconds,
                    fixedHorizonSamplesPerVariant,
                    0);
        }

        public double decisionRate() {
            return (promoted + rolledBack) / (double) experiments;
        }

        public double promotedRate() {
            return promoted / (double) experiments;
        }

        public double rolledBackRate() {
            return rolledBack / (double) experiments;
        }

        /** Mean challenger samples to a decision (undecided runs count at their maximum) over the fixed size. */
        public double sampleRatio() {
            return meanChallengerSamples / fixedHorizonSamplesPerVariant;
        }
    }

    /**
     * Runs {@code experiments} experiments in which the challenger's error rate is the base rate plus
     * {@code errorEffect} and its SLO-violation rate the base rate plus {@code sloEffect}.
     */
    public static Summary run(Scenario scenario, double errorEffect, double sloEffect, int experiments, long seed) {
        return run(scenario, errorEffect, sloEffect, List.of(), experiments, seed);
    }

    /**
     * As {@link #run(Scenario, double, double, int, long)}, gating also on the {@code quality} metrics, each observed
     * as {@link Quality} says. {@link Summary#meanChallengerObservations()} counts the first quality metric's
     * challenger observations at the end of each experiment.
     */
    public static Summary run(
            Scenario scenario,
            double errorEffect,
            double sloEffect,
            List<Quality> quality,
            int experiments,
            long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        ExperimentPlan plan =
                scenario.plan(quality.stream().map(Quality::metric).toList());
        long fixed = new Analysis(plan).fixedHorizonSamples();
        long maxSeconds = Math.max(1, (long) Math.ceil(scenario.maxDuration().toMillis() / 1000.0));
        long a = scenario.championPerSecond();
        long b = scenario.challengerPerSecond();
        double errorA = scenario.baseErrorRate();
        double errorB = clamp(scenario.baseErrorRate() + errorEffect);
        double sloA = scenario.baseSloRate();
        double sloB = clamp(scenario.baseSloRate() + sloEffect);
        int k = quality.size();
        int promoted = 0;
        int rolledBack = 0;
        int inconclusive = 0;
        double samples = 0;
        double seconds = 0;
        double observations = 0;
        for (int i = 0; i < experiments; i++) {
            Analysis analysis = new Analysis(plan, false);
            long n = 0;
            long errorsA = 0;
            long errorsB = 0;
            long slowA = 0;
            long slowB = 0;
            Moments[] qualityA = new Moments[k];
            Moments[] qualityB = new Moments[k];
            java.util.Arrays.fill(qualityA, Moments.NONE);
            java.util.Arrays.fill(qualityB, Moments.NONE);
            Analysis.Decision decision = null;
            long second = 1;
            for (; second <= maxSeconds; second++) {
                n++;
                errorsA += binomial(a, errorA, random);
                errorsB += binomial(b, errorB, random);
                slowA += binomial(a, sloA, random);
                slowB += binomial(b, sloB, random);
                Map<String, Moments> observedA = k == 0 ? Map.of() : new HashMap<>();
                Map<String, Moments> observedB = k == 0 ? Map.of() : new HashMap<>();
                for (int m = 0; m < k; m++) {
                    Quality q = quality.get(m);
                    qualityA[m] = qualityA[m].plus(observe(q, a, q.champion(), random));
                    qualityB[m] = qualityB[m].plus(observe(q, b, q.challenger(), random));
                    observedA.put(q.metric().name(), qualityA[m]);
                    observedB.put(q.metric().name(), qualityB[m]);
                }
                decision = analysis.update(
                        new VariantStats("a", n * a, errorsA, slowA, 0, 0, observedA, -1),
                        new VariantStats("b", n * b, errorsB, slowB, 0, 0, observedB, -1),
                        Duration.ofSeconds(second),
                        second == maxSeconds);
                if (decision.decided()) {
                    break;
                }
            }
            samples += n * b;
            seconds += n;
            observations += k == 0 ? 0 : qualityB[0].count();
            switch (decision.verdict()) {
                case PROMOTE -> promoted++;
                case ROLLBACK -> rolledBack++;
                case INCONCLUSIVE -> inconclusive++;
            }
        }
        return new Summary(
                experiments,
                promoted,
                rolledBack,
                inconclusive,
                samples / experiments,
                seconds / experiments,
                fixed,
                observations / experiments);
    }

    /** One second's observations of a variant serving {@code requests} requests. */
    private static Moments observe(Quality quality, long requests, double value, SplittableRandom random) {
        long count = binomial(requests, quality.observedShare(), random);
        if (count == 0) {
            return Moments.NONE;
        }
        if (quality.metric().kind() == GatedMetric.Kind.PROPORTION) {
            // by its complement above 1/2: the walk up the distribution starts at (1 - p)^n, which underflows
            long ones = value > 0.5 ? count - binomial(count, 1 - value, random) : binomial(count, value, random);
            return new Moments(count, ones, ones);
        }
        double sum = 0;
        double squares = 0;
        for (long j = 0; j < count; j++) {
            double x = value + quality.sd() * random.nextGaussian();
            sum += x;
            squares += x * x;
        }
        return new Moments(count, sum, squares);
    }

    /** The Wilson score interval at 95% for {@code successes} of {@code trials}: the simulation's own uncertainty. */
    public static double[] wilson95(long successes, long trials) {
        double z = 1.959963984540054;
        double p = (double) successes / trials;
        double denominator = 1 + z * z / trials;
        double centre = (p + z * z / (2.0 * trials)) / denominator;
        double half = z * Math.sqrt(p * (1 - p) / trials + z * z / (4.0 * trials * trials)) / denominator;
        return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
    }

    /**
     * The challenger requests after which equal variants at the scenario's base rates are shown within the gate's
     * margin on both metrics, counting each variant's expected events (no noise) and reading once: how much traffic
     * the non-inferiority gate needs at best. Long.MAX_VALUE when not within 10 million.
     */
    public static long challengerSamplesToShowWithinMargin(Scenario scenario) {
        double alpha = new Analysis(scenario.plan()).perMetricAlpha();
        long a = scenario.championPerSecond();
        long b = scenario.challengerPerSecond();
        double[][] metrics = {
            {scenario.baseErrorRate(), scenario.gate().errorRateMargin()},
            {scenario.baseSloRate(), scenario.gate().sloViolationMargin()}
        };
        long needed = 0;
        for (double[] metric : metrics) {
            long low = 0; // not shown at low seconds, shown at high
            long high = 1;
            while (!shown(a * high, b * high, metric[0], metric[1], scenario.minimumDetectableEffect(), alpha)) {
                low = high;
                high *= 2;
                if (b * high > 10_000_000) {
                    return Long.MAX_VALUE;
                }
            }
            while (high - low > 1) {
                long middle = (low + high) / 2;
                if (shown(a * middle, b * middle, metric[0], metric[1], scenario.minimumDetectableEffect(), alpha)) {
                    high = middle;
                } else {
                    low = middle;
                }
            }
            needed = Math.max(needed, b * high);
        }
        return needed;
    }

    private static boolean shown(
            long championRequests, long challengerRequests, double rate, double margin, double tau, double alpha) {
        return new MixtureConfidenceSequence(tau, alpha)
                        .update(
                                championRequests,
                                Math.round(championRequests * rate),
                                challengerRequests,
                                Math.round(challengerRequests * rate))
                        .upper()
                < margin;
    }

    private static double clamp(double rate) {
        return Math.max(0, Math.min(1, rate));
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
