// Signature-only (offline build: compiled, never run or packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/model/Slave.java.
// Declares only the members the JenkinsRule tests use: getRemoteFS (:268), getNodeName (:274), getWorkspaceFor
// (:410). Serializable and the constructors omitted; the package-private one stands in (tests get agents from
// JenkinsRule.createOnlineSlave); the protected no-argument constructor stands in for the real ones.
package hudson.model;

import hudson.FilePath;

public abstract class Slave extends Node {
    protected Slave() {}

    public String getRemoteFS() {
        throw new UnsupportedOperationException("signature only");
    }

    @Override
    public String getNodeName() {
        throw new UnsupportedOperationException("signature only");
    }

    public FilePath getWorkspaceFor(TopLevelItem item) {
        throw new UnsupportedOperationException("signature only");
    }
}
