// Signature-only (offline build, never packaged): org.jenkins-ci.plugins.workflow:workflow-api 1413.v2ff1a_5e720fa_
// (bom-weekly of jenkinsci/bom 6916.v15ec97679743). Checked against jenkinsci/workflow-api-plugin tag
// 1413.v2ff1a_5e720fa_, src/main/java/org/jenkinsci/plugins/workflow/flow/FlowExecution.java.
// Only the type is used (FlowNode's constructor); supertypes and members omitted.
package org.jenkinsci.plugins.workflow.flow;

public abstract class FlowExecution {}
