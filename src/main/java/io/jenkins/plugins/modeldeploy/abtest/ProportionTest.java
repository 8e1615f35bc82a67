package io.jenkins.plugins.modeldeploy.abtest;

/**
 * Compares a rate (errors, SLO violations) between champion and challenger. {@link #update} takes cumulative counts
 * and returns a p-value for "the rates are equal"; the sign of {@link #difference} says which way they differ.
 */
interface ProportionTest {
    /**
     * @return the p-value after this update; for the sequential test it is always valid, i.e. it may be read after
     *         every update without inflating the chance of a false decision
     */
    double update(long championTrials, long championEvents, long challengerTrials, long challengerEvents);

    /** Challenger rate minus champion rate at the last update. */
    double difference();
}
