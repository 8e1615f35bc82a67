package io.jenkins.plugins.modeldeploy.abtest;

/**
 * The mixture sequential probability ratio test (mSPRT) for a difference of two proportions, after Johari, Pekelis
 * and Walsh, "Always Valid Inference: Bringing Sequential Analysis to A/B Testing" (the "Peeking at A/B tests" paper):
 * the difference of the observed rates is treated as approximately normal with variance V, and the likelihood ratio
 * against "no difference" is mixed over a normal prior N(0, tau^2) on the true difference, which has the closed form
 *
 * <pre>  Lambda = sqrt(V / (V + tau^2)) * exp(d^2 * tau^2 / (2 V (V + tau^2)))</pre>
 *
 * By Ville's inequality, P(sup Lambda >= 1/alpha) <= alpha under the null, so {@code p = min(1, 1/max Lambda)} is a
 * p-value valid at every update. tau is set to the minimum detectable effect: the test is most efficient for
 * effects of about that size. V is the variance {@link MixtureConfidenceSequence} uses at a difference of 0, so the
 * p-value falls to alpha or below exactly when that confidence sequence at level {@code 1 - alpha} first excludes
 * 0: the two are duals.
 */
final class MixtureSequentialTest implements ProportionTest {
    private final double tauSquared;
    private double pValue = 1.0;
    private double difference;

    MixtureSequentialTest(double minimumDetectableEffect) {
        if (!(minimumDetectableEffect > 0 && minimumDetectableEffect < 1)) {
            throw new IllegalArgumentException(
                    "minimum detectable effect must be in (0, 1), was " + minimumDetectableEffect);
        }
        this.tauSquared = minimumDetectableEffect * minimumDetectableEffect;
    }

    @Override
    public double update(long championTrials, long championEvents, long challengerTrials, long challengerEvents) {
        if (championTrials == 0 || challengerTrials == 0) {
            return pValue;
        }
        double champion = (double) championEvents / championTrials;
        double challenger = (double) challengerEvents / challengerTrials;
        difference = challenger - champion;
        double variance = new MixtureConfidenceSequence.Counts(
                        championTrials, championEvents, challengerTrials, challengerEvents)
                .varianceAt(0);
        double logLambda = 0.5 * Math.log(variance / (variance + tauSquared))
                + difference * difference * tauSquared / (2 * variance * (variance + tauSquared));
        pValue = Math.min(pValue, Math.min(1.0, Math.exp(-logLambda)));
        return pValue;
    }

    /**
     * The variance of one observed rate, with the rate shrunk towards 1/2 by one pseudo-observation each way, so
     * that zero events (a healthy service) still give a positive variance (used by {@link FixedHorizonInterval}).
     */
    static double variance(long trials, long events) {
        double rate = (events + 1.0) / (trials + 2.0);
        return rate * (1 - rate) / trials;
    }

    @Override
    public double difference() {
        return difference;
    }
}
