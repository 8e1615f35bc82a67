// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/model/AbstractProject.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// Interfaces omitted.
package hudson.model;

public abstract class AbstractProject<P extends AbstractProject<P, R>, R extends AbstractBuild<P, R>> extends Job<P, R> {
    protected AbstractProject(ItemGroup parent, String name) {
        super(parent, name);
    }
}
