package io.jenkins.plugins.modeldeploy.jenkins.promotion;

/** For tests of other packages: the evidence {@link PromotionActionTest} decides on. */
public final class PromotionActionTestAccess {
    private PromotionActionTestAccess() {}

    public static PromotionEvidence evidence() {
        return PromotionActionTest.evidence();
    }
}
