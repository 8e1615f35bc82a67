// Signature-only (offline build, never packaged): org.jenkins-ci.plugins.workflow:workflow-support
// 1015.v785e5a_b_b_8b_22 (bom-weekly of jenkinsci/bom 6916.v15ec97679743). Checked against
// jenkinsci/workflow-support-plugin tag 1015.v785e5a_b_b_8b_22,
// src/main/java/org/jenkinsci/plugins/workflow/support/actions/PauseAction.java.
// Semantics kept for tests: a pause is open while its end time is 0 (:81-84); getCurrentPause is the node's last
// PauseAction (:100-108); endCurrentPause sets its end time and saves the node (:110-119).
// Supertypes InvisibleAction (null icon and URL, as here) and PersistentAction omitted; setters left out.
package org.jenkinsci.plugins.workflow.support.actions;

import hudson.model.Action;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jenkinsci.plugins.workflow.graph.FlowNode;

public class PauseAction implements Action {
    private final String cause;
    private long endTime;

    public PauseAction(String cause) {
        this.cause = cause;
    }

    public String getCause() {
        return cause;
    }

    public boolean isPaused() {
        return endTime == 0L;
    }

    public static PauseAction getCurrentPause(FlowNode node) {
        List<PauseAction> pauses = getPauseActions(node);
        return pauses.isEmpty() ? null : pauses.get(pauses.size() - 1);
    }

    public static void endCurrentPause(FlowNode node) throws IOException {
        PauseAction current = getCurrentPause(node);
        if (current != null) {
            current.endTime = System.currentTimeMillis();
            node.save();
        }
    }

    public static boolean isPaused(FlowNode node) {
        PauseAction current = getCurrentPause(node);
        return current != null && current.isPaused();
    }

    public static List<PauseAction> getPauseActions(FlowNode node) {
        List<PauseAction> pauses = new ArrayList<>();
        for (Action a : node.getActions()) {
            if (a instanceof PauseAction p) {
                pauses.add(p);
            }
        }
        return pauses;
    }

    @Override
    public String getIconFileName() {
        return null;
    }

    @Override
    public String getDisplayName() {
        return null;
    }

    @Override
    public String getUrlName() {
        return null;
    }
}
