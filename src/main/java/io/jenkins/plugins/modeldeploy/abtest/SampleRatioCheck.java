package io.jenkins.plugins.modeldeploy.abtest;

import org.apache.commons.statistics.distribution.ChiSquaredDistribution;

/**
 * Sample-ratio mismatch: whether the observed split of requests fits the configured weights (chi-square goodness of
 * fit, one degree of freedom). A mismatch means the routing or the counting is broken, so no comparison of the
 * variants can be trusted.
 */
final class SampleRatioCheck {
    /** Far stricter than alpha: a mismatch stops the experiment, so false alarms must be rare. */
    static final double THRESHOLD = 0.001;
    private static final ChiSquaredDistribution ONE_DEGREE = ChiSquaredDistribution.of(1);

    private SampleRatioCheck() {}

    /** The p-value of the observed counts given the challenger's share (0..1); 1 without data. */
    static double pValue(long championRequests, long challengerRequests, double challengerShare) {
        long total = championRequests + challengerRequests;
        if (total == 0) {
            return 1.0;
        }
        double expectedChallenger = total * challengerShare;
        double expectedChampion = total - expectedChallenger;
        double statistic = square(challengerRequests - expectedChallenger) / expectedChallenger
                + square(championRequests - expectedChampion) / expectedChampion;
        return ONE_DEGREE.survivalProbability(statistic);
    }

    private static double square(double value) {
        return value * value;
    }
}
