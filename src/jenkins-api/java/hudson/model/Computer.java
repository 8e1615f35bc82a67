// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/model/Computer.java.
// Declares only the members the adapters and the JenkinsRule tests use, with the real modifiers, generics and throws.
// Supertypes (Actionable, AccessControlled, …) omitted.
package hudson.model;

public abstract class Computer {
    Computer() {}

    public final int countBusy() {
        throw new UnsupportedOperationException("signature only");
    }
}
