// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/jenkins/agents/ControllerToAgentFileCallable.java.
// Declares only the members the adapters use. The default checkRoles(RoleChecker) (RoleSensitive, from remoting) is
// omitted, as FileCallable's RoleSensitive supertype is.
package jenkins.agents;

import hudson.FilePath;

public interface ControllerToAgentFileCallable<T> extends FilePath.FileCallable<T> {}
