// Signature-only (offline build: compiled, never run or packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/slaves/DumbSlave.java (:44,
// public final class DumbSlave extends Slave). Constructors omitted: tests get one from JenkinsRule.createOnlineSlave().
package hudson.slaves;

import hudson.model.Slave;

public final class DumbSlave extends Slave {
    private DumbSlave() {}
}
