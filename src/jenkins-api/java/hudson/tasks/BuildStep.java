// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/tasks/BuildStep.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// Members omitted: BuildStepCompatibilityLayer implements them in the real API.
package hudson.tasks;

public interface BuildStep {}
