package io.jenkins.plugins.modeldeploy.jenkins.steps;

import hudson.model.Action;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jenkinsci.plugins.workflow.graph.FlowNode;

/** The step's flow node as a double: keeps its actions (a PauseAction while the step waits) and counts saves. */
final class FakeNode extends FlowNode {
    final List<Action> actions = new CopyOnWriteArrayList<>();
    volatile int saves;

    FakeNode() {
        super(null, "7");
    }

    @Override
    public List<Action> getActions() {
        return actions;
    }

    @Override
    public void addAction(Action a) {
        actions.add(a);
    }

    @Override
    public void save() {
        saves++;
    }
}
