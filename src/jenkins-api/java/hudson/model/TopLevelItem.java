// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/model/TopLevelItem.java.
// Declares only the members the adapters and the JenkinsRule tests use, with the real modifiers, generics and throws.
// Super-interfaces ExtensionPoint, Describable<TopLevelItem> and every member omitted.
package hudson.model;

public interface TopLevelItem extends Item {}
