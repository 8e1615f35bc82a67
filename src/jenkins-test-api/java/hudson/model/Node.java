// Signature-only (offline build: compiled, never run or packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/model/Node.java.
// Declares only the member the JenkinsRule tests use (getNodeName, :169). Supertypes (AbstractModelObject,
// ReconfigurableDescribable, ExtensionPoint, AccessControlled, OnMaster, PersistenceRoot) omitted. The package-private
// constructor stands in for the real protected one, so no caller outside hudson.model sees it.
package hudson.model;

public abstract class Node {
    Node() {}

    public abstract String getNodeName();
}
