package io.jenkins.plugins.modeldeploy.target;

/** How one deployment of a version ended. */
public enum Outcome {
    /** The version serves production (a first release, a promotion, or it already did). */
    PROMOTED,
    /** The A/B test showed it worse than production, or a person rolled it back: taken out. */
    ROLLED_BACK,
    /** A person rejected it, nobody decided in time, or the A/B test could not show it fit: taken out. */
    REJECTED,
    /** Its rollout or smoke test failed: never routed on the stable route, taken out. */
    FAILED
}
