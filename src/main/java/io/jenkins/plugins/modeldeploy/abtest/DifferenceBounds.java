package io.jenkins.plugins.modeldeploy.abtest;

/**
 * A running confidence interval for challenger rate minus champion rate, read from cumulative counts. How often it
 * may be read without losing its coverage depends on the implementation: {@link MixtureConfidenceSequence} at every
 * reading, {@link FixedHorizonInterval} once.
 */
interface DifferenceBounds {
    /** Takes the counts since the experiment started and returns the interval as of this reading. */
    DifferenceInterval update(long championTrials, long championEvents, long challengerTrials, long challengerEvents);

    /** The interval as of the last reading ({@link DifferenceInterval#UNBOUNDED} before any). */
    DifferenceInterval interval();

    /** The level of the interval, e.g. 0.975 for an interval that misses the true difference with chance 2.5%. */
    double confidence();

    /** Whether the interval may be read at every reading ("always-valid") or only once ("fixed-horizon"). */
    boolean alwaysValid();
}
