// Signature-only (offline build, never packaged): org.jenkins-ci.plugins.workflow:workflow-step-api 724.v538c2362b_dfb_ (bom-2.541.x 6916.v15ec97679743).
// Checked against jenkinsci/workflow-step-api-plugin at the stored snapshot 0773c3c (its 724 tag is not in it), src/main/java/org/jenkinsci/plugins/workflow/steps/BodyInvoker.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// Only named by StepContext.newBodyInvoker(); members omitted.
package org.jenkinsci.plugins.workflow.steps;

public abstract class BodyInvoker {}
