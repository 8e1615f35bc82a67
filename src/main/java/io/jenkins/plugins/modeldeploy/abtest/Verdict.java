package io.jenkins.plugins.modeldeploy.abtest;

/** What an experiment concluded. No data, or too little, is {@link #INCONCLUSIVE} and never a pass. */
public enum Verdict {
    /** The challenger is not worse on any metric and the test has enough evidence. */
    PROMOTE,
    /** The challenger is significantly worse on at least one metric, or the experiment was invalid. */
    ROLLBACK,
    /** Not enough evidence either way within the experiment's limits. */
    INCONCLUSIVE
}
