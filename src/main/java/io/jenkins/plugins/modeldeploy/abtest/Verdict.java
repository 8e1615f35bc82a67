package io.jenkins.plugins.modeldeploy.abtest;

/** What an experiment concluded. No data, or too little, is {@link #INCONCLUSIVE} and never a pass. */
public enum Verdict {
    /**
     * The challenger passed the plan's gate with enough evidence: shown not worse than the champion by more than the
     * margin on every metric (non-inferiority), or shown better on a metric and worse on none (superiority).
     */
    PROMOTE,
    /** The challenger was shown worse than the champion on at least one metric (by more than the margin, under
     * non-inferiority). */
    ROLLBACK,
    /** Not enough evidence either way within the experiment's limits, or an invalid experiment (sample ratio). */
    INCONCLUSIVE
}
