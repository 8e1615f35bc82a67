package io.jenkins.plugins.modeldeploy.abtest;

/**
 * Sample-ratio mismatch: whether the observed split of requests fits the configured weights. A mismatch means the
 * routing or the counting is broken, so no comparison of the variants can be trusted.
 *
 * <p>The experiment reads the split every second, so a test read once (the chi-square goodness of fit) would be
 * read dozens of times and raise false alarms far more often than its level. This is the mixture sequential
 * probability ratio test for one proportion instead — the same normal-mixture construction as the gate's
 * ({@link MixtureConfidenceSequence}, after Johari, Pekelis and Walsh, and Lindon and Malek's anytime-valid test for
 * multinomial counts): the challenger's observed share against the configured one, variance under the configured
 * share, mixed over N(0, {@value #TAU}²); its p-value is valid at every reading (Ville's inequality), kept as the
 * running minimum.
 */
final class SampleRatioCheck {
    /** Far stricter than alpha: a mismatch stops the experiment, so false alarms must be rare. */
    static final double THRESHOLD = 0.001;
    /** The size of a share mismatch the test is tuned for (three percentage points): broken routing is rarely subtle. */
    static final double TAU = 0.03;

    private final double challengerShare;
    private double pValue = 1.0;

    SampleRatioCheck(double challengerShare) {
        if (!(challengerShare > 0 && challengerShare < 1)) {
            throw new IllegalArgumentException("challenger share must be in (0, 1), was " + challengerShare);
        }
        this.challengerShare = challengerShare;
    }

    /** The always-valid p-value after these cumulative counts (1 without data). */
    double update(long championRequests, long challengerRequests) {
        pValue = Math.min(pValue, pValue(championRequests, challengerRequests, challengerShare));
        return pValue;
    }

    /** The p-value of one reading: 1 / the mixture likelihood ratio of the counts against the configured share. */
    static double pValue(long championRequests, long challengerRequests, double challengerShare) {
        long total = championRequests + challengerRequests;
        if (total == 0) {
            return 1.0;
        }
        double difference = (double) challengerRequests / total - challengerShare;
        double variance = challengerShare * (1 - challengerShare) / total;
        double tauSquared = TAU * TAU;
        double logLambda = 0.5 * Math.log(variance / (variance + tauSquared))
                + difference * difference * tauSquared / (2 * variance * (variance + tauSquared));
        return Math.min(1.0, Math.exp(-logLambda));
    }
}
