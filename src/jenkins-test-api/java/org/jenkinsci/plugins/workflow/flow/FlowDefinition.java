// Signature-only (offline build: compiled, never run or packaged): org.jenkins-ci.plugins.workflow:workflow-api 1413.v2ff1a_5e720fa_ (bom-2.541.x 6916.v15ec97679743).
// Checked against jenkinsci/workflow-api-plugin (stored snapshot), src/main/java/org/jenkinsci/plugins/workflow/flow/FlowDefinition.java.
// Declares only the members the tests use, with the real modifiers, generics and throws.
// Supertypes AbstractDescribableImpl, ExtensionPoint omitted.
package org.jenkinsci.plugins.workflow.flow;

public abstract class FlowDefinition {
    protected FlowDefinition() {}
}
