// Signature-only (offline build, never packaged): org.jenkins-ci.main:jenkins-core 2.541.3.
// Checked against jenkinsci/jenkins tag jenkins-2.541.3, core/src/main/java/hudson/model/AbstractBuild.java.
// Declares only the members the adapters use, with the real modifiers, generics and throws.
// Only needed for AbstractProject's type parameters; interfaces omitted.
package hudson.model;

import java.io.IOException;

public abstract class AbstractBuild<P extends AbstractProject<P, R>, R extends AbstractBuild<P, R>> extends Run<P, R> {
    protected AbstractBuild(P job) throws IOException {
        super(job);
    }
}
