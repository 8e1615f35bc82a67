// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/jenkins/MasterToSlaveFileCallable.java.
// As the real class: abstract, no members besides serialVersionUID.
package jenkins;

import jenkins.agents.ControllerToAgentFileCallable;

public abstract class MasterToSlaveFileCallable<T> implements ControllerToAgentFileCallable<T> {
    private static final long serialVersionUID = 1L;
}
