package io.jenkins.plugins.modeldeploy.jenkins.steps;

import io.jenkins.plugins.modeldeploy.jenkins.promotion.PromotionEvidence;
import java.io.Serializable;
import java.util.LinkedHashMap;

/**
 * Where a deployment stands after its verdict: what the promotion (or rollback) needs, and the step's result so
 * far. Stored with a waiting step, so a restart resumes from here.
 */
public final class Checkpoint implements Serializable {
    private static final long serialVersionUID = 1L;

    public final String model;
    public final String challenger;
    /** Empty when no version served production yet. */
    public final String champion;
    /** PROMOTE, ROLLBACK or INCONCLUSIVE; PROMOTE for a first version, which has nothing to be compared with. */
    public final String verdict;
    /** Null once the evidence is on the promotion page. */
    public final PromotionEvidence evidence;
    /** imageDigest, image, smoke (map), verdict, verdictReasons: what the step returns, filled as it goes. */
    public final LinkedHashMap<String, Object> result;

    public Checkpoint(String model, String challenger, String champion, String verdict, PromotionEvidence evidence,
            LinkedHashMap<String, Object> result) {
        this.model = model;
        this.challenger = challenger;
        this.champion = champion;
        this.verdict = verdict;
        this.evidence = evidence;
        this.result = result;
    }

    /** The same, without the evidence (kept once, on the promotion page, rather than twice in build.xml). */
    public Checkpoint withoutEvidence() {
        return new Checkpoint(model, challenger, champion, verdict, null, result);
    }
}
