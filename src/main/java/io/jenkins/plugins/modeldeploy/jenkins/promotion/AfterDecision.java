package io.jenkins.plugins.modeldeploy.jenkins.promotion;

import hudson.model.Run;
import io.jenkins.plugins.modeldeploy.pipeline.Approval;
import java.io.Serializable;

/**
 * What to do with a decision when no Pipeline step is waiting for it: a freestyle build has finished by then, so its
 * promotion (or rollback) is carried out by this, stored with the action. Runs off the request thread.
 */
public interface AfterDecision extends Serializable {
    void decided(Run<?, ?> run, PromotionAction action, Approval approval) throws Exception;
}
