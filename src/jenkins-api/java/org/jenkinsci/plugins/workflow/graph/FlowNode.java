// Signature-only (offline build, never packaged): org.jenkins-ci.plugins.workflow:workflow-api 1413.v2ff1a_5e720fa_
// (bom-weekly of jenkinsci/bom 6916.v15ec97679743). Checked against jenkinsci/workflow-api-plugin tag
// 1413.v2ff1a_5e720fa_, src/main/java/org/jenkinsci/plugins/workflow/graph/FlowNode.java.
// Declares only the members the adapters (and workflow-support's PauseAction) use; Saveable and the rest omitted.
package org.jenkinsci.plugins.workflow.graph;

import hudson.model.Action;
import hudson.model.Actionable;
import java.io.IOException;
import java.util.List;
import org.jenkinsci.plugins.workflow.flow.FlowExecution;

public abstract class FlowNode extends Actionable {
    protected FlowNode(FlowExecution exec, String id, FlowNode... parents) {}

    public String getId() {
        throw new UnsupportedOperationException("signature only");
    }

    @Override
    public List<Action> getActions() {
        throw new UnsupportedOperationException("signature only");
    }

    public void save() throws IOException {
        throw new UnsupportedOperationException("signature only");
    }
}
